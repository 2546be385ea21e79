import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type OutcomeEvent, topics } from '@dlb/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type TestBroker } from './testing/broker.ts';
import { connectCentre, type TestCentre } from './testing/centre.ts';
import { makeKey, sign } from './testing/commands.ts';
import { makeConfig, tempDir, waitFor } from './testing/fixtures.ts';
import { startMediaServer, type TestMediaServer } from './testing/media-server.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const key = makeKey();

/** The agent CLI as a real OS process. */
function spawnAgent(configFile: string): {
  child: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
} {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'edge-agent/src/main.ts', '--config', configFile],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, exited, output: () => out };
}

describe('agent CLI process', () => {
  let broker: TestBroker;
  let media: TestMediaServer;
  let centre: TestCentre;
  const tmp = tempDir();

  beforeAll(async () => {
    broker = await startBroker();
    media = await startMediaServer();
    centre = await connectCentre(broker.url, false);
  });
  afterAll(async () => {
    await centre.close();
    await broker.close();
    await media.close();
    tmp.cleanup();
  });

  it('delivers the played report exactly once across SIGKILL right after writing it', async () => {
    const config = makeConfig({ brokerUrl: broker.url, serverUrl: media.url, key, dataDir: 'x', seq: 42 });
    const configFile = join(tmp.dir, 'agent.json');
    // dataDir relative to the config file's directory
    writeFileSync(configFile, JSON.stringify({ ...config, dataDir: './data' }));
    const tid = config.terminalId;
    const eventsFile = join(tmp.dir, 'data', 'outbox', 'events.jsonl');
    const online = () => centre.states.get(tid)?.online === true;

    let proc = spawnAgent(configFile);
    await waitFor(online, 20_000, `agent online\n${proc.output()}`);

    const env = sign(
      {
        kind: 'play',
        body: {
          broadcastId: 'bc-kill',
          priority: 150,
          media: media.add('/m/kill.mp3', randomBytes(2000), 300),
          audience: { kind: 'terminal', tid },
        },
      },
      key,
    );
    await centre.publish(topics.terminalCmd(tid), JSON.stringify(env));
    const playedWritten = () =>
      existsSync(eventsFile) && readFileSync(eventsFile, 'utf8').includes('"outcome":3');
    await waitFor(playedWritten, 10_000, 'played written to the outbox');
    proc.child.kill('SIGKILL');
    expect(await proc.exited).toBeNull();
    await waitFor(() => centre.states.get(tid)?.online === false, 5000, 'Last Will after SIGKILL');

    proc = spawnAgent(configFile);
    const mine = () => centre.stored.get(tid) ?? new Map();
    const playedSeqs = () =>
      [...mine().values()].filter((e) => e.type === 'outcome' && e.outcome === 3).map((e) => e.seq);
    await waitFor(() => playedSeqs().length > 0 && online(), 20_000, `played delivered\n${proc.output()}`);
    await new Promise((r) => setTimeout(r, 300));
    const upTo = Math.max(...mine().keys());
    await centre.ack(tid, upTo);
    await waitFor(() => readFileSync(eventsFile, 'utf8') === '', 5000, 'outbox emptied by the ack');
    const receivedAtAck = centre.received.length;
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);

    proc = spawnAgent(configFile);
    await waitFor(online, 20_000, 'third start online');
    await new Promise((r) => setTimeout(r, 500));
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);

    // Nothing acknowledged was sent again, and the command has exactly one final report: played.
    expect(centre.received.slice(receivedAtAck).filter((e) => e.seq <= upTo)).toEqual([]);
    const finals = [...mine().values()].filter(
      (e): e is OutcomeEvent => e.type === 'outcome' && e.commandId === env.id && e.outcome >= 3,
    );
    expect(finals.map((e) => e.outcome)).toEqual([3]);
    expect(playedSeqs()).toHaveLength(1);
  });
});

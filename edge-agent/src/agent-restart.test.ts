import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type OutcomeEvent, topics } from '@dlb/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from './agent.ts';
import { silentLogger } from './runtime.ts';
import { startBroker, type TestBroker } from './testing/broker.ts';
import { connectCentre, type TestCentre } from './testing/centre.ts';
import { makeKey, sign } from './testing/commands.ts';
import { makeConfig, tempDir, waitFor } from './testing/fixtures.ts';
import { startMediaServer, type TestMediaServer } from './testing/media-server.ts';

const key = makeKey();

describe('Agent restarts', () => {
  let broker: TestBroker;
  let media: TestMediaServer;
  let centre: TestCentre;
  const tmp = tempDir();
  const running: Agent[] = [];

  const agentFor = (dataDir: string, seq: number) => {
    const a = new Agent(makeConfig({ brokerUrl: broker.url, serverUrl: media.url, key, dataDir, seq }), {
      log: silentLogger,
    });
    running.push(a);
    return a;
  };
  const started = async (a: Agent) => {
    const up = new Promise<void>((r) => a.once('connected', () => r()));
    await a.start();
    await up;
    return a;
  };
  const outcomesOf = (id: string) =>
    centre.received.filter((e): e is OutcomeEvent => e.type === 'outcome' && e.commandId === id);
  const play = (tid: string, durationMs: number, over: Record<string, unknown> = {}) =>
    sign(
      {
        kind: 'play',
        body: {
          broadcastId: `bc-${randomBytes(3).toString('hex')}`,
          priority: 150,
          media: media.add(`/m/${randomBytes(4).toString('hex')}.mp3`, randomBytes(500), durationMs),
          audience: { kind: 'terminal', tid },
          ...over,
        },
      },
      key,
    );

  beforeAll(async () => {
    broker = await startBroker();
    media = await startMediaServer();
    centre = await connectCentre(broker.url);
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((a) => a.stop()));
  });
  afterAll(async () => {
    await centre.close();
    await broker.close();
    await media.close();
    tmp.cleanup();
  });

  it('receives a command sent while it was away (persistent session)', async () => {
    const dir = join(tmp.dir, 'away');
    const a = await started(agentFor(dir, 11));
    await a.stop();
    const env = play(a.terminalId, 100);
    await centre.publish(topics.terminalCmd(a.terminalId), JSON.stringify(env));
    await started(agentFor(dir, 11));
    await waitFor(() => outcomesOf(env.id).some((e) => e.outcome === 3), 5000, 'played after reconnect');
  });

  it('reports a play cut short by a restart once as agent-restarted, and resumes what was waiting', async () => {
    const dir = join(tmp.dir, 'cut');
    const a = await started(agentFor(dir, 12));
    const tid = a.terminalId;
    const long = play(tid, 10_000);
    const next = play(tid, 100);
    const laterAt = Date.now() + 1500;
    const later = play(tid, 100, { startAt: laterAt });
    await centre.publish(topics.terminalCmd(tid), JSON.stringify(long));
    await waitFor(() => outcomesOf(long.id).some((e) => e.outcome === 2), 3000, 'long playing');
    await centre.publish(topics.terminalCmd(tid), JSON.stringify(next));
    await centre.publish(topics.terminalCmd(tid), JSON.stringify(later));
    await waitFor(() => outcomesOf(next.id).some((e) => e.outcome === 1), 3000, 'next waiting');
    await waitFor(() => outcomesOf(later.id).some((e) => e.outcome === 1), 3000, 'later waiting');
    await a.stop();
    const journal = JSON.parse(readFileSync(join(dir, 'playing.json'), 'utf8'));
    expect(journal.playing.item.commandId).toBe(long.id);
    expect(journal.queue.map((i: { commandId: string }) => i.commandId).sort()).toEqual(
      [next.id, later.id].sort(),
    );

    await started(agentFor(dir, 12));
    await waitFor(() => outcomesOf(next.id).some((e) => e.outcome === 3), 3000, 'next played after restart');
    await waitFor(() => outcomesOf(later.id).some((e) => e.outcome === 3), 4000, 'later played at its time');
    const laterStart = outcomesOf(later.id).find((e) => e.outcome === 2)!.startedAt!;
    expect(laterStart).toBeGreaterThanOrEqual(laterAt);
    expect(outcomesOf(long.id).filter((e) => e.outcome === 4)).toMatchObject([{ reason: 'agent-restarted' }]);
    await running.pop()!.stop();

    await started(agentFor(dir, 12));
    await new Promise((r) => setTimeout(r, 200));
    expect(outcomesOf(long.id).filter((e) => e.outcome === 4)).toHaveLength(1);
  });

  it('does not report agent-restarted when the final report was written just before dying', async () => {
    const dir = join(tmp.dir, 'race');
    const a = await started(agentFor(dir, 13));
    const env = play(a.terminalId, 100);
    await centre.publish(topics.terminalCmd(a.terminalId), JSON.stringify(env));
    await waitFor(() => outcomesOf(env.id).some((e) => e.outcome === 2), 3000, 'playing');
    const journalWhilePlaying = readFileSync(join(dir, 'playing.json'), 'utf8');
    await waitFor(() => outcomesOf(env.id).some((e) => e.outcome === 3), 3000, 'played');
    centre.autoAck = false;
    await a.stop();
    // Simulate dying between writing the played report and clearing the journal.
    writeFileSync(join(dir, 'playing.json'), journalWhilePlaying);
    const outbox = readFileSync(join(dir, 'outbox', 'events.jsonl'), 'utf8');
    if (!outbox.includes('"outcome":3')) {
      const played = outcomesOf(env.id).find((e) => e.outcome === 3)!;
      writeFileSync(join(dir, 'outbox', 'events.jsonl'), `${JSON.stringify(played)}\n`);
      writeFileSync(
        join(dir, 'outbox', 'meta.json'),
        JSON.stringify({ lastSeq: played.seq, ackedUpTo: played.seq - 1 }),
      );
    }
    await started(agentFor(dir, 13));
    await new Promise((r) => setTimeout(r, 200));
    centre.autoAck = true;
    expect(outcomesOf(env.id).filter((e) => e.reason === 'agent-restarted')).toEqual([]);
  });
});

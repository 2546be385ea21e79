import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  makeTerminalId,
  type OutcomeEvent,
  type TargetEntry,
  type TargetEnvelope,
  type TerminalEvent,
  topics,
} from '@dlb/protocol';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { Agent } from '../agent.ts';
import { SilentSink } from '../player.ts';
import type { Logger } from '../runtime.ts';
import { startBroker, type TestBroker } from './broker.ts';
import { connectCentre, type TestCentre } from './centre.ts';
import { makeKey, type TestKey } from './commands.ts';
import { FakeClock, fixedClock } from './fake-clock.ts';
import { makeConfig, tempDir, VILLAGE, waitFor } from './fixtures.ts';
import { startMediaServer, type TestMediaServer } from './media-server.ts';

export const T0 = Date.UTC(2026, 10, 23, 0, 0, 0); // 08:00 in Asia/Shanghai
export const MIN = 60_000;
export const HOUR = 3600_000;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ScheduleRig {
  key: TestKey;
  /** Replaced when a test restarts the broker. */
  broker: TestBroker;
  media: TestMediaServer;
  centre: TestCentre;
  /** Set a fresh one at the start of each test. */
  fake: FakeClock;
  /** One terminal on the fake clock (real broker, files and HTTP); see TestTerminal. */
  terminal(name: string, seq: number): TestTerminal;
  /** Serve random bytes as audio of that duration. */
  audio(durationMs: number): ReturnType<TestMediaServer['add']>;
  /** Publish retained on the terminal's target topic (a string as is: '' clears it). */
  publishTarget(tid: string, env: TargetEnvelope | string): Promise<unknown>;
  stopAgent(a: Agent): Promise<void>;
}

export interface TestTerminal {
  dir: string;
  tid: string;
  /** Everything every run on this data directory wrote to its outbox. */
  events: TerminalEvent[];
  warnings: string[];
  /** Start a new Agent on the data directory and wait until it is connected. */
  start(): Promise<Agent>;
  outcomes(id: string): OutcomeEvent[];
  cached(e: TargetEntry): boolean;
  /** The current run's player. */
  sink(): SilentSink;
}

/** A broker, a media server and a test centre for the suite, and agents on a fake clock (stopped after each test). */
export function useScheduleRig(): ScheduleRig {
  const tmp = tempDir();
  const running: Agent[] = [];
  const rig = {
    key: makeKey(),
    fake: new FakeClock(T0),
  } as ScheduleRig;

  rig.terminal = (name, seq) => {
    const dir = join(tmp.dir, name);
    const events: TerminalEvent[] = [];
    const warnings: string[] = [];
    const log: Logger = { info: () => {}, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) };
    let sink = new SilentSink();
    return {
      dir,
      tid: makeTerminalId(VILLAGE, seq),
      events,
      warnings,
      start: async () => {
        const fake = rig.fake;
        const config = makeConfig({
          brokerUrl: rig.broker.url,
          serverUrl: rig.media.url,
          key: rig.key,
          dataDir: dir,
          seq,
          reconnect: { minMs: MIN, maxMs: 2 * MIN },
          stateIntervalMs: 10 * MIN,
        });
        sink = new SilentSink({ timers: fake, now: fake.now });
        const agent = new Agent(config, {
          now: fake.now,
          timers: fake,
          clock: fixedClock(fake.now),
          player: sink,
          log,
          resendAfterMs: 10 * 24 * HOUR,
          media: { retries: 0 },
          schedule: { retry: { minMs: 5 * MIN, maxMs: 20 * MIN } },
        });
        agent.on('event', (e) => events.push(e));
        running.push(agent);
        await agent.start();
        await waitFor(() => agent.connected, 5000, 'connected');
        return agent;
      },
      outcomes: (id) => events.filter((e): e is OutcomeEvent => e.type === 'outcome' && e.commandId === id),
      cached: (e) => existsSync(join(dir, 'cache', `${e.media.sha256}.mp3`)),
      sink: () => sink,
    };
  };
  rig.audio = (durationMs) =>
    rig.media.add(`/m/${randomBytes(5).toString('hex')}.mp3`, randomBytes(3000), durationMs);
  rig.publishTarget = (tid, env) =>
    rig.centre.client.publishAsync(
      topics.terminalTarget(tid),
      typeof env === 'string' ? env : JSON.stringify(env),
      {
        qos: 1,
        retain: true,
      },
    );
  rig.stopAgent = async (a) => {
    running.splice(running.indexOf(a), 1);
    await a.stop();
  };

  beforeAll(async () => {
    rig.broker = await startBroker();
    rig.media = await startMediaServer();
    rig.centre = await connectCentre(rig.broker.url);
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((a) => a.stop()));
  });
  afterAll(async () => {
    await rig.centre.close();
    await rig.broker.close();
    await rig.media.close();
    tmp.cleanup();
  });
  return rig;
}

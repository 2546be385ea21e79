import { randomBytes } from 'node:crypto';
import { type OutcomeEvent, type StateMessage, topics } from '@dlb/protocol';
import mqtt from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from './agent.ts';
import { silentLogger } from './runtime.ts';
import { startBroker, type TestBroker } from './testing/broker.ts';
import { connectCentre, type TestCentre } from './testing/centre.ts';
import { makeKey, sign } from './testing/commands.ts';
import { COUNTY, makeConfig, TOWNSHIP, tempDir, VILLAGE, waitFor } from './testing/fixtures.ts';
import { startMediaServer, type TestMediaServer } from './testing/media-server.ts';

const key = makeKey();
const foreign = makeKey();

describe('Agent against a real broker', () => {
  let broker: TestBroker;
  let media: TestMediaServer;
  let centre: TestCentre;
  const tmp = tempDir();
  const agents: Agent[] = [];
  let seq = 0;

  const newAgent = (over: Parameters<typeof makeConfig>[0] extends infer P ? Partial<P> : never = {}) => {
    seq++;
    const config = makeConfig({
      brokerUrl: broker.url,
      serverUrl: media.url,
      key,
      dataDir: `${tmp.dir}/a${seq}`,
      seq,
      ...over,
    });
    const agent = new Agent(config, { log: silentLogger, media: { retries: 0 } });
    agents.push(agent);
    return agent;
  };
  const connected = (a: Agent) =>
    a.connected ? Promise.resolve() : new Promise<void>((r) => a.once('connected', () => r()));
  const audio = () => media.add(`/media/${randomBytes(4).toString('hex')}.mp3`, randomBytes(3000), 150);
  const playCmd = (a: Agent, over: Record<string, unknown> = {}) => ({
    kind: 'play' as const,
    body: {
      broadcastId: `bc-${randomBytes(3).toString('hex')}`,
      priority: 150,
      media: audio(),
      audience: { kind: 'terminal' as const, tid: a.terminalId },
      ...over,
    },
  });
  const outcomesOf = (commandId: string) =>
    centre.received.filter((e): e is OutcomeEvent => e.type === 'outcome' && e.commandId === commandId);

  beforeAll(async () => {
    broker = await startBroker();
    media = await startMediaServer();
    centre = await connectCentre(broker.url);
  });
  afterEach(async () => {
    await Promise.all(agents.splice(0).map((a) => a.stop()));
    centre.autoAck = true;
  });
  afterAll(async () => {
    await centre.close();
    await broker.close();
    await media.close();
    tmp.cleanup();
  });

  it('plays a signed command end to end: waiting, playing, played, all acknowledged', async () => {
    const a = newAgent();
    await a.start();
    await connected(a);
    const env = sign(playCmd(a), key);
    await centre.publish(topics.terminalCmd(a.terminalId), JSON.stringify(env));
    await waitFor(() => outcomesOf(env.id).some((e) => e.outcome === 3), 5000, 'played');
    const seen = outcomesOf(env.id);
    expect(seen.map((e) => e.outcome)).toEqual([1, 2, 3]);
    const played = seen[2]!;
    expect(played.endedAt! - played.startedAt!).toBeGreaterThanOrEqual(140);
    await waitFor(() => a.outboxPending === 0, 3000, 'ack');
    expect(media.auth).toContain(`Bearer ${a.terminalId}:${a.config.mediaToken}`);
  });

  it('acts on its area and group topics', async () => {
    const a = newAgent();
    await a.start();
    await connected(a);
    const viaArea = sign(playCmd(a, { audience: { kind: 'area', code: TOWNSHIP } }), key);
    await centre.publish(topics.areaCmd(TOWNSHIP), JSON.stringify(viaArea));
    const viaGroup = sign(playCmd(a, { audience: { kind: 'group', gid: 'flood-team' } }), key);
    await centre.publish(topics.groupCmd('flood-team'), JSON.stringify(viaGroup));
    await waitFor(() => outcomesOf(viaArea.id).some((e) => e.outcome === 3), 5000, 'area play');
    await waitFor(() => outcomesOf(viaGroup.id).some((e) => e.outcome === 3), 5000, 'group play');
  });

  it('refuses forged, expired, replayed and misaddressed commands and reports why', async () => {
    const a = newAgent();
    await a.start();
    await connected(a);
    const tidTopic = topics.terminalCmd(a.terminalId);
    const unknownKey = sign(playCmd(a), foreign);
    const badSig = sign(playCmd(a), { kid: key.kid, privateKey: foreign.privateKey });
    const expired = sign(playCmd(a), key, { issuedAt: Date.now() - 120_000, expiresAt: Date.now() - 60_000 });
    const good = sign(playCmd(a), key);
    const misaddressed = sign(playCmd(a, { audience: { kind: 'area', code: VILLAGE } }), key);
    const otherArea = sign(playCmd(a, { audience: { kind: 'area', code: '450323104' } }), key);
    for (const env of [unknownKey, badSig, expired, good, good, misaddressed]) {
      await centre.publish(tidTopic, JSON.stringify(env));
    }
    await centre.publish(topics.areaCmd(COUNTY), JSON.stringify(otherArea));
    await centre.publish(tidTopic, '{not json');
    const reasons = () =>
      centre.received
        .filter((e) => e.type === 'rejected')
        .map((e) => (e.type === 'rejected' ? [e.commandId, e.reason] : []));
    await waitFor(() => reasons().length >= 7, 5000, 'rejections');
    expect(reasons()).toEqual([
      [unknownKey.id, 'unknown-key'],
      [badSig.id, 'bad-signature'],
      [expired.id, 'expired'],
      [good.id, 'replay'],
      [misaddressed.id, 'wrong-audience'],
      [otherArea.id, 'wrong-audience'],
      [undefined, 'malformed'],
    ]);
    await waitFor(() => outcomesOf(good.id).some((e) => e.outcome === 3), 5000, 'good one played');
    expect(outcomesOf(good.id).filter((e) => e.outcome === 3)).toHaveLength(1);
    for (const bad of [unknownKey, badSig, expired, misaddressed, otherArea])
      expect(outcomesOf(bad.id)).toEqual([]);
  });

  it('a higher priority preempts; stop cancels; a bad download fails', async () => {
    const a = newAgent();
    await a.start();
    await connected(a);
    const t = topics.terminalCmd(a.terminalId);
    const long = sign(playCmd(a, { media: media.add('/media/long.mp3', randomBytes(100), 3000) }), key);
    await centre.publish(t, JSON.stringify(long));
    await waitFor(() => outcomesOf(long.id).some((e) => e.outcome === 2), 3000, 'long playing');
    const red = sign(playCmd(a, { priority: 250 }), key);
    await centre.publish(t, JSON.stringify(red));
    await waitFor(() => outcomesOf(red.id).some((e) => e.outcome === 3), 3000, 'red played');
    expect(outcomesOf(long.id).at(-1)).toMatchObject({ outcome: 5, reason: 'preempted' });

    const slowCmd = playCmd(a, { media: media.add('/media/slow.mp3', randomBytes(100), 5000) });
    const slow = sign(slowCmd, key);
    await centre.publish(t, JSON.stringify(slow));
    await waitFor(() => outcomesOf(slow.id).some((e) => e.outcome === 2), 3000, 'slow playing');
    const stop = sign(
      {
        kind: 'stop',
        body: { broadcastId: slowCmd.body.broadcastId, audience: { kind: 'terminal', tid: a.terminalId } },
      },
      key,
    );
    await centre.publish(t, JSON.stringify(stop));
    await waitFor(() => outcomesOf(slow.id).some((e) => e.outcome === 5), 3000, 'stopped');
    expect(outcomesOf(slow.id).at(-1)).toMatchObject({ reason: 'stopped' });

    const ref = media.add('/media/tampered.mp3', randomBytes(100), 100);
    media.replace('/media/tampered.mp3', randomBytes(100));
    const tampered = sign(playCmd(a, { media: ref }), key);
    await centre.publish(t, JSON.stringify(tampered));
    await waitFor(() => outcomesOf(tampered.id).length > 0, 3000, 'tampered');
    expect(outcomesOf(tampered.id)).toMatchObject([{ outcome: 4, reason: 'checksum-mismatch' }]);
  });

  it('keeps unacknowledged events across stop/start and re-sends them exactly until acknowledged', async () => {
    centre.autoAck = false;
    const dataDir = `${tmp.dir}/persist`;
    const a = newAgent({ dataDir });
    await a.start();
    await connected(a);
    const env = sign(playCmd(a), key);
    await centre.publish(topics.terminalCmd(a.terminalId), JSON.stringify(env));
    await waitFor(() => outcomesOf(env.id).some((e) => e.outcome === 3), 5000, 'played');
    const seqs = outcomesOf(env.id).map((e) => e.seq);
    expect(a.outboxPending).toBe(3);
    await a.stop();

    const before = centre.received.length;
    const b = newAgent({ dataDir, seq: 5 });
    await b.start();
    await connected(b);
    await waitFor(() => centre.received.length >= before + 3, 3000, 're-send');
    expect(centre.received.slice(before).map((e) => e.seq)).toEqual(seqs);
    await centre.ack(b.terminalId, Math.max(...seqs));
    await waitFor(() => b.outboxPending === 0, 3000, 'ack');
    await b.stop();

    const c = newAgent({ dataDir, seq: 5 });
    await c.start();
    await connected(c);
    await new Promise((r) => setTimeout(r, 300));
    const sends = centre.received.filter(
      (e) => seqs.includes(e.seq) && e.type === 'outcome' && e.commandId === env.id,
    );
    expect(sends).toHaveLength(6); // each seq twice: first send and one re-send, never after the ack
    expect(c.outboxPending).toBe(0);
  });

  it('publishes retained state; the Last Will marks it offline when the socket dies', async () => {
    const a = newAgent({ reconnect: { minMs: 2000, maxMs: 4000 } });
    await a.start();
    await connected(a);
    const tid = a.terminalId;
    const late = mqtt.connect(broker.url, { reconnectPeriod: 0 });
    const got: StateMessage[] = [];
    late.on('message', (_t, p) => got.push(JSON.parse(p.toString())));
    await new Promise<void>((r) => late.once('connect', () => r()));
    await late.subscribeAsync(topics.terminalState(tid), { qos: 1 });
    await waitFor(() => got.length > 0, 3000, 'retained state');
    expect(got[0]).toMatchObject({ status: 1, online: true, version: '0.1.0', volume: 80, outboxPending: 0 });
    expect(broker.dropClient(tid)).toBe(true);
    await waitFor(() => got.some((s) => s.online === false), 3000, 'will');
    expect(got.at(-1)).toMatchObject({ status: 2, online: false });
    await late.endAsync(true);
  });

  it('a graceful stop publishes offline state; a volume command changes state', async () => {
    const a = newAgent();
    await a.start();
    await connected(a);
    const vol = sign(
      { kind: 'volume', body: { volume: 35, audience: { kind: 'terminal', tid: a.terminalId } } },
      key,
    );
    await centre.publish(topics.terminalCmd(a.terminalId), JSON.stringify(vol));
    await waitFor(() => centre.states.get(a.terminalId)?.volume === 35, 3000, 'volume');
    await a.stop();
    await waitFor(() => centre.states.get(a.terminalId)?.online === false, 3000, 'offline');
  });

  it('a missing player program is a fault (status 3) and its plays fail as player-failed', async () => {
    const seqNow = seq + 1;
    const a = new Agent(
      makeConfig({
        brokerUrl: broker.url,
        serverUrl: media.url,
        key,
        dataDir: `${tmp.dir}/fault`,
        seq: seqNow,
        player: { kind: 'command', command: '/nonexistent/mpg123', args: ['-q', '{file}'] },
      }),
      { log: silentLogger, media: { retries: 0 } },
    );
    seq = seqNow;
    agents.push(a);
    await a.start();
    await connected(a);
    await waitFor(() => centre.states.get(a.terminalId)?.status === 3, 3000, 'fault state');
    const env = sign(playCmd(a), key);
    await centre.publish(topics.terminalCmd(a.terminalId), JSON.stringify(env));
    await waitFor(() => outcomesOf(env.id).some((e) => e.outcome === 4), 3000, 'failed');
    expect(outcomesOf(env.id).at(-1)).toMatchObject({ outcome: 4, reason: 'player-failed' });
  });

  it('keeps retrying with backoff when credentials are refused', async () => {
    const attempts: number[] = [];
    const strict = await startBroker({
      authenticate: (_c, _u, password, done) => {
        attempts.push(Date.now());
        if (password?.toString() === 'right') done(null, true);
        else done(Object.assign(new Error('bad'), { returnCode: 4 as const }), false);
      },
    });
    const a = newAgent({
      mqtt: { url: strict.url, username: 'x', password: 'wrong' },
      reconnect: { minMs: 40, maxMs: 200 },
    });
    await a.start();
    await waitFor(() => attempts.length >= 4, 3000, 'retries');
    expect(a.connected).toBe(false);
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(35);
    await a.stop();
    const after = attempts.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(attempts.length).toBe(after); // stop() ends the retries
    await strict.close();
  });
});

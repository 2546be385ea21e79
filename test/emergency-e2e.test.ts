import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  type AlertBody,
  type Envelope,
  signEnvelope,
  sm2GenerateKeyPair,
  sm2KeyId,
  topics,
} from '@dlb/protocol';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './helpers/api-client.ts';
import {
  type AgentProcess,
  type CentreProcess,
  type Media,
  startAgentProcess,
  startCentreProcess,
  tempDir,
  uploadTone,
  waitOnline,
} from './helpers/fleet.ts';
import { eventually, startTsProcess } from './helpers/processes.ts';

/**
 * The emergency path end to end: a real centre process (embedded broker) and three real agent processes, two in
 * 大圩镇 (450323101) and one in 潭下镇 (450323104). Alerts are raised through the API by an emergency officer;
 * what each terminal did is read back from the agents' own reports (terminal events, alert coverage).
 */

const DAXU = '450323101';
const TANXIA = '450323104';
const COUNTY = '450323';
const OFFICER_PW = 'e2e-officer-pw-0001';

type Ev = {
  type: string;
  source?: string;
  broadcastId?: string;
  commandId?: string;
  outcome?: number;
  reason?: string;
  phase?: string;
  startedAt?: number;
  endedAt?: number;
  at?: number;
};
type Coverage = {
  total: number;
  sounding: number;
  finished: number;
  notSounding: Array<{ terminalId: string; why: string; reason: string | null }>;
  counts: Record<string, number>;
};
type AlertView = { id: string; status: string; revision: number; level: string };

describe('emergency alerts end to end with real processes (embedded broker)', () => {
  const tmp = tempDir('dlb-emerg-e2e-');
  let centre: CentreProcess;
  let officer: ApiClient;
  let tone1: Media;
  let tone20: Media;
  const agents: AgentProcess[] = [];
  const daxu = () => agents.slice(0, 2);
  const tanxia = () => agents[2]!;
  /** Every command the centre publishes, as the broker carries it. */
  const wire: Array<{ topic: string; payload: Buffer }> = [];
  let spy: mqtt.MqttClient;
  let signingKey: { kid: string; privateKey: string };

  beforeAll(async () => {
    centre = await startCentreProcess(tmp.dir);
    for (const v of ['450323101200', '450323101201', '450323104200'])
      agents.push(await startAgentProcess(centre, tmp.dir, v));
    await centre.api.call('POST', '/api/users', {
      username: 'officer',
      displayName: '应急值守员',
      password: OFFICER_PW,
      roles: [{ role: 'emergency_officer', scopeCode: null }],
      mustChangePassword: false,
    });
    officer = new ApiClient(centre.httpUrl);
    await officer.login('officer', OFFICER_PW);
    tone1 = await uploadTone(centre, tmp.dir, 1);
    tone20 = await uploadTone(centre, tmp.dir, 20);
    const serverPassword = readFileSync(
      path.join(centre.dataDir, 'keys', 'mqtt-server-password'),
      'utf8',
    ).trim();
    signingKey = JSON.parse(readFileSync(path.join(centre.dataDir, 'keys', 'signing-key.json'), 'utf8'));
    spy = await mqtt.connectAsync(centre.mqttUrl, {
      username: 'dlb-server',
      password: serverPassword,
      clientId: 'emerg-e2e-spy',
    });
    spy.on('message', (topic, payload) => {
      if (topic.endsWith('/cmd')) wire.push({ topic, payload });
    });
    await spy.subscribeAsync('dlb/v1/#', { qos: 1 });
    await waitOnline(
      centre,
      agents.map((a) => a.tid),
    );
  }, 90_000);

  afterAll(async () => {
    await spy?.endAsync(true);
    await Promise.all(agents.map((a) => a.proc.stop()));
    await centre?.proc.stop();
    await tmp.cleanup();
  });

  const alertBody = (codes: string[], over: Record<string, unknown> = {}) => ({
    level: 'orange',
    eventCode: '11B03',
    issuer: '灵川县应急管理局',
    area: { codes },
    expiresAt: Date.now() + 10 * 60_000,
    title: '暴雨橙色预警',
    text: '灵川县气象台发布暴雨橙色预警，请注意防范。',
    mediaSha256: tone1.sha256,
    repeat: 1,
    intervalSec: 0,
    ...over,
  });
  const raise = async (codes: string[], over: Record<string, unknown> = {}, route = '/api/alerts') =>
    (await officer.call<{ alert: AlertView }>('POST', route, alertBody(codes, over))).alert;
  const coverage = async (id: string) =>
    (await officer.call<{ alert: AlertView; coverage: Coverage }>('GET', `/api/alerts/${id}`)).coverage;
  const eventsOf = async (tid: string) =>
    (await centre.api.call<{ events: Ev[] }>('GET', `/api/terminals/${tid}/events?limit=1000`)).events;
  const alertEvents = async (tid: string, alertId: string) =>
    (await eventsOf(tid)).filter((e) => e.type === 'outcome' && e.broadcastId === alertId);
  /** Waits until the terminal's reports on an alert include one matching `pred`; returns them all. */
  const waitReport = (tid: string, alertId: string, pred: (e: Ev) => boolean, what: string, ms = 20_000) =>
    eventually(
      async () => {
        const evs = await alertEvents(tid, alertId);
        return evs.some(pred) ? evs : null;
      },
      ms,
      `${tid}: ${what}`,
    );
  const waitCoverage = (id: string, pred: (c: Coverage) => boolean, what: string, ms = 25_000) =>
    eventually(
      async () => {
        const c = await coverage(id);
        return pred(c) ? c : null;
      },
      ms,
      `${id}: ${what}`,
    );
  const finalOf = (evs: Ev[]) => evs.filter((e) => (e.outcome ?? 0) >= 3);

  it('an alert preempts a playing broadcast, sounds with its repeats, and ends everywhere', async () => {
    const { broadcast } = await centre.api.call<{ broadcast: { id: string } }>('POST', '/api/broadcasts', {
      contentId: tone20.contentId,
      target: { kind: 'area', code: DAXU },
      title: '大圩镇长时间通知',
    });
    type Row = { terminalId: string; outcome: number; reason: string | null };
    const rows = async () =>
      (await centre.api.call<{ outcomes: Row[] }>('GET', `/api/broadcasts/${broadcast.id}`)).outcomes;
    await eventually(
      async () => (await rows()).length === 2 && (await rows()).every((o) => o.outcome === 2),
      20_000,
      'broadcast playing on both 大圩镇 terminals',
    );

    // repeat 2 with 2 s between: attention tone (3 s) + 1 s + 2 s + 1 s ≈ 7 s of sound.
    const raisedAt = Date.now();
    const alert = await raise([DAXU], { repeat: 2, intervalSec: 2 });
    expect(alert.status).toBe('active');

    const preempted = await eventually(
      async () => {
        const r = await rows();
        return r.every((o) => o.outcome === 5 || o.outcome === 4) ? r : null;
      },
      15_000,
      'broadcast preempted on both',
    );
    for (const o of preempted) expect(o.reason, o.terminalId).toBe('preempted');

    // It sounds (attention, then message) and finishes on both.
    const finished = await waitCoverage(alert.id, (c) => c.finished === 2, 'finished on both', 30_000);
    expect(finished).toMatchObject({ total: 2, finished: 2, sounding: 0, notSounding: [] });
    for (const a of daxu()) {
      const evs = await alertEvents(a.tid, alert.id);
      expect(evs.every((e) => e.source === 'alert' && e.commandId === `${alert.id}@1`)).toBe(true);
      const attention = evs.find((e) => e.outcome === 2 && e.phase === 'attention');
      const message = evs.find((e) => e.outcome === 2 && e.phase === 'message');
      const done = finalOf(evs);
      expect(attention, a.tid).toBeDefined();
      expect(message, a.tid).toBeDefined();
      expect(done.map((e) => e.outcome)).toEqual([3]);
      const start = attention!.startedAt ?? attention!.at!;
      expect(start).toBeGreaterThanOrEqual(raisedAt - 1000);
      // The whole sequence: attention tone, message, 2 s silence, message again.
      const total = done[0]!.endedAt! - start;
      const msgMs = tone1.durationMs;
      expect(total, `${a.tid} sounded ${total} ms`).toBeGreaterThanOrEqual(2 * msgMs + 2000 + 2500);
      expect(total).toBeLessThan(2 * msgMs + 2000 + 3000 + 4000);
      // The second message made the sequence last at least one message + interval after the first started.
      const messageStart = message!.startedAt ?? message!.at!;
      expect(done[0]!.endedAt! - messageStart).toBeGreaterThanOrEqual(2 * msgMs + 2000 - 300);
    }
    // 潭下镇 heard nothing of it.
    expect(await alertEvents(tanxia().tid, alert.id)).toEqual([]);
  });

  it('cancel silences a sounding alert on every terminal (5 alert-cancelled)', async () => {
    const alert = await raise([COUNTY], { repeat: 10, intervalSec: 5 });
    await waitCoverage(alert.id, (c) => c.sounding === 3, 'sounding on all three');
    const cancelledAt = Date.now();
    const c = await officer.call<{ alert: AlertView }>('POST', `/api/alerts/${alert.id}/cancel`, {
      reason: '险情解除',
    });
    expect(c.alert.status).toBe('cancelled');
    for (const a of agents) {
      const evs = await waitReport(a.tid, alert.id, (e) => e.outcome === 5, 'cancelled', 10_000);
      expect(finalOf(evs).map((e) => [e.outcome, e.reason])).toEqual([[5, 'alert-cancelled']]);
    }
    expect(Date.now() - cancelledAt).toBeLessThan(10_000);
    const cov = await coverage(alert.id);
    expect(cov).toMatchObject({ total: 3, sounding: 0, finished: 0 });
    expect(cov.counts.cancelled).toBe(3);
    expect(cov.notSounding.map((n) => n.reason)).toEqual([
      'alert-cancelled',
      'alert-cancelled',
      'alert-cancelled',
    ]);
  });

  it('a level-II (orange) alert preempts a level-IV (blue) one, and a blue one does not preempt an orange one', async () => {
    const tid = tanxia().tid;
    // Blue sounds; orange arrives and interrupts it.
    const blue = await raise([TANXIA], { level: 'blue', title: '大风蓝色预警', repeat: 10, intervalSec: 5 });
    await waitReport(tid, blue.id, (e) => e.outcome === 2, 'blue sounding');
    const orange = await raise([TANXIA], { level: 'orange', repeat: 1 });
    const blueEvs = await waitReport(tid, blue.id, (e) => (e.outcome ?? 0) >= 4, 'blue interrupted', 10_000);
    expect(finalOf(blueEvs).map((e) => [e.outcome, e.reason])).toEqual([[5, 'preempted']]);
    const orangeEvs = await waitReport(tid, orange.id, (e) => e.outcome === 3, 'orange played', 20_000);
    expect(finalOf(orangeEvs).map((e) => e.outcome)).toEqual([3]);
    await officer.call('POST', `/api/alerts/${blue.id}/cancel`);

    // Orange sounds; blue arrives and waits behind it: orange plays to its end.
    const orange2 = await raise([TANXIA], { level: 'orange', repeat: 2, intervalSec: 3 });
    await waitReport(tid, orange2.id, (e) => e.outcome === 2, 'orange sounding');
    const blue2 = await raise([TANXIA], { level: 'blue', title: '大风蓝色预警', repeat: 1 });
    const o2 = await waitReport(tid, orange2.id, (e) => (e.outcome ?? 0) >= 3, 'orange ended', 20_000);
    expect(finalOf(o2).map((e) => [e.outcome, e.reason ?? null])).toEqual([[3, null]]);
    // While orange sounded, blue at most waited (1); it then sounds after orange.
    const b2 = await waitReport(tid, blue2.id, (e) => e.outcome === 3, 'blue played after orange', 20_000);
    const blueStart = b2.find((e) => e.outcome === 2 && e.phase === 'attention');
    const orangeEnd = finalOf(o2)[0]!.endedAt!;
    expect(blueStart?.startedAt ?? blueStart?.at ?? 0).toBeGreaterThanOrEqual(orangeEnd - 50);
  });

  it('a drill sounds only on the terminal chosen for drills', async () => {
    const chosen = daxu()[1]!.tid;
    await centre.api.call('PUT', `/api/terminals/${chosen}/drill`, { enabled: true });
    const drill = await raise([COUNTY], { title: '防汛应急演练', level: 'red' }, '/api/drills');
    const evs = await waitReport(chosen, drill.id, (e) => e.outcome === 3, 'drill played', 25_000);
    // Attention tone (3 s), the spoken "this is a drill" notice, then the message.
    const done = finalOf(evs)[0]!;
    const start = evs.find((e) => e.outcome === 2 && e.phase === 'attention');
    expect(done.endedAt! - (start?.startedAt ?? start?.at ?? 0)).toBeGreaterThan(3000 + tone1.durationMs);
    expect(finalOf(evs).map((e) => e.outcome)).toEqual([3]);
    expect(evs.some((e) => e.outcome === 2 && e.phase === 'attention')).toBe(true);
    // Give the others time to have said anything they would say.
    await new Promise((r) => setTimeout(r, 3000));
    for (const a of agents.filter((x) => x.tid !== chosen)) {
      const theirs = await alertEvents(a.tid, drill.id);
      expect(
        theirs.filter((e) => e.outcome === 2 || e.outcome === 3),
        a.tid,
      ).toEqual([]);
      for (const e of theirs) expect([e.outcome, e.reason], a.tid).toEqual([4, 'drill-not-enabled']);
    }
    const cov = await coverage(drill.id);
    expect(cov).toMatchObject({ total: 1, finished: 1 });
  });

  it('every agent refuses replayed, expired, foreign-key and bad-signature alert commands, and nothing sounds', async () => {
    // A genuine county-wide alert, captured on the wire, lets the forgeries carry real media references.
    const n = wire.length;
    const genuine = await raise([COUNTY], { level: 'yellow', title: '高温黄色预警' });
    const captured = await eventually(
      () => wire.slice(n).find((w) => w.topic === topics.areaCmd(COUNTY)),
      10_000,
      'genuine alert on the wire',
    );
    await waitCoverage(genuine.id, (c) => c.finished === 3, 'genuine alert finished on all three');
    const original = JSON.parse(captured.payload.toString()) as Envelope;
    expect(original.kind).toBe('alert');

    const foreign = sm2GenerateKeyPair();
    const now = Date.now();
    const forgedIds: string[] = [];
    for (const a of agents) {
      const body = (id: string): AlertBody => ({
        ...(original.body as AlertBody),
        alertId: id,
        revision: 1,
        audience: { kind: 'terminal', tid: a.tid },
      });
      const foreignId = `aforeign${a.tid.slice(-6)}`;
      const expiredId = `aexpired${a.tid.slice(-6)}`;
      forgedIds.push(foreignId, expiredId);
      const foreignSigned = signEnvelope(
        {
          id: `foreign-${a.tid.slice(-8)}`,
          kind: 'alert',
          issuedAt: now,
          expiresAt: now + 60_000,
          body: body(foreignId),
        },
        { kid: sm2KeyId(foreign.publicKey), privateKey: foreign.privateKey },
      );
      const expired = signEnvelope(
        {
          id: `expired-${a.tid.slice(-8)}`,
          kind: 'alert',
          issuedAt: now - 120_000,
          expiresAt: now - 60_000,
          body: body(expiredId),
        },
        signingKey,
      );
      // Signed with the foreign key but claiming the centre's key id.
      const badSignature = signEnvelope(
        {
          id: `badsig-${a.tid.slice(-8)}`,
          kind: 'alert',
          issuedAt: now,
          expiresAt: now + 60_000,
          body: body(`abadsig0${a.tid.slice(-6)}`),
        },
        { kid: signingKey.kid, privateKey: foreign.privateKey },
      );
      forgedIds.push(`abadsig0${a.tid.slice(-6)}`);
      for (const e of [foreignSigned, expired, badSignature])
        await spy.publishAsync(topics.terminalCmd(a.tid), JSON.stringify(e), { qos: 1 });
    }
    // The genuine command, byte for byte, again.
    await spy.publishAsync(captured.topic, captured.payload, { qos: 1 });

    for (const a of agents) {
      const rejected = await eventually(
        async () => {
          const r = (await eventsOf(a.tid)).filter((e) => e.type === 'rejected');
          const ids = new Set(r.map((e) => e.commandId));
          return ids.has(`foreign-${a.tid.slice(-8)}`) &&
            ids.has(`expired-${a.tid.slice(-8)}`) &&
            ids.has(`badsig-${a.tid.slice(-8)}`) &&
            ids.has(original.id)
            ? r
            : null;
        },
        15_000,
        `${a.tid}: four rejections`,
      );
      const why = new Map(rejected.map((e) => [e.commandId, e.reason]));
      expect(why.get(`foreign-${a.tid.slice(-8)}`)).toBe('unknown-key');
      expect(why.get(`expired-${a.tid.slice(-8)}`)).toBe('expired');
      expect(why.get(`badsig-${a.tid.slice(-8)}`)).toBe('bad-signature');
      expect(why.get(original.id)).toBe('replay');
    }
    // Nothing sounded: no report on the forged alerts, and the genuine one ended once on each.
    await new Promise((r) => setTimeout(r, 1000));
    for (const a of agents) {
      const evs = await eventsOf(a.tid);
      expect(
        evs.filter((e) => forgedIds.includes(e.broadcastId ?? '')),
        a.tid,
      ).toEqual([]);
      expect(finalOf(evs.filter((e) => e.broadcastId === genuine.id)).map((e) => e.outcome)).toEqual([3]);
    }
  });

  it('an agent that was off when the alert was raised sounds it when it comes back before expiry', async () => {
    const agent = tanxia();
    await agent.proc.stop();
    await eventually(
      async () => {
        const { terminal } = await centre.api.call<{ terminal: { online: boolean } }>(
          'GET',
          `/api/terminals/${agent.tid}`,
        );
        return !terminal.online;
      },
      15_000,
      'terminal offline',
    );
    const alert = await raise([TANXIA], { level: 'red', title: '山洪红色预警' });
    const cov = await coverage(alert.id);
    expect(cov.counts.offline).toBe(1);
    // The centre refreshes targets ~2 s after the alert; come back after that.
    await new Promise((r) => setTimeout(r, 3000));
    agent.proc = startTsProcess('edge-agent/src/main.ts', ['--config', agent.configFile], {});
    await waitOnline(centre, [agent.tid]);
    const evs = await waitReport(
      agent.tid,
      alert.id,
      (e) => e.outcome === 3,
      'sounded after restart',
      30_000,
    );
    expect(evs.some((e) => e.outcome === 2 && e.phase === 'attention')).toBe(true);
    expect(finalOf(evs).map((e) => e.outcome)).toEqual([3]);
    await waitCoverage(alert.id, (c) => c.finished === 1, 'coverage finished');
  });
});

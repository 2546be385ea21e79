import path from 'node:path';
import { type Envelope, MemoryReplayGuard, topics, verifyEnvelope } from '@dlb/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Centre } from '../server/src/centre.ts';
import { ApiClient, ApiError } from './helpers/api-client.ts';
import { makeTone } from './helpers/audio.ts';
import { tempDir } from './helpers/fleet.ts';
import { loggedInStaff, registerTerminals, startInProcessCentre } from './helpers/in-process-centre.ts';

const PW = 'alert-officer-pw-01';
const COUNTY = '450323';
const A = '450323101';
const B = '450323104';

async function refusal(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('emergency alerts through the API: scope, confirmation, drills, publication, coverage', () => {
  const tmp = tempDir('dlb-alert-api-');
  let centre: Centre;
  const as: Record<string, ApiClient> = {};
  let sha = '';
  const terminals: Record<string, string[]> = { [A]: [], [B]: [] };
  const heard: Array<{ topic: string; envelope: Envelope }> = [];
  type TargetSeen = { alerts?: Array<{ alertId: string; audience: unknown }>; attention?: unknown };
  const targets = new Map<string, TargetSeen>();

  beforeAll(async () => {
    ({ centre } = await startInProcessCentre(tmp.dir, { emergency: { confirmCountyWide: ['red'] } }));
    Object.assign(
      as,
      await loggedInStaff(
        centre,
        [
          ['officer', 'emergency_officer', null],
          ['officer2', 'emergency_officer', null],
          ['townofficer', 'emergency_officer', A],
          ['operator', 'county_operator', null],
        ],
        PW,
      ),
    );
    const wav = path.join(tmp.dir, 'alert.wav');
    makeTone(wav, 2);
    sha = (await as.officer!.upload(wav)).media.sha256;
    Object.assign(terminals, registerTerminals(centre, [A, B], 2));
    await centre.services.broker.subscribe('dlb/v1/#', (topic, payload) => {
      if (topic.endsWith('/target')) targets.set(topic, JSON.parse(payload.toString()).body);
      if (!topic.endsWith('/cmd')) return;
      heard.push({ topic, envelope: JSON.parse(payload.toString()) as Envelope });
    });
  }, 60_000);
  afterAll(async () => {
    await centre?.stop();
    await tmp.cleanup();
  });

  const body = (codes: string[], over: Record<string, unknown> = {}) => ({
    level: 'orange',
    eventCode: '11B03',
    issuer: '灵川县应急管理局',
    area: { codes },
    expiresAt: Date.now() + 3600_000,
    title: '暴雨橙色预警',
    text: '灵川县气象台发布暴雨橙色预警，请注意防范。',
    mediaSha256: sha,
    repeat: 2,
    intervalSec: 5,
    ...over,
  });
  type AlertOut = { alert: { id: string; status: string; revision: number; state: string } };
  const since = (n: number) => heard.slice(n);
  const settle = () => new Promise((r) => setTimeout(r, 100));
  const verify = (e: Envelope) =>
    verifyEnvelope(e, {
      keys: new Map([[centre.keys.kid, centre.keys.publicKey]]),
      now: Date.now(),
      replay: new MemoryReplayGuard(),
    });

  it('publishes one signed alert per outermost area, at once, with the attention tone and forced volume', async () => {
    const n = heard.length;
    const { alert } = await as.officer!.call<AlertOut>('POST', '/api/alerts', body([A, `${A}200`]));
    expect(alert.status).toBe('active');
    await settle();
    const cmds = since(n);
    expect(cmds.map((c) => c.topic)).toEqual([topics.areaCmd(A)]);
    const v = verify(cmds[0]!.envelope);
    expect(v.ok).toBe(true);
    const b = cmds[0]!.envelope.body as Record<string, unknown>;
    expect(b).toMatchObject({
      alertId: alert.id,
      revision: 1,
      level: 'orange',
      priority: 240,
      drill: false,
      volume: 100,
      repeat: 2,
      intervalMs: 5000,
    });
    expect((b.attention as { sha256: string }).sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(centre.services.mediaRecords.get((b.attention as { sha256: string }).sha256)).not.toBeNull();
    const detail = await as.operator!.call<{
      coverage: { total: number; sounding: number; counts: Record<string, number> };
    }>('GET', `/api/alerts/${alert.id}`);
    expect(detail.coverage.total).toBe(2);
    expect(detail.coverage.counts.offline).toBe(2);
  });

  it('tracks each terminal’s reports per revision, ignoring strangers and stale revisions', async () => {
    const { alert } = await as.officer!.call<AlertOut>('POST', '/api/alerts', body([A]));
    const [t1, t2] = terminals[A]!;
    const report = (tid: string, events: Array<Record<string, unknown>>, seq0: number) =>
      centre.services.events.ingestEvents(
        tid,
        Buffer.from(
          JSON.stringify({
            outbox: `ob${tid.slice(-8)}x`,
            events: events.map((e, i) => ({
              type: 'outcome',
              seq: seq0 + i,
              at: Date.now(),
              commandId: `${alert.id}@1`,
              broadcastId: alert.id,
              source: 'alert',
              ...e,
            })),
          }),
        ),
      );
    report(t1!, [{ outcome: 1 }, { outcome: 2, phase: 'attention', startedAt: Date.now() }], 1);
    report(
      t2!,
      [{ outcome: 1 }, { outcome: 2, phase: 'attention' }, { outcome: 2, phase: 'message' }, { outcome: 3 }],
      1,
    );
    // A terminal of another township reporting on this alert changes nothing.
    report(terminals[B]![0]!, [{ outcome: 3 }], 1);
    const get = () =>
      as.officer!.call<{ coverage: { total: number; sounding: number; finished: number } }>(
        'GET',
        `/api/alerts/${alert.id}`,
      );
    expect((await get()).coverage).toMatchObject({ total: 2, sounding: 1, finished: 1 });
    const rows = centre.services.alertStore.targets(alert.id);
    expect(rows.find((r) => r.terminalId === t1)!.attentionAt).not.toBeNull();
    // An update is revision 2: revision 1's reports no longer count as sounding it.
    const n = heard.length;
    const up = await as.officer!.call<AlertOut>(
      'PUT',
      `/api/alerts/${alert.id}`,
      body([A], { level: 'red', title: '暴雨红色预警' }),
    );
    expect(up.alert.revision).toBe(2);
    await settle();
    expect((since(n)[0]!.envelope.body as { revision: number; priority: number }).priority).toBe(250);
    expect((await get()).coverage).toMatchObject({ sounding: 0, finished: 0 });
  });

  it('cancels everywhere with a signed cancel, once', async () => {
    const { alert } = await as.officer!.call<AlertOut>('POST', '/api/alerts', body([B]));
    const n = heard.length;
    const c = await as.officer!.call<AlertOut>('POST', `/api/alerts/${alert.id}/cancel`, {
      reason: '险情解除',
    });
    expect(c.alert.status).toBe('cancelled');
    await settle();
    expect(since(n).map((h) => [h.topic, h.envelope.kind])).toEqual([[topics.areaCmd(B), 'alert-cancel']]);
    expect((await refusal(as.officer!.call('POST', `/api/alerts/${alert.id}/cancel`))).status).toBe(409);
  });

  it('keeps a township officer inside its township, answering other places like unknown ones', async () => {
    const own = await as.townofficer!.call<AlertOut>('POST', '/api/alerts', body([A]));
    expect(own.alert.status).toBe('active');
    for (const codes of [[B], [COUNTY], [A, B]]) {
      const r = await refusal(as.townofficer!.call('POST', '/api/alerts', body(codes)));
      expect([r.status, r.body?.error?.code]).toEqual([404, 'unknown_area']);
    }
    const other = await refusal(
      as.townofficer!.call('POST', '/api/alerts', { ...body([]), area: { terminalIds: [terminals[B]![0]] } }),
    );
    expect(other.status).toBe(404);
    const county = await as.officer!.call<AlertOut>('POST', '/api/alerts', body([B]));
    expect((await refusal(as.townofficer!.call('GET', `/api/alerts/${county.alert.id}`))).status).toBe(404);
    expect(
      (await refusal(as.townofficer!.call('POST', `/api/alerts/${county.alert.id}/cancel`))).status,
    ).toBe(404);
    expect((await refusal(as.operator!.call('POST', '/api/alerts', body([A])))).status).toBe(403);
  });

  it('holds a county-wide red alert for a second officer when configured, and never lets one confirm their own', async () => {
    const n = heard.length;
    const { alert } = await as.officer!.call<AlertOut>(
      'POST',
      '/api/alerts',
      body([COUNTY], { level: 'red' }),
    );
    expect(alert.status).toBe('pending');
    await settle();
    expect(since(n)).toEqual([]);
    expect((await refusal(as.officer!.call('POST', `/api/alerts/${alert.id}/confirm`))).status).toBe(403);
    const ok = await as.officer2!.call<AlertOut>('POST', `/api/alerts/${alert.id}/confirm`);
    expect(ok.alert.status).toBe('active');
    await settle();
    expect(since(n).map((h) => h.topic)).toEqual([topics.areaCmd(COUNTY)]);
    // A township red alert is not held.
    const town = await as.officer!.call<AlertOut>('POST', '/api/alerts', body([A], { level: 'red' }));
    expect(town.alert.status).toBe('active');
  });

  it('sends a drill only to terminals chosen for drills, on their own topics, with the drill notice', async () => {
    const none = await refusal(as.officer!.call('POST', '/api/drills', body([COUNTY])));
    expect([none.status, none.body?.error?.code]).toEqual([422, 'no_terminals']);
    const chosen = terminals[A]![1]!;
    const admin = new ApiClient(centre.httpUrl);
    await admin.login('admin', 'test-admin-password-0001');
    await admin.call('PUT', `/api/terminals/${chosen}/drill`, { enabled: true });
    const n = heard.length;
    const { alert } = await as.officer!.call<AlertOut & { alert: { levelLabel: string } }>(
      'POST',
      '/api/drills',
      body([COUNTY]),
    );
    expect(alert.levelLabel).toContain('演练');
    await settle();
    const cmds = since(n);
    expect(cmds.map((c) => c.topic)).toEqual([topics.terminalCmd(chosen)]);
    const b = cmds[0]!.envelope.body as { drill: boolean; drillNotice?: { sha256: string } };
    expect(b.drill).toBe(true);
    expect(b.drillNotice?.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('puts alerts in force into the targets of the terminals they cover, for terminals that come back later', async () => {
    const { alert } = await as.officer!.call<AlertOut>('POST', '/api/alerts', body([B], { level: 'yellow' }));
    await centre.services.targets.refresh({ kind: 'all' });
    const targetOf = async (tid: string) => targets.get(topics.terminalTarget(tid))!;
    const inB = await targetOf(terminals[B]![0]!);
    expect(inB.attention).toBeDefined();
    const mine = inB.alerts?.find((a) => a.alertId === alert.id);
    expect(mine?.audience).toEqual({ kind: 'terminal', tid: terminals[B]![0] });
    const inA = await targetOf(terminals[A]![0]!);
    expect(inA.alerts?.some((a) => a.alertId === alert.id) ?? false).toBe(false);
  });

  it('speaks a text-only alert with the offline engine', async () => {
    const { mediaSha256: _omit, ...textOnly } = body([A], {
      text: '灵川县防汛抗旱指挥部提醒：河水上涨，请沿河群众立即转移。',
    });
    const { alert } = await as.officer!.call<AlertOut & { alert: { mediaSha256: string } }>(
      'POST',
      '/api/alerts',
      textOnly,
    );
    const m = centre.services.mediaRecords.get(alert.mediaSha256)!;
    // Title and text, about 40 characters: several seconds of speech, never an empty file.
    expect(m.durationMs).toBeGreaterThan(5000);
    expect(m.bytes).toBeGreaterThan(10_000);
    // The speech says the title too: a new title is spoken again; a new level alone keeps the speech.
    const put = (over: Record<string, unknown>) =>
      as.officer!.call<{ alert: { mediaSha256: string } }>('PUT', `/api/alerts/${alert.id}`, {
        ...textOnly,
        ...over,
      });
    const retitled = (await put({ title: '暴雨红色预警' })).alert.mediaSha256;
    expect(retitled).not.toBe(alert.mediaSha256);
    expect((await put({ title: '暴雨红色预警', level: 'red' })).alert.mediaSha256).toBe(retitled);
  }, 60_000);

  it('refuses bad alerts with clear errors and records the real ones in the audit trail', async () => {
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [body([A], { expiresAt: Date.now() - 1000 }), 422, 'alert_expired'],
      [body([A], { expiresAt: Date.now() + 100 * 3600_000 }), 422, 'alert_too_long'],
      [{ ...body([A]), area: { codes: [] } }, 400, 'invalid_request'],
      [body([A], { mediaSha256: 'f'.repeat(64) }), 404, 'unknown_media'],
      [body([A], { level: 'purple' }), 400, 'invalid_request'],
      [body([A], { extra: true }), 400, 'invalid_request'],
      [body(['999999']), 404, 'unknown_area'],
    ];
    for (const [b, status, code] of cases) {
      const r = await refusal(as.officer!.call('POST', '/api/alerts', b));
      expect([r.status, r.body?.error?.code], JSON.stringify(b).slice(0, 80)).toEqual([status, code]);
    }
    const actions = centre.db
      .prepare(`SELECT action, outcome FROM audit_log WHERE action LIKE 'alert.%'`)
      .all() as Array<{ action: string; outcome: string }>;
    expect(actions.filter((a) => a.action === 'alert.raise' && a.outcome === 'ok').length).toBeGreaterThan(3);
    expect(actions.some((a) => a.action === 'alert.cancel')).toBe(true);
    expect(actions.some((a) => a.action === 'alert.confirm')).toBe(true);
    expect(actions.some((a) => a.action === 'alert.drill')).toBe(true);
  });
});

import path from 'node:path';
import { type Envelope, topics } from '@dlb/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Centre } from '../server/src/centre.ts';
import { type ApiClient, ApiError } from './helpers/api-client.ts';
import { makeTone } from './helpers/audio.ts';
import { tempDir } from './helpers/fleet.ts';
import { loggedInStaff, registerTerminals, startInProcessCentre } from './helpers/in-process-centre.ts';

const PW = 'group-officer-pw-01';
const COUNTY = '450323';
const A = '450323101';
const B = '450323104';

async function refusal(p: Promise<unknown>): Promise<[number, string | undefined]> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiError) return [e.status, e.body?.error?.code];
    throw e;
  }
  throw new Error('expected a refusal');
}

type Group = { id: string; name: string; scopeCode: string; terminalIds: string[] };
type GroupOut = { group: Group };
type AlertOut = { alert: { id: string; status: string; area: { groups: string[]; terminalIds: string[] } } };

describe('named terminal groups: managed within scope, and alerts that target them', () => {
  const tmp = tempDir('dlb-groups-');
  let centre: Centre;
  const as: Record<string, ApiClient> = {};
  let sha = '';
  const t: Record<string, string[]> = { [A]: [], [B]: [] };
  const heard: Array<{ topic: string; envelope: Envelope }> = [];

  beforeAll(async () => {
    ({ centre } = await startInProcessCentre(tmp.dir));
    Object.assign(
      as,
      await loggedInStaff(
        centre,
        [
          ['gadmin', 'county_admin', null],
          ['officer', 'emergency_officer', null],
          ['townofficer', 'emergency_officer', A],
          ['operator', 'county_operator', null],
          ['townop', 'township_operator', A],
        ],
        PW,
      ),
    );
    const wav = path.join(tmp.dir, 'alert.wav');
    makeTone(wav, 2);
    sha = (await as.officer!.upload(wav)).media.sha256;
    Object.assign(t, registerTerminals(centre, [A, B], 3));
    await centre.services.broker.subscribe('dlb/v1/#', (topic, payload) => {
      if (topic.endsWith('/cmd')) heard.push({ topic, envelope: JSON.parse(payload.toString()) as Envelope });
    });
  }, 60_000);
  afterAll(async () => {
    await centre?.stop();
    await tmp.cleanup();
  });

  const group = (name: string, scopeCode: string, terminalIds: string[]) => ({
    name,
    scopeCode,
    terminalIds,
  });
  const alertBody = (area: Record<string, unknown>) => ({
    level: 'orange',
    eventCode: '11B21',
    issuer: '灵川县防汛抗旱指挥部',
    area,
    expiresAt: Date.now() + 3600_000,
    title: '山洪转移通知',
    text: '沿河各村群众请立即向高处转移。',
    mediaSha256: sha,
    repeat: 1,
    intervalSec: 0,
  });
  const settle = () => new Promise((r) => setTimeout(r, 100));

  it('creates, lists, renames and deletes a group; each reader sees only groups in their scope', async () => {
    const riverside = group('沿河村', COUNTY, [t[A]![0]!, t[B]![0]!]);
    const { group: g } = await as.officer!.call<GroupOut>('POST', '/api/terminal-groups', riverside);
    expect(g).toMatchObject({ name: '沿河村', scopeCode: COUNTY });
    expect(g.terminalIds).toEqual([t[A]![0], t[B]![0]].sort());
    const own = await as.townofficer!.call<GroupOut>('POST', '/api/terminal-groups', group('学校', A, t[A]!));
    expect(own.group.terminalIds).toHaveLength(3);

    const ids = (r: { groups: Group[] }) => r.groups.map((x) => x.id).sort();
    expect(ids(await as.operator!.call('GET', '/api/terminal-groups'))).toEqual([g.id, own.group.id].sort());
    // A township reader sees its own township's groups, not the county's (which lists other townships' speakers).
    expect(ids(await as.townop!.call('GET', '/api/terminal-groups'))).toEqual([own.group.id]);
    expect(await refusal(as.townop!.call('GET', `/api/terminal-groups/${g.id}`))).toEqual([
      404,
      'unknown_group',
    ]);

    const renamed = await as.officer!.call<GroupOut>('PUT', `/api/terminal-groups/${g.id}`, {
      ...riverside,
      name: '沿河低洼村',
      terminalIds: [t[A]![0]!, t[A]![1]!, t[B]![0]!],
    });
    expect(renamed.group).toMatchObject({ name: '沿河低洼村' });
    expect(renamed.group.terminalIds).toHaveLength(3);
    const audit = centre.services.db
      .prepare(`SELECT action, target FROM audit_log WHERE action LIKE 'group.%' ORDER BY seq`)
      .all() as Array<{ action: string; target: string }>;
    expect(audit.map((r) => r.action)).toEqual(['group.create', 'group.create', 'group.update']);
    expect(audit[0]!.target).toBe(`group:${g.id}`);

    await as.townofficer!.call('DELETE', `/api/terminal-groups/${own.group.id}`);
    expect(await refusal(as.townofficer!.call('GET', `/api/terminal-groups/${own.group.id}`))).toEqual([
      404,
      'unknown_group',
    ]);
    await as.officer!.call('DELETE', `/api/terminal-groups/${g.id}`);
  });

  it('refuses bad groups with a clear reason and changes nothing', async () => {
    const before = centre.services.db.prepare('SELECT COUNT(*) AS n FROM terminal_groups').get();
    const post = (who: string, b: unknown) => refusal(as[who]!.call('POST', '/api/terminal-groups', b));
    // A township officer cannot put another township's speaker in a group, nor hold a group elsewhere.
    expect(await post('townofficer', group('跨乡', A, [t[A]![0]!, t[B]![0]!]))).toEqual([
      422,
      'group_member_outside',
    ]);
    expect(await post('townofficer', group('别乡', B, [t[B]![0]!]))).toEqual([404, 'unknown_area']);
    expect(await post('townofficer', group('全县', COUNTY, [t[A]![0]!]))).toEqual([404, 'unknown_area']);
    expect(await post('officer', group('不存在', COUNTY, [`${t[A]![0]!.slice(0, -6)}999900`]))).toEqual([
      422,
      'group_member_outside',
    ]);
    const village = centre.services.areas.list().find((a) => a.parentCode === A)!.code;
    expect(await post('officer', group('一个村', village, [t[A]![0]!]))).toEqual([422, 'group_scope_level']);
    expect((await post('officer', group('', COUNTY, [t[A]![0]!])))[0]).toBe(400);
    expect((await post('officer', group('空组', COUNTY, [])))[0]).toBe(400);
    expect((await post('officer', { ...group('多字段', COUNTY, [t[A]![0]!]), extra: 1 }))[0]).toBe(400);
    // Staff without group.manage: the operator (broadcasts) and the township operator.
    expect(await post('operator', group('编播', COUNTY, [t[A]![0]!]))).toEqual([403, 'forbidden']);
    expect(await post('townop', group('编播', A, [t[A]![0]!]))).toEqual([403, 'forbidden']);
    expect(await refusal(as.officer!.call('GET', '/api/terminal-groups/nonsense'))).toEqual([
      400,
      'invalid_request',
    ]);

    const { group: g } = await as.officer!.call<GroupOut>(
      'POST',
      '/api/terminal-groups',
      group('重名', COUNTY, t[A]!),
    );
    expect(await post('officer', group('重名', COUNTY, t[B]!))).toEqual([409, 'group_name_taken']);
    expect(
      await refusal(as.officer!.call('PUT', `/api/terminal-groups/${g.id}`, group('重名', A, t[A]!))),
    ).toEqual([422, 'group_scope_fixed']);
    await as.officer!.call('DELETE', `/api/terminal-groups/${g.id}`);
    expect(centre.services.db.prepare('SELECT COUNT(*) AS n FROM terminal_groups').get()).toEqual(before);
  });

  it('an alert to a group sounds on exactly its members, and keeps them when the group changes', async () => {
    const { group: g } = await as.officer!.call<GroupOut>(
      'POST',
      '/api/terminal-groups',
      group('山洪危险区', COUNTY, [t[A]![2]!, t[B]![2]!]),
    );
    const n = heard.length;
    const { alert } = await as.officer!.call<AlertOut>('POST', '/api/alerts', alertBody({ groups: [g.id] }));
    expect(alert.status).toBe('active');
    expect(alert.area.groups).toEqual([g.id]);
    expect([...alert.area.terminalIds].sort()).toEqual([t[A]![2], t[B]![2]].sort());
    await settle();
    const sent = heard.slice(n);
    expect(sent.map((c) => c.topic).sort()).toEqual(
      [topics.terminalCmd(t[A]![2]!), topics.terminalCmd(t[B]![2]!)].sort(),
    );
    expect(sent.every((c) => c.envelope.kind === 'alert')).toBe(true);

    // The group changes afterwards: the alert still covers whom it reached.
    await as.officer!.call('PUT', `/api/terminal-groups/${g.id}`, group('山洪危险区', COUNTY, [t[A]![1]!]));
    const detail = await as.officer!.call<AlertOut & { coverage: { total: number } }>(
      'GET',
      `/api/alerts/${alert.id}`,
    );
    expect(detail.coverage.total).toBe(2);
    await as.officer!.call('POST', `/api/alerts/${alert.id}/cancel`, { reason: '测试结束' });
  });

  it('an officer cannot reach past their scope through a group, and a drill to a group sounds only drill terminals', async () => {
    const { group: county } = await as.officer!.call<GroupOut>(
      'POST',
      '/api/terminal-groups',
      group('全县学校', COUNTY, [t[A]![0]!, t[B]![0]!]),
    );
    expect(
      await refusal(as.townofficer!.call('POST', '/api/alerts', alertBody({ groups: [county.id] }))),
    ).toEqual([404, 'unknown_group']);
    expect(
      await refusal(as.officer!.call('POST', '/api/alerts', alertBody({ groups: ['g0123456789abcdef'] }))),
    ).toEqual([404, 'unknown_group']);

    await as.gadmin!.call('PUT', `/api/terminals/${t[B]![0]}/drill`, { enabled: true });
    const n = heard.length;
    const { alert } = await as.officer!.call<AlertOut>(
      'POST',
      '/api/drills',
      alertBody({ groups: [county.id] }),
    );
    await settle();
    expect(heard.slice(n).map((c) => c.topic)).toEqual([topics.terminalCmd(t[B]![0]!)]);
    await as.officer!.call('POST', `/api/alerts/${alert.id}/cancel`, { reason: '演练结束' });
  });
});

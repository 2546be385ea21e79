import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Centre } from '../server/src/centre.ts';
import { ApiClient, ApiError } from './helpers/api-client.ts';
import { makeTone } from './helpers/audio.ts';
import { tempDir } from './helpers/fleet.ts';
import { startInProcessCentre } from './helpers/in-process-centre.ts';

const NOW = Date.parse('2026-11-24T08:00:00+08:00');
const A = '450323101';
const B = '450323104';
const PW = 'gate-password-00001';

async function refusal(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('content reaches speakers only after review, and a township stays inside its own township', () => {
  const tmp = tempDir('dlb-gate-');
  let centre: Centre;
  const as: Record<string, ApiClient> = {};
  let sha = '';
  const terminals: Record<string, string> = {};

  beforeAll(async () => {
    ({ centre } = await startInProcessCentre(tmp.dir, {}, { now: () => NOW }));
    const users: Array<[string, string, string | null]> = [
      ['op', 'county_operator', null],
      ['rev', 'county_reviewer', null],
      ['top', 'township_operator', A],
      ['trev', 'township_reviewer', A],
    ];
    for (const [username, role, scopeCode] of users) {
      await centre.services.users.create({
        username,
        displayName: username,
        password: PW,
        roles: [{ role: role as 'county_operator', scopeCode }],
      });
      as[username] = new ApiClient(centre.httpUrl);
      await as[username]!.login(username, PW);
    }
    const wav = path.join(tmp.dir, 'notice.wav');
    makeTone(wav, 2);
    sha = (await as.top!.upload(wav)).media.sha256;
    const areas = centre.services.areas.list();
    for (const t of [A, B]) {
      const village = areas.find((a) => a.parentCode === t)!.code;
      terminals[t] = centre.services.terminals.register({ villageCode: village }).terminal.id;
    }
  }, 60_000);
  afterAll(async () => {
    await centre?.stop();
    await tmp.cleanup();
  });

  const broadcastCount = () =>
    (centre.db.prepare('SELECT COUNT(*) AS n FROM broadcasts').get() as { n: number }).n;

  it('refuses self-approval, and an edited approved item cannot be broadcast until re-approved', async () => {
    const { item } = await as.top!.call<{ item: { id: string } }>('POST', '/api/content', {
      title: '大圩镇停水通知',
      scopeCode: A,
      mediaSha256: sha,
    });
    const send = () =>
      as.top!.call<{ broadcast: { id: string; priority: number } }>('POST', '/api/broadcasts', {
        contentId: item.id,
        target: { kind: 'area', code: A },
      });
    expect((await refusal(send())).body?.error?.code).toBe('content_not_approved');
    await as.top!.call('POST', `/api/content/${item.id}/submit`);
    // The author cannot approve, even holding a reviewer role as well.
    await centre.services.users.create({
      username: 'both',
      displayName: '身兼两职',
      password: PW,
      roles: [
        { role: 'township_operator', scopeCode: A },
        { role: 'township_reviewer', scopeCode: A },
      ],
    });
    const both = new ApiClient(centre.httpUrl);
    await both.login('both', PW);
    const { item: own } = await both.call<{ item: { id: string } }>('POST', '/api/content', {
      title: '自己写自己批',
      scopeCode: A,
      mediaSha256: sha,
    });
    await both.call('POST', `/api/content/${own.id}/submit`);
    expect((await refusal(both.call('POST', `/api/content/${own.id}/approve`))).status).toBe(403);

    await as.trev!.call('POST', `/api/content/${item.id}/approve`);
    const first = await send();
    expect(first.broadcast.priority).toBe(120);
    // Edited after approval: back to draft, and the gate closes again.
    await as.top!.call('PUT', `/api/content/${item.id}`, { title: '大圩镇停水通知（改）' });
    const before = broadcastCount();
    expect((await refusal(send())).body?.error?.code).toBe('content_not_approved');
    expect(broadcastCount()).toBe(before);
    await as.top!.call('POST', `/api/content/${item.id}/submit`);
    await as.trev!.call('POST', `/api/content/${item.id}/approve`);
    await send();
    expect(broadcastCount()).toBe(before + 1);
  });

  it('stops a scheduled item sounding when its content is edited, until it is approved again', async () => {
    const { item } = await as.op!.call<{ item: { id: string } }>('POST', '/api/content', {
      title: '县级政策解读',
      scopeCode: '450323',
      mediaSha256: sha,
    });
    await as.op!.call('POST', `/api/content/${item.id}/submit`);
    await as.rev!.call('POST', `/api/content/${item.id}/approve`);
    await as.op!.call('POST', '/api/programmes', {
      date: '2026-11-24',
      slotId: 'evening',
      scopeCode: '450323',
      title: '晚间节目',
      items: [{ contentId: item.id }],
    });
    const entries = async () => {
      await centre.services.targets.whenIdle();
      await centre.services.targets.refresh({ kind: 'terminal', tid: terminals[A]! });
      const row = centre.db
        .prepare('SELECT entries FROM terminal_targets WHERE terminal_id = ?')
        .get(terminals[A]) as { entries: number };
      return row.entries;
    };
    expect(await entries()).toBe(1);
    await as.op!.call('PUT', `/api/content/${item.id}`, { title: '县级政策解读（修订）' });
    expect(await entries()).toBe(0);
    const { conflicts } = await as.op!.call<{ conflicts: Array<{ code: string }> }>('GET', '/api/schedule');
    expect(conflicts.map((c) => c.code)).toContain('content_not_approved');
    await as.op!.call('POST', `/api/content/${item.id}/submit`);
    await as.rev!.call('POST', `/api/content/${item.id}/approve`);
    expect(await entries()).toBe(1);
  });

  it('a refused programme or broadcast leaves the item approved, not released', async () => {
    const approved = async (title: string) => {
      const { item } = await as.op!.call<{ item: { id: string } }>('POST', '/api/content', {
        title,
        scopeCode: '450323',
        mediaSha256: sha,
      });
      await as.op!.call('POST', `/api/content/${item.id}/submit`);
      await as.rev!.call('POST', `/api/content/${item.id}/approve`);
      return item.id;
    };
    const stateOf = (id: string) =>
      (centre.db.prepare('SELECT state FROM content_items WHERE id = ?').get(id) as { state: string }).state;
    const programme = (contentId: string) => ({
      date: '2026-11-26',
      slotId: 'noon',
      scopeCode: '450323',
      title: '午间节目',
      items: [{ contentId }],
    });
    const first = await approved('午间第一条');
    await as.op!.call('POST', '/api/programmes', programme(first));
    expect(stateOf(first)).toBe('released');
    const second = await approved('午间第二条');
    expect((await refusal(as.op!.call('POST', '/api/programmes', programme(second)))).status).toBe(409);
    expect(stateOf(second)).toBe('approved');
    // A broadcast refused after the release gate (a township without terminals) also leaves it approved.
    const empty = centre.services.areas
      .list()
      .find((x) => x.level === 'township' && x.code !== A && x.code !== B)!;
    const before = broadcastCount();
    const refused = await refusal(
      as.op!.call('POST', '/api/broadcasts', {
        contentId: second,
        target: { kind: 'area', code: empty.code },
      }),
    );
    expect(refused.body?.error?.code).toBe('no_terminals');
    expect([broadcastCount(), stateOf(second)]).toEqual([before, 'approved']);
  });

  it('keeps a township operator out of another township by every route, even with guessed ids', async () => {
    const { item } = await as.top!.call<{ item: { id: string } }>('POST', '/api/content', {
      title: '本镇通知',
      scopeCode: A,
      mediaSha256: sha,
    });
    await as.top!.call('POST', `/api/content/${item.id}/submit`);
    await as.trev!.call('POST', `/api/content/${item.id}/approve`);
    const other = terminals[B]!;
    const missing = `${other.slice(0, -6)}999900`;
    const before = broadcastCount();
    // Another township's terminal answers exactly like one that does not exist.
    const real = await refusal(as.top!.call('GET', `/api/terminals/${other}`));
    const fake = await refusal(as.top!.call('GET', `/api/terminals/${missing}`));
    expect([real.status, fake.status]).toEqual([404, 404]);
    expect(real.body?.error?.message?.replace(other, 'X')).toBe(
      fake.body?.error?.message?.replace(missing, 'X'),
    );
    const { terminals: listed } = await as.top!.call<{ terminals: Array<{ id: string }> }>(
      'GET',
      '/api/terminals',
    );
    expect(listed.map((t) => t.id)).toEqual([terminals[A]]);
    const attempts: Array<[string, string, unknown]> = [
      ['POST', '/api/broadcasts', { contentId: item.id, target: { kind: 'terminal', tid: other } }],
      [
        'POST',
        '/api/broadcasts',
        { contentId: item.id, target: { kind: 'terminals', tids: [terminals[A], other] } },
      ],
      ['POST', '/api/broadcasts', { contentId: item.id, target: { kind: 'area', code: B } }],
      ['POST', '/api/broadcasts', { contentId: item.id, target: { kind: 'county' } }],
      ['POST', `/api/terminals/${other}/volume`, { volume: 10 }],
      ['GET', `/api/terminals/${other}/events`, undefined],
      ['GET', `/api/terminals/${other}/schedule`, undefined],
      ['GET', `/api/schedule/terminals?area=${B}`, undefined],
      [
        'POST',
        '/api/programmes',
        { date: '2026-11-25', slotId: 'evening', scopeCode: B, title: 'x', items: [{ contentId: item.id }] },
      ],
      [
        'POST',
        '/api/programmes',
        {
          date: '2026-11-25',
          slotId: 'evening',
          scopeCode: '450323',
          title: 'x',
          items: [{ contentId: item.id }],
        },
      ],
      [
        'POST',
        '/api/recurring-items',
        { slotId: 'morning', scopeCode: B, contentId: item.id, fromDate: '2026-11-26' },
      ],
      ['POST', '/api/content', { title: '越界', scopeCode: B, mediaSha256: sha }],
    ];
    for (const [method, p, body] of attempts) {
      const e = await refusal(as.top!.call(method, p, body));
      expect([403, 404], `${method} ${p} ${JSON.stringify(body)}`).toContain(e.status);
    }
    expect(broadcastCount()).toBe(before);
    // The county's own operator may do what the township may not.
    await as.op!.call('POST', '/api/broadcasts', { contentId: item.id, target: { kind: 'area', code: A } });
    // A township item stays in its township even in county hands.
    const e = await refusal(
      as.op!.call('POST', '/api/broadcasts', { contentId: item.id, target: { kind: 'area', code: B } }),
    );
    expect(e.body?.error?.code).toBe('content_out_of_scope');
    // Every refusal above was written to the audit trail as denied.
    const denied = centre.db
      .prepare("SELECT COUNT(*) AS n FROM audit_log WHERE outcome = 'denied' AND actor_name = 'top'")
      .get() as { n: number };
    expect(denied.n).toBeGreaterThanOrEqual(4);
  });
});

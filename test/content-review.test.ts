import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Actor, type Grant } from '../server/src/auth/actor.ts';
import type { Centre } from '../server/src/centre.ts';
import type { ContentItem } from '../server/src/content/content-service.ts';
import { AppError } from '../server/src/errors.ts';
import { ApiClient, ApiError } from './helpers/api-client.ts';
import { makeTone } from './helpers/audio.ts';
import { tempDir } from './helpers/fleet.ts';
import { startInProcessCentre } from './helpers/in-process-centre.ts';

const PASSWORD = 'password-for-tests-1';
type Item = ContentItem;
type History = Array<{
  action: string;
  toState: string;
  reason: string | null;
  user: { name: string } | null;
}>;

async function refused(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected the API to refuse');
}

function appRefusal(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('content items through the four gates', () => {
  const tmp = tempDir('dlb-content-');
  let centre: Centre;
  let admin: ApiClient;
  let county: string;
  let t1: string;
  let t2: string;
  let village1: string;
  let village2: string;
  let tone: string;
  let blip: string;
  const users: Record<string, { api: ApiClient; id: number; actor: () => Actor }> = {};
  const usable: string[] = [];

  async function addUser(username: string, displayName: string, roles: Grant[]) {
    const u = await centre.services.users.create({ username, displayName, password: PASSWORD, roles });
    const api = new ApiClient(centre.httpUrl);
    await api.login(username, PASSWORD);
    users[username] = {
      api,
      id: u.id,
      actor: () => new Actor(centre.services.users.byId(u.id)!, centre.services.areas),
    };
  }
  const as = (name: string) => users[name]!.api;
  const create = async (api: ApiClient, body: Record<string, unknown>) =>
    (await api.call<{ item: Item }>('POST', '/api/content', body)).item;
  const act = async (api: ApiClient, id: string, what: string, body?: unknown) =>
    (await api.call<{ item: Item }>('POST', `/api/content/${id}/${what}`, body)).item;
  const adminActor = () => new Actor(centre.services.users.byId(1)!, centre.services.areas);

  beforeAll(async () => {
    ({ centre, api: admin } = await startInProcessCentre(tmp.dir));
    centre.services.content.onUsableChange((id) => usable.push(id));
    const { areas } = await admin.call<{ areas: Array<{ code: string; level: string; parentCode: string }> }>(
      'GET',
      '/api/areas',
    );
    county = areas.find((a) => a.level === 'county')!.code;
    [t1, t2] = areas.filter((a) => a.level === 'township').map((a) => a.code) as [string, string];
    village1 = areas.find((a) => a.parentCode === t1)!.code;
    village2 = areas.find((a) => a.parentCode === t2)!.code;
    const a = path.join(tmp.dir, 'a.wav');
    const b = path.join(tmp.dir, 'b.wav');
    makeTone(a, 3);
    makeTone(b, 0.4, 660);
    tone = (await admin.upload(a)).media.sha256;
    blip = (await admin.upload(b)).media.sha256;
    await addUser('rev-a', '审核员甲', [{ role: 'county_reviewer', scopeCode: null }]);
    await addUser('rev-b', '审核员乙', [{ role: 'county_reviewer', scopeCode: null }]);
    await addUser('both', '编审丙', [
      { role: 'county_operator', scopeCode: null },
      { role: 'county_reviewer', scopeCode: null },
    ]);
    await addUser('t1-op', '大圩编播', [{ role: 'township_operator', scopeCode: t1 }]);
    await addUser('t1-rev', '大圩审核', [{ role: 'township_reviewer', scopeCode: t1 }]);
    await addUser('t2-op', '二镇编播', [{ role: 'township_operator', scopeCode: t2 }]);
  }, 90_000);
  afterAll(async () => {
    await centre?.stop();
    await tmp.cleanup();
  });

  it('runs the whole life cycle and records who did what, when and why', async () => {
    const draft = await create(admin, {
      title: '秋收防火通知',
      scopeCode: county,
      mediaSha256: tone,
      script: '各位村民',
    });
    expect(draft).toMatchObject({ state: 'draft', stateLabel: '草稿', revision: 1, usable: false });
    expect(draft.id).toMatch(/^c[0-9a-f]{16}$/);

    const submitted = await act(admin, draft.id, 'submit');
    expect(submitted.state).toBe('submitted');
    expect(submitted.quality).toMatchObject({ revision: 1, mediaSha256: tone, mime: expect.any(String) });
    expect(submitted.quality!.durationMs).toBeGreaterThan(2500);

    const queue = await as('rev-a').call<{ items: Item[] }>('GET', '/api/content/review-queue');
    expect(queue.items.map((i) => i.id)).toContain(draft.id);
    expect((await refused(admin.call('GET', '/api/content/review-queue'))).status).toBe(403);

    const noReason = await refused(act(as('rev-a'), draft.id, 'reject', { reason: ' ' }));
    expect([noReason.status, noReason.body?.error?.code]).toEqual([400, 'reason_required']);
    const rejected = await act(as('rev-a'), draft.id, 'reject', { reason: '时间写错了，请核对' });
    expect(rejected).toMatchObject({ state: 'rejected', rejectReason: '时间写错了，请核对' });
    expect(rejected.reviewedBy?.name).toBe('审核员甲');

    const edited = (
      await admin.call<{ item: Item }>('PUT', `/api/content/${draft.id}`, { script: '各位村民，10月1日起' })
    ).item;
    expect(edited).toMatchObject({ state: 'draft', revision: 2, rejectReason: null, reviewedBy: null });
    await act(admin, draft.id, 'submit');
    const stale = await refused(admin.call('POST', `/api/content/${draft.id}/approve?revision=1`));
    expect(stale.status).toBe(403); // the administrator never reviews
    const staleReview = await refused(
      as('rev-b').call('POST', `/api/content/${draft.id}/approve?revision=1`),
    );
    expect(staleReview.body?.error?.code).toBe('revision_changed');
    const approved = await act(as('rev-b'), draft.id, 'approve?revision=2');
    expect(approved).toMatchObject({ state: 'approved', usable: true, reviewedBy: { name: '审核员乙' } });

    const used = centre.services.content.useFor(draft.id, adminActor(), village1);
    expect(used).toEqual({ id: draft.id, mediaSha256: tone, title: '秋收防火通知' });
    expect(centre.services.content.stateOf(draft.id)).toBe('released');
    centre.services.content.useFor(draft.id, adminActor(), village2); // a second use changes nothing

    const { item, history } = await as('rev-a').call<{ item: Item; history: History }>(
      'GET',
      `/api/content/${draft.id}`,
    );
    expect(item).toMatchObject({ state: 'released', stateLabel: '已发布', releasedBy: { id: 1 } });
    expect(history.map((h) => [h.action, h.toState])).toEqual([
      ['create', 'draft'],
      ['submit', 'submitted'],
      ['reject', 'rejected'],
      ['edit', 'draft'],
      ['submit', 'submitted'],
      ['approve', 'approved'],
      ['release', 'released'],
    ]);
    expect(history[2]).toMatchObject({ reason: '时间写错了，请核对', user: { name: '审核员甲' } });
    expect(history[5]!.user?.name).toBe('审核员乙');

    const audit = await admin.call<{ entries: Array<{ action: string }> }>(
      'GET',
      `/api/audit?target=${encodeURIComponent(`content:${draft.id}`)}`,
    );
    expect(audit.entries.map((e) => e.action).sort()).toEqual(
      [
        'content.approve',
        'content.create',
        'content.edit',
        'content.reject',
        'content.submit',
        'content.submit',
      ].sort(),
    );
  });

  it('refuses approval by the creator, an editor of the revision, or the submitter', async () => {
    const own = await create(as('both'), { title: '本人编写', scopeCode: county, mediaSha256: tone });
    await act(as('both'), own.id, 'submit');
    const self = await refused(act(as('both'), own.id, 'approve'));
    expect([self.status, self.body?.error?.code]).toEqual([403, 'self_review']);
    expect(self.body?.error?.message).toContain('不能审核自己的条目');
    const q = await as('both').call<{ items: Item[] }>('GET', '/api/content/review-queue');
    expect(q.items.map((i) => i.id)).not.toContain(own.id);

    const byAdmin = await create(admin, { title: '他人编写', scopeCode: county, mediaSha256: tone });
    await as('both').call('PUT', `/api/content/${byAdmin.id}`, { title: '他人编写（修订）' });
    await act(admin, byAdmin.id, 'submit');
    expect(
      (await refused(act(as('both'), byAdmin.id, 'reject', { reason: '我改过的' }))).body?.error?.code,
    ).toBe('self_review');

    const submittedByBoth = await create(admin, { title: '代为报送', scopeCode: county, mediaSha256: tone });
    await act(as('both'), submittedByBoth.id, 'submit');
    expect((await refused(act(as('both'), submittedByBoth.id, 'approve'))).body?.error?.code).toBe(
      'self_review',
    );
    expect((await act(as('rev-a'), submittedByBoth.id, 'approve')).state).toBe('approved');
  });

  it('township reviewers review only their own township’s items', async () => {
    const countyItem = await create(admin, { title: '全县通知', scopeCode: county, mediaSha256: tone });
    await act(admin, countyItem.id, 'submit');
    const t1Item = await create(as('t1-op'), { title: '大圩镇开会', scopeCode: t1, mediaSha256: tone });
    await act(as('t1-op'), t1Item.id, 'submit');
    const t2Item = await create(as('t2-op'), { title: '二镇通知', scopeCode: t2, mediaSha256: tone });
    await act(as('t2-op'), t2Item.id, 'submit');

    const onCounty = await refused(act(as('t1-rev'), countyItem.id, 'approve'));
    expect([onCounty.status, onCounty.body?.error?.code]).toEqual([403, 'forbidden']);
    expect((await refused(act(as('t1-rev'), t2Item.id, 'approve'))).status).toBe(404);
    const q = await as('t1-rev').call<{ items: Item[] }>('GET', '/api/content/review-queue');
    expect(q.items.map((i) => i.scopeCode)).toEqual(q.items.map(() => t1));
    expect(q.items.map((i) => i.id)).toContain(t1Item.id);

    expect((await act(as('t1-rev'), t1Item.id, 'approve')).state).toBe('approved');
    expect((await act(as('rev-a'), t2Item.id, 'approve')).state).toBe('approved');
    expect((await act(as('rev-a'), countyItem.id, 'approve')).state).toBe('approved');

    // Usable where it belongs: a township item in its township, a county item anywhere.
    const t1Op = users['t1-op']!.actor();
    expect(centre.services.content.useFor(t1Item.id, t1Op, village1).id).toBe(t1Item.id);
    expect(centre.services.content.useFor(countyItem.id, t1Op, village1).id).toBe(countyItem.id);
    const out = appRefusal(() => centre.services.content.useFor(t1Item.id, adminActor(), village2));
    expect([out.status, out.code]).toEqual([403, 'content_out_of_scope']);
    expect(appRefusal(() => centre.services.content.useFor(t2Item.id, t1Op, village1)).status).toBe(404);
  });

  it('keeps a township operator inside their township', async () => {
    const other = await create(as('t2-op'), { title: '二镇内部', scopeCode: t2, mediaSha256: tone });
    const mine = await create(as('t1-op'), { title: '大圩镇内部', scopeCode: t1 });
    expect((await refused(create(as('t1-op'), { title: '越界', scopeCode: t2 }))).status).toBe(403);
    expect((await refused(create(as('t1-op'), { title: '越级', scopeCode: county }))).status).toBe(403);
    const village = await refused(create(as('t1-op'), { title: '村级', scopeCode: village1 }));
    expect([village.status, village.body?.error?.code]).toEqual([422, 'invalid_scope']);

    const guessed = await refused(as('t1-op').call('GET', `/api/content/${other.id}`));
    const unknown = await refused(as('t1-op').call('GET', '/api/content/c0123456789abcdef'));
    expect([guessed.status, guessed.body?.error?.code]).toEqual([unknown.status, unknown.body?.error?.code]);
    expect(guessed.body?.error?.message).toBe(`内容条目 ${other.id} 不存在`);
    expect((await refused(as('t1-op').call('PUT', `/api/content/${other.id}`, { title: '改' }))).status).toBe(
      404,
    );
    expect((await refused(as('t1-op').call('DELETE', `/api/content/${other.id}`))).status).toBe(404);

    const list = await as('t1-op').call<{ items: Item[] }>('GET', '/api/content?limit=200');
    const ids = list.items.map((i) => i.id);
    expect(ids).toContain(mine.id);
    expect(ids).not.toContain(other.id);
    expect(new Set(list.items.map((i) => i.scopeCode))).toEqual(new Set([county, t1]));
    expect((await as('t1-op').call<{ items: Item[] }>('GET', `/api/content?scopeCode=${t2}`)).items).toEqual(
      [],
    );
    const all = await admin.call<{ items: Item[] }>('GET', `/api/content?scopeCode=${t2}&state=draft`);
    expect(all.items.map((i) => i.id)).toContain(other.id);
  });

  it('lists every quality problem in one refusal', async () => {
    const bad = await create(admin, { title: '火', scopeCode: county });
    const e = await refused(act(admin, bad.id, 'submit'));
    expect([e.status, e.body?.error?.code]).toEqual([422, 'quality_failed']);
    expect(e.body?.error?.message).toContain('标题至少 2 个字');
    expect(e.body?.error?.message).toContain('没有音频');
    const details = (e.body?.error as { details?: { problems: string[] } } | undefined)?.details;
    expect(details?.problems).toHaveLength(2);
    await admin.call('PUT', `/api/content/${bad.id}`, { title: '防火', mediaSha256: blip });
    const short = await refused(act(admin, bad.id, 'submit'));
    expect(short.body?.error?.message).toMatch(/音频时长 0\.\d 秒，短于 1 秒/);
    expect(centre.services.content.stateOf(bad.id)).toBe('draft');
  });

  it('an edited approved item stops being usable until approved again', async () => {
    const it1 = await create(admin, { title: '防汛提醒', scopeCode: county, mediaSha256: tone });
    await act(admin, it1.id, 'submit');
    usable.length = 0;
    await act(as('rev-a'), it1.id, 'approve');
    expect(usable).toEqual([it1.id]);
    centre.services.content.useFor(it1.id, adminActor(), village1);

    const edited = (
      await admin.call<{ item: Item }>('PUT', `/api/content/${it1.id}`, { title: '防汛紧急提醒' })
    ).item;
    expect(edited).toMatchObject({ state: 'draft', revision: 2, usable: false });
    expect(usable).toEqual([it1.id, it1.id]);
    const e = appRefusal(() => centre.services.content.useFor(it1.id, adminActor(), village1));
    expect([e.status, e.code]).toEqual([422, 'content_not_approved']);
    expect(e.message).toContain('“草稿”');

    await act(admin, it1.id, 'submit');
    const e2 = appRefusal(() => centre.services.content.useFor(it1.id, adminActor(), village1));
    expect(e2.message).toBe('条目处于“待审核”状态，不能播发或编入节目；须审核通过');
    await act(as('rev-b'), it1.id, 'approve');
    expect(centre.services.content.useFor(it1.id, adminActor(), village1).title).toBe('防汛紧急提醒');
    expect(usable).toHaveLength(3);

    // Once it has sounded it is kept: no delete even back in draft.
    await admin.call('PUT', `/api/content/${it1.id}`, { category: '防汛' });
    expect((await refused(admin.call('DELETE', `/api/content/${it1.id}`))).body?.error?.code).toBe(
      'content_in_use',
    );
  });

  it('deletes drafts and withdraws submissions', async () => {
    const d = await create(admin, { title: '草稿一', scopeCode: county, mediaSha256: tone });
    await act(admin, d.id, 'submit');
    expect((await refused(admin.call('DELETE', `/api/content/${d.id}`))).status).toBe(409);
    expect((await act(admin, d.id, 'withdraw')).state).toBe('draft');
    expect(await admin.call('DELETE', `/api/content/${d.id}`)).toEqual({ deleted: d.id });
    expect((await refused(admin.call('GET', `/api/content/${d.id}`))).status).toBe(404);
    expect(
      (await refused(as('rev-a').call('POST', '/api/content', { title: 'x', scopeCode: county }))).status,
    ).toBe(403);
  });

  it('refuses malformed and oversized requests with 4xx', async () => {
    const d = await create(admin, { title: '格式测试', scopeCode: county });
    const cases: Array<[string, string, unknown]> = [
      ['POST', '/api/content', { title: '', scopeCode: county }],
      ['POST', '/api/content', { title: '多余字段', scopeCode: county, owner: 'me' }],
      ['POST', '/api/content', { title: '坏音频', scopeCode: county, mediaSha256: 'xyz' }],
      ['POST', '/api/content', { title: 't'.repeat(201), scopeCode: county }],
      ['POST', '/api/content', [1, 2, 3]],
      ['PUT', `/api/content/${d.id}`, {}],
      ['PUT', `/api/content/${d.id}`, { script: 's'.repeat(50_001) }],
      ['GET', '/api/content/not-an-id', undefined],
      ['GET', '/api/content?state=lost', undefined],
      ['GET', '/api/content?limit=0', undefined],
      ['GET', '/api/content?before=yesterday', undefined],
    ];
    for (const [method, p, body] of cases) {
      const e = await refused(admin.call(method, p, body));
      expect(e.status, `${method} ${p}`).toBe(400);
      expect(e.body?.error?.message).toBeTruthy();
    }
    const longReason = await refused(act(as('rev-a'), d.id, 'reject', { reason: 'r'.repeat(2001) }));
    expect(longReason.status).toBe(400);
    const missing = await refused(
      admin.call('POST', '/api/content', { title: '无音频', scopeCode: county, mediaSha256: 'f'.repeat(64) }),
    );
    expect([missing.status, missing.body?.error?.code]).toEqual([422, 'unknown_media']);
    const notJson = await admin.raw('POST', '/api/content', { body: 'title=x' });
    expect(notJson.status).toBe(415);
    const broken = await admin.raw('POST', '/api/content', {
      body: '{"title": "x", ',
      headers: { 'content-type': 'application/json' },
    });
    expect(broken.status).toBe(400);
    const huge = await admin.raw('POST', '/api/content', {
      body: JSON.stringify({ title: '大', scopeCode: county, script: 'x'.repeat(400_000) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(huge.status).toBe(413);
  });

  it('pages through the list newest first', async () => {
    for (let i = 0; i < 5; i += 1)
      await create(admin, { title: `翻页${i}`, scopeCode: t1, category: '分页' });
    const seen: string[] = [];
    let next: string | null = null;
    do {
      const q: string = `/api/content?q=${encodeURIComponent('翻页')}&limit=2${next ? `&before=${next}` : ''}`;
      const page: { items: Item[]; next: string | null } = await admin.call('GET', q);
      seen.push(...page.items.map((i) => i.title));
      next = page.next;
    } while (next);
    expect(seen).toEqual(['翻页4', '翻页3', '翻页2', '翻页1', '翻页0']);
  });
});

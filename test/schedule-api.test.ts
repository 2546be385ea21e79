import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Centre } from '../server/src/centre.ts';
import { ApiClient, ApiError } from './helpers/api-client.ts';
import { makeTone } from './helpers/audio.ts';
import { approvedContent } from './helpers/content.ts';
import { tempDir } from './helpers/fleet.ts';
import { startInProcessCentre } from './helpers/in-process-centre.ts';
import { eventually } from './helpers/processes.ts';
import { scheduleYaml } from './helpers/schedule.ts';

const TODAY = '2026-11-24';
const NOW = Date.parse(`${TODAY}T08:00:00+08:00`);
const SLOTS = [
  { id: 'morning', name: '早间', start: '06:30', maxMinutes: 30 },
  { id: 'noon', name: '午间', start: '12:00', maxMinutes: 1 },
  { id: 'evening', name: '晚间', start: '18:30', maxMinutes: 30 },
];
const QUIET = [{ from: '22:00', to: '06:00' }];

async function refused(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected the API to refuse');
}

describe('schedule file and programmes through the API', () => {
  const tmp = tempDir('dlb-sched-api-');
  const file = path.join(tmp.dir, 'schedule.yaml');
  let centre: Centre;
  let api: ApiClient;
  let tone: { sha256: string; durationMs: number };
  let long: { sha256: string; durationMs: number };
  let toneC: string;
  let longC: string;

  beforeAll(async () => {
    writeFileSync(file, scheduleYaml(SLOTS, QUIET));
    ({ centre, api } = await startInProcessCentre(tmp.dir, { schedule: { file } }, { now: () => NOW }));
    const a = path.join(tmp.dir, 'a.wav');
    const b = path.join(tmp.dir, 'b.wav');
    makeTone(a, 20);
    makeTone(b, 45);
    tone = (await api.upload(a)).media;
    long = (await api.upload(b)).media;
    toneC = await approvedContent(api, tone.sha256);
    longC = await approvedContent(api, long.sha256);
  }, 60_000);
  afterAll(async () => {
    await centre?.stop();
    await tmp.cleanup();
  });

  it('gives the day’s slots and quiet hours as instants', async () => {
    const r = await api.call<{
      slots: Array<{ slotId: string; startAt: number; maxMs: number }>;
      quiet: unknown[];
    }>('GET', `/api/schedule/slots?date=${TODAY}`);
    expect(r.slots.map((s) => [s.slotId, s.startAt])).toEqual([
      ['morning', Date.parse(`${TODAY}T06:30:00+08:00`)],
      ['noon', Date.parse(`${TODAY}T12:00:00+08:00`)],
      ['evening', Date.parse(`${TODAY}T18:30:00+08:00`)],
    ]);
    expect(r.quiet.length).toBeGreaterThan(0);
  });

  it('refuses an invalid schedule file precisely and keeps the previous one in force', async () => {
    const before = await api.call<{ schedule: { hash: string } }>('GET', '/api/schedule');
    writeFileSync(file, scheduleYaml(SLOTS, QUIET).replace('start: "12:00"', 'start: "25:00"'));
    const st = await eventually(
      async () => {
        const r = await api.call<{
          schedule: {
            hash: string;
            problems: Array<{ file: string; field: string; line?: number; message: string }>;
          };
        }>('GET', '/api/schedule');
        return r.schedule.problems.length > 0 ? r.schedule : null;
      },
      10_000,
      'refusal recorded',
    );
    expect(st.hash).toBe(before.schedule.hash);
    expect(st.problems[0]).toMatchObject({ file, field: 'slots[1].start', line: 12 });
    expect(st.problems[0]!.message).toContain('25:00');
    const e = await refused(api.call('POST', '/api/schedule/reload'));
    expect(e.status).toBe(422);
    expect(e.body?.error?.message).toContain('slots[1].start');
    const slots = await api.call<{ slots: Array<{ slotId: string }> }>(
      'GET',
      `/api/schedule/slots?date=${TODAY}`,
    );
    expect(slots.slots.map((s) => s.slotId)).toEqual(['morning', 'noon', 'evening']);
    // Put right again: taken up, problems cleared.
    writeFileSync(file, scheduleYaml(SLOTS, QUIET));
    await eventually(
      async () =>
        (await api.call<{ schedule: { problems: unknown[] } }>('GET', '/api/schedule')).schedule.problems
          .length === 0,
      10_000,
      'good file taken up',
    );
  });

  it('creates a slot programme with timed items, and refuses one that overruns the slot', async () => {
    const { programme } = await api.call<{
      programme: { id: string; durationMs: number; items: Array<{ startAt: number }> };
    }>('POST', '/api/programmes', {
      date: TODAY,
      slotId: 'noon',
      scopeCode: '450323',
      title: '午间新闻',
      items: [{ contentId: toneC }, { contentId: toneC }],
    });
    expect(programme.durationMs).toBe(2 * tone.durationMs + 1000);
    expect(programme.items[1]!.startAt - programme.items[0]!.startAt).toBe(tone.durationMs + 1000);
    const e = await refused(
      api.call('PUT', `/api/programmes/${programme.id}`, {
        items: [{ contentId: longC }, { contentId: toneC }],
      }),
    );
    expect(e.status).toBe(422);
    expect(e.body?.error?.code).toBe('overruns_slot');
    expect(e.body?.error?.message).toMatch(/超过午间时段上限 1分00秒/);
    const dup = await refused(
      api.call('POST', '/api/programmes', {
        date: TODAY,
        slotId: 'noon',
        scopeCode: '450323',
        title: 'x',
        items: [{ contentId: toneC }],
      }),
    );
    expect(dup.status).toBe(409);
  });

  it('refuses a one-off in quiet hours, a slot already begun, a village scope, and bad input', async () => {
    const quiet = await refused(
      api.call('POST', '/api/programmes', {
        date: TODAY,
        startTime: '21:59:50',
        scopeCode: '450323',
        title: '通知',
        items: [{ contentId: toneC }],
      }),
    );
    expect(quiet.body?.error?.code).toBe('quiet_hours');
    const begun = await refused(
      api.call('POST', '/api/programmes', {
        date: TODAY,
        slotId: 'morning',
        scopeCode: '450323',
        title: '早',
        items: [{ contentId: toneC }],
      }),
    );
    expect(begun.body?.error?.code).toBe('slot_started');
    const village = await refused(
      api.call('POST', '/api/programmes', {
        date: TODAY,
        slotId: 'evening',
        scopeCode: '450323107200',
        title: '村',
        items: [{ contentId: toneC }],
      }),
    );
    expect(village.body?.error?.code).toBe('bad_scope');
    for (const body of [
      {
        date: '2026-02-30',
        slotId: 'evening',
        scopeCode: '450323',
        title: 'x',
        items: [{ contentId: toneC }],
      },
      { date: TODAY, slotId: 'evening', scopeCode: '450323', title: 'x', items: [] },
      {
        date: TODAY,
        startTime: '24:00',
        scopeCode: '450323',
        title: 'x',
        items: [{ contentId: toneC }],
      },
    ]) {
      expect((await refused(api.call('POST', '/api/programmes', body))).status).toBe(400);
    }
    const both = await refused(
      api.call('POST', '/api/programmes', {
        date: TODAY,
        slotId: 'evening',
        startTime: '15:00',
        scopeCode: '450323',
        title: 'x',
        items: [{ contentId: toneC }],
      }),
    );
    expect(both.body?.error?.code).toBe('slot_or_time');
    const unknown = await refused(
      api.call('POST', '/api/programmes', {
        date: TODAY,
        slotId: 'evening',
        scopeCode: '450323',
        title: 'x',
        items: [{ contentId: `c${'0'.repeat(16)}` }],
      }),
    );
    expect(unknown.status).toBe(404);
  });

  it('copies a programme to other days all or nothing, and adds a recurring item that must fit', async () => {
    const { programme } = await api.call<{ programme: { id: string } }>('POST', '/api/programmes', {
      date: TODAY,
      slotId: 'evening',
      scopeCode: '450323101',
      title: '镇晚间',
      items: [{ contentId: longC }],
    });
    const copies = await api.call<{ programmes: Array<{ date: string; scope: { code: string } }> }>(
      'POST',
      `/api/programmes/${programme.id}/copy`,
      { dates: ['2026-11-25', '2026-11-26'] },
    );
    expect(copies.programmes.map((p) => p.date)).toEqual(['2026-11-25', '2026-11-26']);
    // One date already has it: nothing is copied unless asked to replace.
    const again = await refused(
      api.call('POST', `/api/programmes/${programme.id}/copy`, { dates: ['2026-11-27', '2026-11-26'] }),
    );
    expect(again.status).toBe(409);
    const list = await api.call<{ programmes: Array<{ date: string }> }>(
      'GET',
      '/api/programmes?from=2026-11-27&to=2026-11-27',
    );
    expect(list.programmes).toHaveLength(0);

    const { item } = await api.call<{ item: { id: string } }>('POST', '/api/recurring-items', {
      slotId: 'morning',
      scopeCode: '450323',
      contentId: toneC,
      title: '天气预报',
      fromDate: '2026-11-25',
    });
    expect(item.id).toMatch(/^r/);
    // Noon is one minute long and already holds 41 s on the 24th; a 45-second daily item cannot join it.
    const tooLong = await refused(
      api.call('POST', '/api/recurring-items', {
        slotId: 'noon',
        scopeCode: '450323',
        contentId: longC,
        fromDate: TODAY,
      }),
    );
    expect(tooLong.body?.error?.code).toBe('overruns_slot');
    expect(tooLong.body?.error?.message).toContain(TODAY);
  });

  it('lists programmes a schedule change no longer fits, while the change itself is taken up', async () => {
    const shorter = SLOTS.map((x) => (x.id === 'noon' ? { ...x, maxMinutes: 0.5 } : x));
    writeFileSync(file, scheduleYaml(shorter, QUIET));
    const r = await eventually(
      async () => {
        const got = await api.call<{ conflicts: Array<{ date: string; code: string; message: string }> }>(
          'GET',
          '/api/schedule',
        );
        return got.conflicts.length > 0 ? got : null;
      },
      10_000,
      'conflict listed',
    );
    expect(r.conflicts[0]).toMatchObject({ date: TODAY, code: 'overruns_slot' });
    expect(r.conflicts[0]!.message).toContain('超过午间时段上限 30秒');
    writeFileSync(file, scheduleYaml(SLOTS, QUIET));
    await eventually(
      async () => (await api.call<{ conflicts: unknown[] }>('GET', '/api/schedule')).conflicts.length === 0,
      10_000,
      'conflict gone',
    );
  });

  it('lets an auditor read but not plan, and an anonymous caller nothing', async () => {
    const anon = new ApiClient(centre.httpUrl);
    expect((await refused(anon.call('GET', `/api/programmes?from=${TODAY}&to=${TODAY}`))).status).toBe(401);
    expect((await refused(anon.call('GET', '/api/schedule/terminals'))).status).toBe(401);
    await centre.services.users.create({
      username: 'looker',
      displayName: '查看员',
      password: 'viewer-password-1',
      roles: [{ role: 'auditor', scopeCode: null }],
    });
    const viewer = new ApiClient(centre.httpUrl);
    await viewer.login('looker', 'viewer-password-1');
    const listed = await viewer.call<{ programmes: unknown[] }>(
      'GET',
      `/api/programmes?from=${TODAY}&to=${TODAY}`,
    );
    expect(listed.programmes.length).toBeGreaterThan(0);
    const body = {
      date: TODAY,
      slotId: 'evening',
      scopeCode: '450323',
      title: 'x',
      items: [{ contentId: toneC }],
    };
    expect((await refused(viewer.call('POST', '/api/programmes', body))).status).toBe(403);
    expect((await refused(viewer.call('POST', '/api/schedule/reload'))).status).toBe(403);
    expect((await refused(viewer.call('POST', '/api/schedule/publish'))).status).toBe(403);
  });
});

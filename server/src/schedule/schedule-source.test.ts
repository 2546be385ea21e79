import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ScheduleSource, sha256Hex } from './schedule-source.ts';
import { BASE, iso } from './schedule-test-fixtures.ts';
import type { ScheduleCalendar } from './schedule-types.ts';

/** Polls until `check` passes (it throws or returns false otherwise). */
async function eventually(check: () => unknown, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await check()) !== false) return;
    } catch (e) {
      if (Date.now() > until) throw e;
    }
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const watchers = () => process.getActiveResourcesInfo().filter((r) => r === 'FSEventWrap').length;
const INVALID = BASE.replace('start: "12:00"', 'start: "25:00"');
const LATER_NOON = BASE.replace('start: "12:00"', 'start: "12:30"');
const morningOf = (cal: ScheduleCalendar) => iso(cal.slot('2026-11-23', 'morning', null)!.startAt);
const noonOf = (cal: ScheduleCalendar) => iso(cal.slot('2026-11-23', 'noon', null)!.startAt);

describe('ScheduleSource', () => {
  let dir: string;
  let file: string;
  let lastGoodFile: string;
  let logs: string[];
  let clock: number;
  const sources: ScheduleSource[] = [];
  /** fs watchers open before any source: each test must end with no more. */
  let baseline = 0;
  beforeAll(() => {
    baseline = watchers();
  });

  /** Writes like an editor: a temporary file renamed over the schedule. */
  const save = (text: string) => {
    const tmp = join(dir, 'schedules', '.default.yaml.swp');
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  };
  const source = () => {
    const s = new ScheduleSource({ file, lastGoodFile, log: (m) => logs.push(m), now: () => clock });
    sources.push(s);
    return s;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dlb-schedule-source-'));
    file = join(dir, 'schedules', 'default.yaml');
    lastGoodFile = join(dir, 'data', 'schedule.last-good.yaml');
    mkdirSync(join(dir, 'schedules'));
    logs = [];
    clock = 1_000_000;
  });

  afterEach(async () => {
    for (const s of sources.splice(0)) s.stop();
    rmSync(dir, { recursive: true, force: true });
    await eventually(() => expect(watchers()).toBe(baseline));
  });

  it('starts with a valid file and keeps a last-good copy, written atomically', () => {
    save(BASE);
    const s = source();
    s.start();
    expect(morningOf(s.calendar())).toBe('2026-11-22T22:30:00.000Z');
    expect(s.doc().slots).toHaveLength(3);
    expect(s.status()).toEqual({
      file,
      loadedAt: 1_000_000,
      hash: sha256Hex(BASE),
      usingLastGood: false,
      problems: [],
      problemsAt: null,
    });
    expect(readFileSync(lastGoodFile, 'utf8')).toBe(BASE);
    expect(readdirSync(join(dir, 'data'))).toEqual(['schedule.last-good.yaml']);
  });

  it('refuses an invalid change: problems in status, calendar unchanged; a valid change fires onChange', async () => {
    save(BASE);
    const s = source();
    s.start();
    const before = s.calendar();
    const changes: ScheduleCalendar[] = [];
    s.onChange((cal) => changes.push(cal));

    clock = 2_000_000;
    save(INVALID);
    await eventually(() => expect(s.status().problems).not.toEqual([]));
    const st = s.status();
    expect(st.problems[0]).toMatchObject({ file, field: 'slots[1].start', line: 11 });
    expect(st.problemsAt).toBe(2_000_000);
    expect(st.hash).toBe(sha256Hex(BASE));
    expect(st.loadedAt).toBe(1_000_000);
    expect(s.calendar()).toBe(before);
    expect(changes).toEqual([]);
    expect(readFileSync(lastGoodFile, 'utf8')).toBe(BASE);
    expect(logs.join('\n')).toContain('修改未生效');
    expect(logs.join('\n')).toContain(`${file}:11: slots[1].start: "25:00" 不是有效的时间`);

    clock = 3_000_000;
    save(LATER_NOON);
    await eventually(() => expect(changes).toHaveLength(1));
    expect(noonOf(changes[0]!)).toBe('2026-11-23T04:30:00.000Z');
    expect(s.calendar()).toBe(changes[0]);
    expect(s.status()).toMatchObject({
      problems: [],
      problemsAt: null,
      loadedAt: 3_000_000,
      hash: sha256Hex(LATER_NOON),
    });
    expect(readFileSync(lastGoodFile, 'utf8')).toBe(LATER_NOON);
  });

  it('reload() of unchanged content does not fire onChange; unsubscribe works', () => {
    save(BASE);
    const s = source();
    s.start();
    let calls = 0;
    const off = s.onChange(() => calls++);
    expect(s.reload()).toMatchObject({ ok: true, changed: false });
    expect(calls).toBe(0);
    writeFileSync(file, LATER_NOON);
    const r = s.reload();
    expect(r.ok && r.changed).toBe(true);
    expect(calls).toBe(1);
    off();
    writeFileSync(file, BASE);
    s.reload();
    expect(calls).toBe(1);
    expect(noonOf(s.calendar())).toBe('2026-11-23T04:00:00.000Z');
  });

  it('invalid at start with a last-good copy: uses it, then recovers when the file is fixed', () => {
    save(LATER_NOON);
    const first = source();
    first.start();
    first.stop();

    save(INVALID);
    clock = 5_000_000;
    const s = source();
    s.start();
    expect(s.status()).toMatchObject({
      usingLastGood: true,
      hash: sha256Hex(LATER_NOON),
      problemsAt: 5_000_000,
    });
    expect(s.status().problems[0]).toMatchObject({ field: 'slots[1].start', line: 11 });
    expect(noonOf(s.calendar())).toBe('2026-11-23T04:30:00.000Z');
    expect(logs.join('\n')).toContain('改用上次有效的副本');
    // The copy is not overwritten by the invalid file.
    expect(readFileSync(lastGoodFile, 'utf8')).toBe(LATER_NOON);

    writeFileSync(file, BASE);
    expect(s.reload()).toMatchObject({ ok: true, changed: true });
    expect(s.status()).toMatchObject({ usingLastGood: false, problems: [], problemsAt: null });
    expect(readFileSync(lastGoodFile, 'utf8')).toBe(BASE);
  });

  it('invalid at start with no last-good copy: throws naming file, line, field and reason', () => {
    save(INVALID);
    const s = source();
    expect(() => s.start()).toThrow(`${file}:11: slots[1].start: "25:00" 不是有效的时间`);
    expect(() => s.start()).toThrow(/控制中心不能启动[\s\S]*没有上次有效的副本/);
    expect(existsSync(lastGoodFile)).toBe(false);
    expect(() => s.calendar()).toThrow(/尚未加载/);
    expect(watchers()).toBe(baseline);
  });

  it('a missing file with an invalid last-good copy: throws with both', () => {
    mkdirSync(join(dir, 'data'));
    writeFileSync(lastGoodFile, 'timeZone: Asia/Shanghai\n');
    const s = source();
    expect(() => s.start()).toThrow(/排班文件不存在[\s\S]*也无效[\s\S]*slots: 缺少必填字段/);
  });

  it('stop() closes the watcher and pending timers; reload() still works by hand', async () => {
    save(BASE);
    const s = source();
    s.start();
    expect(watchers()).toBe(baseline + 1);
    save(LATER_NOON); // a change pending in the debounce when we stop
    s.stop();
    await eventually(() => expect(watchers()).toBe(baseline));
    expect(noonOf(s.calendar())).toBe('2026-11-23T04:00:00.000Z');
    expect(s.reload()).toMatchObject({ ok: true, changed: true });
    expect(noonOf(s.calendar())).toBe('2026-11-23T04:30:00.000Z');
  });

  it('a file deleted and re-created (editor save) is reloaded once it is back', async () => {
    save(BASE);
    const s = source();
    s.start();
    const changes: ScheduleCalendar[] = [];
    s.onChange((c) => changes.push(c));
    rmSync(file);
    await eventually(() => expect(s.status().problems[0]?.message).toContain('不存在'));
    expect(noonOf(s.calendar())).toBe('2026-11-23T04:00:00.000Z');
    writeFileSync(file, LATER_NOON);
    await eventually(() => expect(changes).toHaveLength(1));
    expect(s.status().problems).toEqual([]);
  });
});

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatProblem, loadScheduleFile, loadScheduleText } from './schedule-file.ts';
import { BASE, DEFAULT_YAML, lineWith, load, problemsOf } from './schedule-test-fixtures.ts';

/** The only problem of a refused text. */
function only(text: string) {
  const problems = problemsOf(text);
  expect(problems, JSON.stringify(problems, null, 1)).toHaveLength(1);
  return problems[0]!;
}

const SEASONS = `seasons:
  - id: summer
    name: 夏令
    from: "05-01"
    to: "09-30"
    slots: { morning: { start: "06:00" } }
`;

describe('the shipped schedules/default.yaml', () => {
  it('validates, with the documented slots and seasons', () => {
    const r = loadScheduleFile(DEFAULT_YAML);
    expect(r.ok, r.ok ? '' : r.problems.map(formatProblem).join('\n')).toBe(true);
    if (!r.ok) return;
    expect(r.doc.timeZone).toBe('Asia/Shanghai');
    expect(r.doc.slots.map((s) => [s.id, s.name, s.start, s.maxMinutes, s.days])).toEqual([
      ['morning', '早间', '06:30', 30, 'daily'],
      ['noon', '午间', '12:00', 30, 'daily'],
      ['evening', '晚间', '18:30', 30, 'daily'],
    ]);
    expect(r.doc.quietHours).toEqual([{ from: '22:00', to: '06:00' }]);
    expect(r.doc.seasons.map((s) => [s.name, s.from, s.to])).toEqual([
      ['夏令', '05-01', '09-30'],
      ['冬令', '10-01', '04-30'],
    ]);
    expect(r.doc.townships).toEqual({});
  });

  it('its commented-out township example validates once uncommented', () => {
    const shipped = readFileSync(DEFAULT_YAML, 'utf8');
    const at = shipped.indexOf('# townships:');
    expect(at).toBeGreaterThan(0);
    const text = shipped.slice(0, at) + shipped.slice(at).replace(/^# /gm, '');
    const doc = load(text);
    expect(doc.townships['450323101']).toEqual({
      slots: { noon: { start: '12:30', maxMinutes: 20 }, evening: { enabled: false } },
      quietHours: [{ from: '21:30', to: '06:00' }],
    });
  });
});

describe('field checks: field, line and message', () => {
  it('a bad time', () => {
    const p = only(BASE.replace('start: "12:00"', 'start: "25:00"'));
    expect(p).toMatchObject({ file: 'test.yaml', field: 'slots[1].start', line: 11 });
    expect(p.message).toContain('"25:00" 不是有效的时间，应为 HH:MM 或 HH:MM:SS');
    expect(formatProblem(p)).toMatch(/^test\.yaml:11: slots\[1\]\.start: "25:00" 不是有效的时间/);
  });

  it('an unknown key, with the likely intended one', () => {
    const p = only(BASE.replace('start: "12:00"', 'start: "12:00"\n    startt: "12:10"'));
    expect(p).toMatchObject({ field: 'slots[1].startt', line: 12 });
    expect(p.message).toContain('未知字段 "startt"（是否应为 "start"？）');
    expect(p.message).toContain('id、name、start、maxMinutes、days、dates、except');
  });

  it('a missing required field points at its parent', () => {
    const p = only(BASE.replace('    maxMinutes: 30\n  - id: evening', '  - id: evening'));
    expect(p).toMatchObject({ field: 'slots[1].maxMinutes', line: 9 });
    expect(p.message).toContain('缺少必填字段');
  });

  it('maxMinutes out of range', () => {
    const p = only(BASE.replace('start: "12:00"\n    maxMinutes: 30', 'start: "12:00"\n    maxMinutes: 181'));
    expect(p).toMatchObject({ field: 'slots[1].maxMinutes', line: 12 });
    expect(p.message).toBe('181 不是有效的最长时长（分钟），应为 0.25 到 180 之间、0.25 的整数倍');
    const q = only(BASE.replace('start: "12:00"\n    maxMinutes: 30', 'start: "12:00"\n    maxMinutes: 0.3'));
    expect(q).toMatchObject({ field: 'slots[1].maxMinutes', line: 12 });
  });

  it('a bad slot id, name and days', () => {
    const text = BASE.replace('id: noon', 'id: Noon')
      .replace('name: 午间', 'name: ""')
      .replace(
        '    maxMinutes: 30\n  - id: evening',
        '    maxMinutes: 30\n    days: [mon, monday, mon]\n  - id: evening',
      );
    const problems = problemsOf(text);
    expect(problems.map((p) => [p.field, p.line])).toEqual([
      ['slots[1].id', 9],
      ['slots[1].name', 10],
      ['slots[1].days[1]', 13],
      ['slots[1].days[2]', 13],
    ]);
    expect(problems[0]!.message).toContain('"Noon" 不是有效的 id');
    expect(problems[2]!.message).toContain(
      '"monday" 不是有效的星期，应为 mon、tue、wed、thu、fri、sat、sun 之一',
    );
    expect(problems[3]!.message).toContain('"mon" 重复');
  });

  it('a date range ending before it starts, and an impossible date', () => {
    const text = `${BASE}  - id: fair
    name: 庙会
    start: "09:00"
    maxMinutes: 20
    dates: [{ from: "2026-12-31", to: "2026-01-01" }]
    except: [{ from: "2026-02-30", to: "2026-03-01" }]
`;
    const problems = problemsOf(text);
    expect(problems.map((p) => [p.field, p.line])).toEqual([
      ['slots[3].dates[0].to', lineWith(text, 'dates:')],
      ['slots[3].except[0].from', lineWith(text, 'except:')],
    ]);
    expect(problems[0]!.message).toContain('结束日期 "2026-01-01" 早于开始日期 "2026-12-31"');
    expect(problems[1]!.message).toContain('"2026-02-30" 不是有效的日期');
  });

  it('a quiet interval that starts where it ends', () => {
    const p = only(BASE.replace('{ from: "22:00", to: "06:00" }', '{ from: "22:00", to: "22:00" }'));
    expect(p).toMatchObject({ field: 'quietHours[0].to', line: 3 });
    expect(p.message).toContain('开始与结束相同');
  });

  it('a bad township code', () => {
    const text = `${BASE}townships:\n  "45032310":\n    slots: { noon: { start: "12:30" } }\n`;
    const p = only(text);
    expect(p).toMatchObject({ field: 'townships.45032310', line: lineWith(text, '"45032310"') });
    expect(p.message).toContain('"45032310" 不是有效的乡镇代码，应为 9 位数字');
  });

  it('an unknown zone', () => {
    const p = only(BASE.replace('Asia/Shanghai', 'Asia/Beijing'));
    expect(p).toMatchObject({ field: 'timeZone', line: 1 });
    expect(p.message).toContain('"Asia/Beijing" 不是已知的时区');
  });

  it('too many slots, and none', () => {
    const many = Array.from(
      { length: 9 },
      (_, i) =>
        `  - { id: s${i}, name: 时段${i}, start: "${String(7 + i).padStart(2, '0')}:00", maxMinutes: 10 }`,
    );
    const p = only(`timeZone: Asia/Shanghai\nquietHours: []\nslots:\n${many.join('\n')}\n`);
    expect(p).toMatchObject({ field: 'slots', line: 3 });
    expect(p.message).toContain('最多 8 个时段');
    expect(only('timeZone: Asia/Shanghai\nquietHours: []\nslots: []\n').message).toContain(
      '至少需要定义 1 个时段',
    );
  });

  it('YAML syntax errors give their line', () => {
    const p = only(BASE.replace('    start: "18:30"', '    start: "18:30\n'));
    expect(p.field).toBe('(YAML)');
    expect(p.message).toMatch(/^YAML 语法错误/);
    const dup = only(BASE.replace('    start: "12:00"', '    start: "12:00"\n    start: "12:10"'));
    expect(dup).toMatchObject({ field: '(YAML)', line: 12 });
    expect(dup.message).toContain('键重复');
  });

  it('an empty file or a list at the top', () => {
    expect(only('').message).toContain('文件为空或顶层不是映射');
    expect(only('- a\n').message).toContain('实际为 列表');
  });

  it('a missing file is a problem too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dlb-schedule-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const r = loadScheduleFile(join(dir, 'none.yaml'));
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.problems[0]).toMatchObject({ field: '(文件)', message: expect.stringContaining('不存在') });
    const d = loadScheduleFile(dir);
    expect(d.ok).toBe(false);
  });
});

describe('cross-field rules: each on the field that breaks it', () => {
  it('duplicate slot ids', () => {
    const p = only(BASE.replace('id: evening', 'id: morning'));
    expect(p).toMatchObject({ field: 'slots[2].id', line: 13 });
    expect(p.message).toContain('时段 id "morning" 与 slots[0] 重复');
  });

  it('two slots overlapping in time', () => {
    const p = only(BASE.replace('start: "12:00"', 'start: "06:50"'));
    expect(p).toMatchObject({ field: 'slots[1].start', line: 11 });
    expect(p.message).toContain(
      '时段"午间"（基础时间，全县）的时间 06:50–07:20 与时段"早间"（slots[0]）的时间 06:30–07:00 重叠',
    );
  });

  it('slots that never share a day may share a time', () => {
    const text = `${BASE}  - { id: work, name: 工作日, start: "09:00", maxMinutes: 30, days: weekdays }
  - { id: rest, name: 休息日, start: "09:00", maxMinutes: 30, days: [sat, sun] }
  - { id: a, name: 上半年, start: "10:00", maxMinutes: 30, dates: [{ from: "2026-01-01", to: "2026-06-30" }] }
  - { id: b, name: 下半年, start: "10:00", maxMinutes: 30, dates: [{ from: "2026-07-01", to: "2026-12-31" }] }
`;
    expect(load(text).slots).toHaveLength(7);
  });

  it('a slot sounding in quiet hours (the wrapping part)', () => {
    const p = only(BASE.replace('start: "06:30"', 'start: "05:45"'));
    expect(p).toMatchObject({ field: 'slots[0].start', line: 7 });
    expect(p.message).toContain('05:45–06:15 与静默时段 22:00–06:00（quietHours[0]）重叠');
  });

  it('a slot ending exactly when quiet hours begin is fine; one minute more is not', () => {
    load(BASE.replace('start: "18:30"', 'start: "21:30"'));
    const p = only(BASE.replace('start: "18:30"\n    maxMinutes: 30', 'start: "21:30"\n    maxMinutes: 31'));
    expect(p).toMatchObject({ field: 'slots[2].start', line: 15 });
  });

  it('a slot crossing local midnight', () => {
    const text = `timeZone: Asia/Shanghai\nquietHours: []\nslots:\n  - { id: late, name: 深夜, start: "23:45", maxMinutes: 30 }\n`;
    const p = only(text);
    expect(p).toMatchObject({ field: 'slots[0].start', line: 4 });
    expect(p.message).toContain('将在次日 00:15 结束；时段不能跨越当地午夜');
  });

  it('a season override naming an unknown slot id', () => {
    const text = BASE + SEASONS.replace('morning:', 'mornin:');
    const p = only(text);
    expect(p).toMatchObject({ field: 'seasons[0].slots.mornin', line: lineWith(text, 'mornin:') });
    expect(p.message).toContain(
      '未定义的时段 id "mornin"，应为 slots 中定义的时段 id 之一：morning、noon、evening',
    );
  });

  it('overlapping seasons, one wrapping the year end', () => {
    const text = `${BASE + SEASONS}  - id: winter\n    name: 冬令\n    from: "09-15"\n    to: "04-30"\n`;
    const p = only(text);
    expect(p).toMatchObject({ field: 'seasons[1].from', line: lineWith(text, '"09-15"') });
    expect(p.message).toContain('季节"冬令"（09-15 至 04-30）与季节"夏令"');
    expect(p.message).toContain('09-15');
  });

  it('a season moving a slot into quiet hours blames the season field', () => {
    const text = BASE + SEASONS.replace('start: "06:00"', 'start: "05:30"');
    const p = only(text);
    expect(p).toMatchObject({ field: 'seasons[0].slots.morning.start', line: lineWith(text, '"05:30"') });
    expect(p.message).toContain('季节"夏令"，全县');
  });

  it('a season quiet hours that catch a base slot blame the season quiet interval', () => {
    const text = `${BASE + SEASONS}    quietHours: [{ from: "18:00", to: "06:00" }]\n`;
    const p = only(text);
    expect(p).toMatchObject({ field: 'seasons[0].quietHours[0]', line: lineWith(text, 'quietHours: [') });
    expect(p.message).toContain('时段"晚间"（季节"夏令"，全县）的时间 18:30–19:00 与静默时段 18:00–06:00');
  });

  it('a township override causing an overlap, and enabled:false resolving it', () => {
    const bad = `${BASE}townships:\n  "450323101":\n    slots:\n      noon: { start: "18:15" }\n`;
    const p = only(bad);
    expect(p).toMatchObject({
      field: 'townships.450323101.slots.noon.start',
      line: lineWith(bad, '"18:15"'),
    });
    expect(p.message).toContain('基础时间，乡镇 450323101');
    load(`${bad}      evening: { enabled: false }\n`);
  });

  it('township quiet hours replace the base ones for that township', () => {
    const text = `${BASE}townships:\n  450323101:\n    quietHours:\n      - { from: "18:00", to: "07:00" }\n`;
    const problems = problemsOf(text);
    expect(problems.map((p) => [p.field, p.line])).toEqual([
      ['townships.450323101.quietHours[0]', lineWith(text, '"18:00"')],
      ['townships.450323101.quietHours[0]', lineWith(text, '"18:00"')],
    ]);
    expect(problems.map((p) => p.message.slice(0, 6))).toEqual(['时段"早间"', '时段"晚间"']);
  });

  it('reports every problem of a file, sorted by line', () => {
    const text = BASE.replace('Asia/Shanghai', 'Nowhere').replace('start: "12:00"', 'start: "12:60"');
    expect(problemsOf(text).map((p) => p.line)).toEqual([1, 11]);
    expect(loadScheduleText(BASE, 'x.yaml').ok).toBe(true);
  });
});

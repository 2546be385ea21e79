import { fileURLToPath } from 'node:url';
import { buildCalendar } from './calendar.ts';
import { loadScheduleText } from './schedule-file.ts';
import type { ScheduleDoc } from './schedule-schema.ts';
import type { ScheduleCalendar, ScheduleProblem } from './schedule-types.ts';

/** Test-only, shared by the schedule tests: the shipped file, a small valid file, and helpers to load and inspect them. */

export const DEFAULT_YAML = fileURLToPath(new URL('../../../schedules/default.yaml', import.meta.url));

/** Three daily slots and night quiet hours; line numbers are relied on by the tests (see comments). */
export const BASE = `timeZone: Asia/Shanghai
quietHours:
  - { from: "22:00", to: "06:00" }
slots:
  - id: morning
    name: 早间
    start: "06:30"
    maxMinutes: 30
  - id: noon
    name: 午间
    start: "12:00"
    maxMinutes: 30
  - id: evening
    name: 晚间
    start: "18:30"
    maxMinutes: 30
`;
// line 7: morning start, 11: noon start, 12: noon maxMinutes, 15: evening start

export function load(text: string): ScheduleDoc {
  const r = loadScheduleText(text, 'test.yaml');
  if (!r.ok) throw new Error(r.problems.map((p) => `${p.line} ${p.field}: ${p.message}`).join('\n'));
  return r.doc;
}

export function calendarOf(text: string): ScheduleCalendar {
  return buildCalendar(load(text));
}

export function problemsOf(text: string): ScheduleProblem[] {
  const r = loadScheduleText(text, 'test.yaml');
  if (r.ok) throw new Error('the file should have been refused but validated');
  return r.problems;
}

/** 1-based line of the first line containing `needle`. */
export function lineWith(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  if (i === -1) throw new Error(`not in text: ${needle}`);
  return i + 1;
}

export const iso = (ms: number) => new Date(ms).toISOString();

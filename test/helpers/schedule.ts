import { writeFileSync } from 'node:fs';
import { localDateIn } from '../../server/src/schedule/local-time.ts';
import { formatClock } from '../../server/src/schedule/programme-rules.ts';

export const ZONE = 'Asia/Shanghai';

/** The local date and time of day (HH:MM:SS) of an instant in the schedule's zone. */
export function localClock(at: number): { date: string; time: string } {
  return { date: localDateIn(ZONE, at), time: formatClock(at, ZONE) };
}

/** The next whole second at or after `at`. */
export const wholeSecond = (at: number) => Math.ceil(at / 1000) * 1000;

export interface TestSlot {
  id: string;
  name: string;
  start: string;
  maxMinutes: number;
}

/** A schedule file with the given slots every day and no quiet hours unless given. */
export function scheduleYaml(
  slots: readonly TestSlot[],
  quiet: ReadonlyArray<{ from: string; to: string }> = [],
): string {
  const lines = [`timeZone: ${ZONE}`, quiet.length === 0 ? 'quietHours: []' : 'quietHours:'];
  for (const q of quiet) lines.push(`  - { from: "${q.from}", to: "${q.to}" }`);
  lines.push('slots:');
  for (const s of slots) {
    lines.push(
      `  - id: ${s.id}`,
      `    name: ${s.name}`,
      `    start: "${s.start}"`,
      `    maxMinutes: ${s.maxMinutes}`,
      '    days: daily',
    );
  }
  return `${lines.join('\n')}\n`;
}

export function writeSchedule(
  file: string,
  slots: readonly TestSlot[],
  quiet: ReadonlyArray<{ from: string; to: string }> = [],
): void {
  writeFileSync(file, scheduleYaml(slots, quiet));
}

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_SCHEDULE_FILE } from '../config.ts';

/**
 * The shipped schedule file with its quiet hours emptied, written into `dir`. Routine broadcasts are refused
 * 22:00-06:00 Beijing time, so a demo (or a test on the real clock) would otherwise work only by day.
 */
export function writeScheduleWithoutQuietHours(dir: string): string {
  const shipped = readFileSync(DEFAULT_SCHEDULE_FILE, 'utf8');
  const quiet = /^quietHours:\n(?: {2}- .*\n)+/m;
  if (!quiet.test(shipped)) throw new Error(`${DEFAULT_SCHEDULE_FILE} 中找不到 quietHours 列表`);
  const file = path.join(dir, 'schedule-no-quiet-hours.yaml');
  writeFileSync(file, shipped.replace(quiet, 'quietHours: []\n'));
  return file;
}

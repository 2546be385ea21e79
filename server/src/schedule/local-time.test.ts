import { describe, expect, it } from 'vitest';
import {
  addDays,
  isKnownTimeZone,
  isLocalDate,
  isMonthDay,
  localDateIn,
  localToInstant,
  monthDayInRange,
  parseTimeOfDay,
  weekdayOf,
  zoneOffsetMs,
} from './local-time.ts';

describe('local-time', () => {
  it('parses HH:MM and HH:MM:SS and refuses everything else', () => {
    expect(parseTimeOfDay('06:30')).toBe(6 * 3600 + 30 * 60);
    expect(parseTimeOfDay('23:59:59')).toBe(86_399);
    expect(parseTimeOfDay('00:00')).toBe(0);
    for (const bad of ['24:00', '25:00', '6:30', '06:60', '06:30:60', '0630', '06:30 ', '']) {
      expect(parseTimeOfDay(bad), bad).toBeNull();
    }
  });

  it('checks calendar dates and month-days', () => {
    expect(isLocalDate('2028-02-29')).toBe(true);
    expect(isLocalDate('2026-02-29')).toBe(false);
    expect(isLocalDate('2026-13-01')).toBe(false);
    expect(isLocalDate('2026-1-01')).toBe(false);
    expect(isMonthDay('02-29')).toBe(true);
    expect(isMonthDay('04-31')).toBe(false);
    expect(isMonthDay('13-01')).toBe(false);
  });

  it('adds days across months, years and leap days', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2026-11-23', 0)).toBe('2026-11-23');
  });

  it('knows the weekday of a date', () => {
    expect(weekdayOf('2026-11-23')).toBe('mon');
    expect(weekdayOf('2026-11-28')).toBe('sat');
    expect(weekdayOf('2026-11-29')).toBe('sun');
    expect(weekdayOf('2027-01-01')).toBe('fri');
  });

  it('month-day ranges may wrap the year end', () => {
    expect(monthDayInRange('12-31', '10-01', '04-30')).toBe(true);
    expect(monthDayInRange('01-15', '10-01', '04-30')).toBe(true);
    expect(monthDayInRange('05-01', '10-01', '04-30')).toBe(false);
    expect(monthDayInRange('09-30', '05-01', '09-30')).toBe(true);
    expect(monthDayInRange('10-01', '05-01', '09-30')).toBe(false);
  });

  it('converts with the zone, not the host', () => {
    expect(isKnownTimeZone('Asia/Shanghai')).toBe(true);
    expect(isKnownTimeZone('Mars/Olympus')).toBe(false);
    const at = Date.parse('2026-11-22T23:00:00Z');
    expect(zoneOffsetMs('Asia/Shanghai', at)).toBe(8 * 3600_000);
    expect(localDateIn('Asia/Shanghai', at)).toBe('2026-11-23');
    expect(localDateIn('UTC', at)).toBe('2026-11-22');
    expect(localToInstant('Asia/Shanghai', '2026-11-23', 7 * 3600)).toBe(at);
    expect(localToInstant('Asia/Shanghai', '2026-11-23', 86_400)).toBe(Date.parse('2026-11-23T16:00:00Z'));
  });

  it('handles a zone with DST: gap moves forward, repeated hour takes the earlier instant', () => {
    const ny = 'America/New_York';
    expect(localToInstant(ny, '2026-07-01', 6 * 3600 + 1800)).toBe(Date.parse('2026-07-01T10:30:00Z'));
    expect(localToInstant(ny, '2026-12-01', 6 * 3600 + 1800)).toBe(Date.parse('2026-12-01T11:30:00Z'));
    // 2026-03-08 02:30 does not exist in New York: 03:30 EDT.
    expect(localToInstant(ny, '2026-03-08', 2 * 3600 + 1800)).toBe(Date.parse('2026-03-08T07:30:00Z'));
    // 2026-11-01 01:30 happens twice: the first (EDT).
    expect(localToInstant(ny, '2026-11-01', 3600 + 1800)).toBe(Date.parse('2026-11-01T05:30:00Z'));
    expect(localDateIn(ny, Date.parse('2026-11-01T03:59:59Z'))).toBe('2026-10-31');
  });
});

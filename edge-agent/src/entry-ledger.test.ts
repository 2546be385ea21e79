import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EntryLedger, LEDGER_KEEP_MS } from './entry-ledger.ts';
import { tempDir } from './testing/fixtures.ts';

describe('EntryLedger', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('keeps armed and ended across reopen; ended is final', () => {
    const file = join(tmp.dir, 'a.jsonl');
    const l = new EntryLedger(file, 1000);
    l.armed('x', 5000, 1000);
    l.armed('y', 6000, 1000);
    l.ended('x', 1500);
    l.armed('x', 5000, 1600); // ignored: ended is final
    l.close();
    const again = new EntryLedger(file, 2000);
    expect(again.get('x')).toBe('ended');
    expect(again.get('y')).toBe('armed');
    expect(again.get('z')).toBeUndefined();
    again.close();
  });

  it('ignores a torn last line and compacts old records at start', () => {
    const file = join(tmp.dir, 'b.jsonl');
    const l = new EntryLedger(file, 0);
    l.armed('old', 100, 0);
    l.ended('old', 200);
    l.armed('new', LEDGER_KEEP_MS + 5000, LEDGER_KEEP_MS);
    l.close();
    appendFileSync(file, '{"e":"torn","s":"ar');
    const again = new EntryLedger(file, LEDGER_KEEP_MS + 1000);
    expect(again.get('old')).toBeUndefined();
    expect(again.get('new')).toBe('armed');
    expect(again.size).toBe(1);
    again.ended('new', LEDGER_KEEP_MS + 2000);
    again.close();
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines.map((x) => JSON.parse(x).s)).toEqual(['armed', 'ended']);
  });
});

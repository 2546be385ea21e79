import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DiskReplayGuard } from './replay-guard.ts';
import { tempDir } from './testing/fixtures.ts';

const idsIn = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ')[0])
    .sort();

describe('DiskReplayGuard', () => {
  const t = tempDir();
  afterEach(() => t.cleanup());

  it('remembers ids across reopen and prunes expired ones', () => {
    let now = 1_000_000;
    const file = join(t.dir, 'seen.jsonl');
    const a = new DiskReplayGuard(file, () => now, 0);
    a.remember('aaaaaaaa', now + 1000);
    a.remember('bbbbbbbb', now + 60_000);
    // persisted before remember() returned
    expect(idsIn(file)).toEqual(['aaaaaaaa', 'bbbbbbbb']);
    a.close();

    const b = new DiskReplayGuard(file, () => now, 0);
    expect(b.has('aaaaaaaa')).toBe(true);
    expect(b.has('bbbbbbbb')).toBe(true);
    expect(b.has('cccccccc')).toBe(false);
    b.close();

    now += 2000;
    const c = new DiskReplayGuard(file, () => now, 0);
    expect(c.has('aaaaaaaa')).toBe(false);
    expect(c.has('bbbbbbbb')).toBe(true);
    c.remember('cccccccc', now + 5000);
    expect(idsIn(file)).toEqual(['bbbbbbbb', 'cccccccc']);
    now += 10 * 60_000;
    c.prune(now);
    expect(c.size).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe('');
    c.close();
  });

  it('keeps ids for a grace period past expiry', () => {
    let now = 1_000_000;
    const file = join(t.dir, 'seen2.jsonl');
    const g = new DiskReplayGuard(file, () => now, 60_000);
    g.remember('dddddddd', now + 1000);
    now += 30_000;
    g.prune(now);
    expect(g.has('dddddddd')).toBe(true);
    g.close();
  });

  it('ignores a torn last line left by a crash, keeping every complete one', () => {
    const now = 1_000_000;
    const file = join(t.dir, 'seen3.jsonl');
    const a = new DiskReplayGuard(file, () => now, 0);
    a.remember('eeeeeeee', now + 60_000);
    a.close();
    appendFileSync(file, 'ffffffff 10000'); // no newline, number cut short: a half-written line
    const b = new DiskReplayGuard(file, () => now, 0);
    expect(b.has('eeeeeeee')).toBe(true);
    expect(b.ids()).toEqual(['eeeeeeee']);
    b.close();
  });

  it('shrinks the log once expired ids dominate it', () => {
    let now = 1_000_000;
    const file = join(t.dir, 'seen4.jsonl');
    const g = new DiskReplayGuard(file, () => now, 0);
    for (let i = 0; i < 200; i++) {
      g.remember(`id${String(i).padStart(6, '0')}`, now + 10);
      now += 100; // each id has expired by the time the next arrives
    }
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
    expect(lines).toBeLessThan(100);
    expect(g.has(`id${String(199).padStart(6, '0')}`)).toBe(true);
    g.close();
  });
});

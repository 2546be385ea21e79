import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DiskReplayGuard } from './replay-guard.ts';
import { tempDir } from './testing/fixtures.ts';

describe('DiskReplayGuard', () => {
  const t = tempDir();
  afterEach(() => t.cleanup());

  it('remembers ids across reopen and prunes expired ones', () => {
    let now = 1_000_000;
    const file = join(t.dir, 'seen.json');
    const a = new DiskReplayGuard(file, () => now, 0);
    a.remember('aaaaaaaa', now + 1000);
    a.remember('bbbbbbbb', now + 60_000);
    // persisted before remember() returned
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')))).toEqual(['aaaaaaaa', 'bbbbbbbb']);

    const b = new DiskReplayGuard(file, () => now, 0);
    expect(b.has('aaaaaaaa')).toBe(true);
    expect(b.has('bbbbbbbb')).toBe(true);
    expect(b.has('cccccccc')).toBe(false);

    now += 2000;
    const c = new DiskReplayGuard(file, () => now, 0);
    expect(c.has('aaaaaaaa')).toBe(false);
    expect(c.has('bbbbbbbb')).toBe(true);
    c.remember('cccccccc', now + 5000);
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8'))).sort()).toEqual(['bbbbbbbb', 'cccccccc']);
    now += 10 * 60_000;
    c.prune(now);
    expect(c.size).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({});
  });

  it('keeps ids for a grace period past expiry', () => {
    let now = 1_000_000;
    const file = join(t.dir, 'seen2.json');
    const g = new DiskReplayGuard(file, () => now, 60_000);
    g.remember('dddddddd', now + 1000);
    now += 30_000;
    g.prune(now);
    expect(g.has('dddddddd')).toBe(true);
  });
});

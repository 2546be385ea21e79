import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NewTerminalEvent } from '@dlb/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { Outbox } from './outbox.ts';
import { tempDir } from './testing/fixtures.ts';

const ev = (n: number): NewTerminalEvent => ({
  type: 'outcome',
  at: 1_700_000_000_000 + n,
  commandId: `cmd-${n}`,
  broadcastId: 'b1',
  outcome: 3,
  startedAt: 1,
  endedAt: 2,
});

describe('Outbox', () => {
  const dirs: Array<{ cleanup(): void }> = [];
  const dir = () => {
    const d = tempDir();
    dirs.push(d);
    return d.dir;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) d.cleanup();
  });

  it('numbers events and continues the sequence after reopening', () => {
    const d = dir();
    const a = new Outbox(d);
    expect(a.append(ev(1)).seq).toBe(1);
    expect(a.append(ev(2)).seq).toBe(2);
    a.close();
    const b = new Outbox(d);
    expect(b.pendingCount).toBe(2);
    expect(b.append(ev(3)).seq).toBe(3);
    expect(b.pending().map((e) => e.seq)).toEqual([1, 2, 3]);
    b.close();
  });

  it('an appended event is on disk before append returns (a second reader sees it, no close)', () => {
    const d = dir();
    const a = new Outbox(d);
    a.append(ev(1));
    // Read the file while `a` is still open: the line is already written and synced.
    const text = readFileSync(join(d, 'events.jsonl'), 'utf8');
    expect(text.trim().split('\n')).toHaveLength(1);
    const b = new Outbox(d);
    expect(b.pending()[0]?.commandId).toBe('cmd-1');
    a.close();
    b.close();
  });

  it('ignores a torn last line and keeps appending cleanly after it', () => {
    const d = dir();
    const a = new Outbox(d);
    a.append(ev(1));
    a.close();
    appendFileSync(join(d, 'events.jsonl'), '{"type":"outcome","seq":2,"at":17');
    const b = new Outbox(d);
    expect(b.pendingCount).toBe(1);
    expect(b.append(ev(2)).seq).toBe(2);
    b.close();
    const c = new Outbox(d);
    expect(c.pending().map((e) => e.seq)).toEqual([1, 2]);
    c.close();
  });

  it('drops acknowledged events, persists the ack and never reuses a number after compaction', () => {
    const d = dir();
    const a = new Outbox(d, { compactAfter: 2 });
    for (let i = 1; i <= 3; i++) a.append(ev(i));
    expect(a.ack(2)).toBe(2);
    expect(a.pending().map((e) => e.seq)).toEqual([3]);
    expect(a.ack(1)).toBe(0); // stale ack
    a.close();
    const b = new Outbox(d);
    expect(b.pending().map((e) => e.seq)).toEqual([3]);
    b.ack(3);
    expect(b.pendingCount).toBe(0);
    expect(readFileSync(join(d, 'events.jsonl'), 'utf8')).toBe('');
    b.close();
    const c = new Outbox(d);
    expect(c.append(ev(4)).seq).toBe(4);
    c.close();
  });

  it('pending() pages after a sequence number with a limit', () => {
    const a = new Outbox(dir());
    for (let i = 1; i <= 5; i++) a.append(ev(i));
    expect(a.pending(2, 2).map((e) => e.seq)).toEqual([3, 4]);
    a.close();
  });

  it('has an id of its own that survives reopening; a fresh outbox (re-imaged board) gets a new one', () => {
    const d = dir();
    const a = new Outbox(d);
    a.append(ev(1));
    const id = a.id;
    expect(id).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    a.close();
    const b = new Outbox(d);
    expect(b.id).toBe(id);
    b.close();
    const c = new Outbox(dir());
    expect(c.id).not.toBe(id);
    c.close();
  });

  it('never takes an ack beyond the numbers it handed out', () => {
    const a = new Outbox(dir());
    a.append(ev(1));
    a.ack(500);
    expect(a.ackedUpTo).toBe(1);
    expect(a.append(ev(2)).seq).toBe(2);
    a.close();
  });
});

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTerminalId, signTarget, topics } from '@dlb/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { TargetStore } from './target-store.ts';
import { makeKey } from './testing/commands.ts';
import { tempDir, VILLAGE } from './testing/fixtures.ts';
import { entry, signedTarget } from './testing/targets.ts';

const key = makeKey();
const foreign = makeKey();
const tid = makeTerminalId(VILLAGE, 1);
const other = makeTerminalId(VILLAGE, 2);
const topic = topics.terminalTarget(tid);
const T0 = Date.UTC(2026, 10, 23);
const media = { sha256: 'a'.repeat(64), path: '/m/a.mp3', bytes: 10, durationMs: 1000, mime: 'audio/mpeg' };
const bytes = (v: unknown) => Buffer.from(JSON.stringify(v));

describe('TargetStore', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());
  const store = (name: string) =>
    new TargetStore({
      file: join(tmp.dir, name, 'target.json'),
      terminalId: tid,
      keys: new Map([[key.kid, key.publicKey]]),
      maxSkewMs: 30_000,
    });
  const target = (version: number, over: Partial<Parameters<typeof signedTarget>[1]> = {}) =>
    signedTarget(key, {
      tid,
      version,
      issuedAt: T0,
      entries: [entry({ id: `e${version}`, startAt: T0 + 3600_000, media })],
      ...over,
    });

  it('accepts a newer version, ignores the same and older ones, and keeps it on disk', () => {
    const s = store('a');
    const v2 = target(2);
    expect(s.offer(topic, bytes(v2), T0)).toMatchObject({ kind: 'accepted', previous: null });
    expect(s.offer(topic, bytes(v2), T0)).toMatchObject({ kind: 'ignored' });
    expect(s.offer(topic, bytes(target(2)), T0)).toMatchObject({ kind: 'ignored' });
    expect(s.offer(topic, bytes(target(1)), T0)).toMatchObject({ kind: 'ignored' });
    expect(s.offer(topic, Buffer.alloc(0), T0)).toMatchObject({ kind: 'ignored' });
    expect(s.offer(topic, Buffer.alloc(70 * 1024, 32), T0)).toMatchObject({ kind: 'ignored' });
    const v3 = target(3);
    expect(s.offer(topic, bytes(v3), T0)).toMatchObject({ kind: 'accepted', previous: { id: v2.id } });
    expect(s.held?.body.version).toBe(3);
    const reloaded = store('a');
    expect(reloaded.load()?.id).toBe(v3.id);
    expect(reloaded.valid(T0)).toBe(true);
    expect(reloaded.valid(v3.expiresAt + 1)).toBe(false);
  });

  it('refuses a bad signature, an expired target and one for another terminal, each reported once', () => {
    const s = store('b');
    const forged = signedTarget(
      { kid: key.kid, privateKey: foreign.privateKey },
      { tid, version: 5, entries: [] },
    );
    const r1 = s.offer(topic, bytes(forged), Date.now());
    expect(r1).toMatchObject({
      kind: 'rejected',
      event: { reason: 'bad-signature', commandId: forged.id, topic },
    });
    expect(s.offer(topic, bytes(forged), Date.now())).toEqual({ kind: 'rejected', event: null });
    const expired = target(6, { issuedAt: T0 - 50 * 3600_000, expiresAt: T0 - 1 });
    expect(s.offer(topic, bytes(expired), T0)).toMatchObject({
      kind: 'rejected',
      event: { reason: 'expired' },
    });
    const foreignTid = target(7, { tid: other });
    expect(s.offer(topic, bytes(foreignTid), T0)).toMatchObject({
      kind: 'rejected',
      event: { reason: 'wrong-audience' },
    });
    expect(s.offer(topic, Buffer.from('{nope'), T0)).toMatchObject({
      kind: 'rejected',
      event: { reason: 'malformed' },
    });
    expect(s.held).toBeNull();
  });

  it('ignores a tampered or corrupt target.json at load', () => {
    const s = store('c');
    s.offer(topic, bytes(target(4)), T0);
    const file = join(tmp.dir, 'c', 'target.json');
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, good.replace(`"volume":70`, `"volume":100`));
    expect(store('c').load()).toBeNull();
    writeFileSync(file, good.slice(0, 40));
    expect(store('c').load()).toBeNull();
    writeFileSync(file, good);
    expect(store('c').load()?.body.version).toBe(4);
  });

  it('keeps members it does not know, so the saved copy still verifies', () => {
    const s = store('d');
    const { v: _v, sig: _sig, ...unsigned } = target(9);
    const t = signTarget({ ...unsigned, note: '新字段' } as typeof unsigned, key);
    expect(s.offer(topic, bytes(t), T0).kind).toBe('accepted');
    expect(readFileSync(join(tmp.dir, 'd', 'target.json'), 'utf8')).toContain('新字段');
    expect(store('d').load()?.body.version).toBe(9);
  });
});

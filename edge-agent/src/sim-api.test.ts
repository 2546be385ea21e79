import {
  type DecodeMemo,
  MemoryReplayGuard,
  signEnvelope,
  sm2GenerateKeyPair,
  sm2KeyId,
  sm2Sign,
  verifyEnvelope,
} from '@dlb/protocol';
import { describe, expect, it } from 'vitest';
import { memoisedDecode, memoisedSignatureCheck } from './sim-api.ts';

describe('memoisedSignatureCheck', () => {
  const key = sm2GenerateKeyPair();
  const other = sm2GenerateKeyPair();
  const msg = new TextEncoder().encode('{"kind":"alert","id":"a1"}');
  const sig = sm2Sign(msg, key.privateKey);

  it('answers as sm2Verify does, for the same bytes again', () => {
    const check = memoisedSignatureCheck();
    expect(check(msg, sig, key.publicKey)).toBe(true);
    expect(check(msg, sig, key.publicKey)).toBe(true);
  });

  it('does not carry a good answer over to other bytes, another key or a changed signature', () => {
    const check = memoisedSignatureCheck();
    expect(check(msg, sig, key.publicKey)).toBe(true);
    const forged = new TextEncoder().encode('{"kind":"alert","id":"a2"}');
    expect(check(forged, sig, key.publicKey)).toBe(false);
    expect(check(msg, sig, other.publicKey)).toBe(false);
    const flipped = (sig[0] === 'a' ? 'b' : 'a') + sig.slice(1);
    expect(check(msg, flipped, key.publicKey)).toBe(false);
    expect(check(msg, sig, key.publicKey)).toBe(true);
  });

  it('stays bounded and still answers correctly after evicting', () => {
    const check = memoisedSignatureCheck(2);
    const m2 = new TextEncoder().encode('second');
    const m3 = new TextEncoder().encode('third');
    expect(check(m2, sm2Sign(m2, key.privateKey), key.publicKey)).toBe(true);
    expect(check(m3, sm2Sign(m3, key.privateKey), key.publicKey)).toBe(true);
    expect(check(msg, sig, key.publicKey)).toBe(true);
    expect(check(msg, sig, other.publicKey)).toBe(false);
  });
});

describe('memoisedDecode', () => {
  const key = sm2GenerateKeyPair();
  const other = sm2GenerateKeyPair();
  const keys = new Map([[sm2KeyId(key.publicKey), key.publicKey]]);
  const otherKeys = new Map([[sm2KeyId(other.publicKey), other.publicKey]]);
  const now = 1_800_000_000_000;
  const bytes = (id: string, signer = key) =>
    Buffer.from(
      JSON.stringify(
        signEnvelope(
          {
            id,
            kind: 'stop',
            issuedAt: now,
            expiresAt: now + 60_000,
            body: { broadcastId: 'b1', audience: { kind: 'area', code: '450323' } },
          } as never,
          { kid: sm2KeyId(signer.publicKey), privateKey: signer.privateKey },
        ),
      ),
    );
  const verify = (payload: Buffer, memo: DecodeMemo | undefined, o: { at?: number; k?: typeof keys } = {}) =>
    verifyEnvelope(payload, {
      keys: o.k ?? keys,
      now: o.at ?? now,
      replay: new MemoryReplayGuard(),
      ...(memo && { decodeMemo: memo }),
    });

  it('answers as the plain check does, for good, forged, foreign-key and expired commands alike', () => {
    const memo = memoisedDecode();
    const good = bytes('cmd-good-0001');
    const forged = Buffer.from(good.toString().replace('450323', '450324'));
    const foreign = bytes('cmd-foreign-01', other);
    for (const [payload, o] of [
      [good, {}],
      [good, {}],
      [forged, {}],
      [foreign, {}],
      [good, { k: otherKeys }],
      [good, { at: now + 120_000 }],
    ] as const) {
      const plain = verify(payload, undefined, o);
      expect(verify(payload, memo, o)).toEqual(plain);
    }
    expect(verify(good, memo).ok).toBe(true);
    expect(verify(forged, memo)).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(verify(good, memo, { at: now + 120_000 })).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('still refuses a replay to the terminal that saw it, and hands out a frozen envelope', () => {
    const memo = memoisedDecode();
    const good = bytes('cmd-replay-001');
    const replay = new MemoryReplayGuard();
    const opts = { keys, now, replay, decodeMemo: memo };
    const first = verifyEnvelope(good, opts);
    expect(first.ok).toBe(true);
    expect(verifyEnvelope(good, opts)).toMatchObject({ ok: false, reason: 'replay' });
    expect(verify(good, memo).ok).toBe(true); // another terminal, its own guard
    if (first.ok) expect(Object.isFrozen(first.envelope.body)).toBe(true);
  });
});

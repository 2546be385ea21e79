import { sm2GenerateKeyPair, sm2Sign } from '@dlb/protocol';
import { describe, expect, it } from 'vitest';
import { memoisedSignatureCheck } from './sim-api.ts';

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

import { randomBytes } from 'node:crypto';
import { sm3 as theirSm3, sm2 as theirs } from 'sm-crypto';
import { describe, expect, it } from 'vitest';
import { SM2_DEFAULT_ID, sm2GenerateKeyPair, sm2KeyId, sm2PublicKeyOf, sm2Sign, sm2Verify } from './sm2.ts';
import { sm3, sm3Hex } from './sm3.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);
const N = 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n;
const hex32 = (x: bigint) => x.toString(16).padStart(64, '0');

/** Flip one bit of a hex string at the given hex digit. */
function flipHex(hex: string, at: number): string {
  const digit = (Number.parseInt(hex[at] ?? '0', 16) ^ 1).toString(16);
  return hex.slice(0, at) + digit + hex.slice(at + 1);
}

describe('SM3 (GB/T 32905 examples)', () => {
  it('hashes "abc"', () => {
    expect(sm3Hex('abc')).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
    expect(Buffer.from(sm3(utf8('abc'))).toString('hex')).toBe(sm3Hex('abc'));
  });

  it('hashes the 64-byte "abcd"×16 example', () => {
    expect(sm3Hex('abcd'.repeat(16))).toBe(
      'debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732',
    );
  });

  it('hashes strings as UTF-8, matching sm-crypto', () => {
    const text = '大喇叭：请各村注意防汛';
    expect(sm3Hex(text)).toBe(sm3Hex(utf8(text)));
    expect(sm3Hex(text)).toBe(theirSm3(text));
    expect(sm3(text)).toBeInstanceOf(Uint8Array);
    expect(sm3(text)).toHaveLength(32);
  });
});

describe('SM2 signature example (GM/T 0003.5, recommended curve)', () => {
  const d = '3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8';
  const pub =
    '04' +
    '09f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020' +
    'ccea490ce26775a52dc6ea718cc1aa600aed05fbf35e084a6632f6072da9ad13';
  const k = 0x59276e27d506861a16680f3ad9c02dccef3cc1fa3cdbe4ce6d54b80deac1bc21n;
  const expected =
    'f5a03b0648d2c4630eeac513e1bb81a15944da3827d5b74143ac7eaceee720b3' +
    'b1b6aa29df212fd8763182bc0d421ca1bb9038fd1f7f42d4840b69c485bbc1aa';
  const msg = utf8('message digest');

  it('derives the example public key', () => {
    expect(sm2PublicKeyOf(d)).toBe(pub);
  });

  it('reproduces the example signature with the example k and default ID', () => {
    expect(sm2Sign(msg, d, { k: () => k })).toBe(expected);
  });

  it('verifies the example signature, and so does sm-crypto', () => {
    expect(sm2Verify(msg, expected, pub)).toBe(true);
    expect(theirs.doVerifySignature(msg, expected, pub, { hash: true, userId: SM2_DEFAULT_ID })).toBe(true);
  });
});

describe('key pairs', () => {
  it('generates well-formed, distinct keys whose public half matches', () => {
    const a = sm2GenerateKeyPair();
    const b = sm2GenerateKeyPair();
    expect(a.privateKey).toMatch(/^[0-9a-f]{64}$/);
    expect(a.publicKey).toMatch(/^04[0-9a-f]{128}$/);
    expect(a.privateKey).not.toBe(b.privateKey);
    expect(sm2PublicKeyOf(a.privateKey)).toBe(a.publicKey);
    expect(theirs.getPublicKeyFromPrivateKey(a.privateKey)).toBe(a.publicKey);
    expect(theirs.verifyPublicKey(a.publicKey)).toBe(true);
  });

  it('rejects private keys outside [1, n-2] and malformed ones', () => {
    for (const bad of [hex32(0n), hex32(N - 1n), hex32(N), 'ff'.repeat(32), 'abc', 'zz'.repeat(32), '']) {
      expect(() => sm2PublicKeyOf(bad)).toThrow();
      expect(() => sm2Sign(utf8('x'), bad)).toThrow();
    }
    expect(sm2PublicKeyOf(hex32(N - 2n))).toMatch(/^04[0-9a-f]{128}$/);
  });

  it('key id is the first 16 hex digits of SM3 over the 65-byte public key', () => {
    const { publicKey } = sm2GenerateKeyPair();
    const id = sm2KeyId(publicKey);
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(id).toBe(theirSm3(Array.from(Buffer.from(publicKey, 'hex'))).slice(0, 16));
    expect(sm2KeyId(publicKey.toUpperCase())).toBe(id);
    expect(sm2KeyId(sm2GenerateKeyPair().publicKey)).not.toBe(id);
    expect(() => sm2KeyId(publicKey.slice(2))).toThrow();
  });
});

describe('interop with sm-crypto', () => {
  const messages: Array<[string, Uint8Array]> = [
    ['empty', new Uint8Array(0)],
    ['ascii', utf8('stop broadcast 42')],
    ['chinese', utf8('紧急通知：今晚有暴雨，请低洼地区村民立即转移。')],
    ['binary', new Uint8Array(randomBytes(1000))],
  ];
  const keys = [sm2GenerateKeyPair(), sm2GenerateKeyPair(), theirs.generateKeyPairHex()];

  it('sm-crypto verifies our signatures', () => {
    for (const { privateKey, publicKey } of keys) {
      for (const [, msg] of messages) {
        const sig = sm2Sign(msg, privateKey);
        expect(sig).toMatch(/^[0-9a-f]{128}$/);
        expect(theirs.doVerifySignature(msg, sig, publicKey, { hash: true, userId: SM2_DEFAULT_ID })).toBe(
          true,
        );
      }
    }
  });

  it('we verify sm-crypto signatures', () => {
    for (const { privateKey, publicKey } of keys) {
      for (const [, msg] of messages) {
        const sig = theirs.doSignature(msg, privateKey, { hash: true });
        expect(sm2Verify(msg, sig, publicKey)).toBe(true);
      }
    }
  });

  it('agrees on UTF-8: sm-crypto signing the JS string verifies against our bytes', () => {
    const { privateKey, publicKey } = keys[0]!;
    const text = '乡镇广播站 测试 ✓';
    expect(sm2Verify(utf8(text), theirs.doSignature(text, privateKey, { hash: true }), publicKey)).toBe(true);
    expect(theirs.doVerifySignature(text, sm2Sign(utf8(text), privateKey), publicKey, { hash: true })).toBe(
      true,
    );
  });

  it('a non-default ID works both ways and binds the signature to that ID', () => {
    const { privateKey, publicKey } = keys[1]!;
    const msg = utf8('volume 60');
    for (const id of ['ALICE123@YAHOO.COM', '县应急广播中心']) {
      const ours = sm2Sign(msg, privateKey, { id });
      expect(theirs.doVerifySignature(msg, ours, publicKey, { hash: true, userId: id })).toBe(true);
      expect(theirs.doVerifySignature(msg, ours, publicKey, { hash: true })).toBe(false);
      expect(sm2Verify(msg, ours, publicKey, { id })).toBe(true);
      expect(sm2Verify(msg, ours, publicKey)).toBe(false);

      const theirSig = theirs.doSignature(msg, privateKey, { hash: true, userId: id });
      expect(sm2Verify(msg, theirSig, publicKey, { id })).toBe(true);
      expect(sm2Verify(msg, theirSig, publicKey, { id: `${id}x` })).toBe(false);
    }
  });
});

describe('signing', () => {
  const { privateKey, publicKey } = sm2GenerateKeyPair();
  const msg = utf8('play 1');

  it('uses a fresh random k each time', () => {
    const a = sm2Sign(msg, privateKey);
    const b = sm2Sign(msg, privateKey);
    expect(a).not.toBe(b);
    expect(sm2Verify(msg, a, publicKey)).toBe(true);
    expect(sm2Verify(msg, b, publicKey)).toBe(true);
  });

  it('accepts an uppercase private key and refuses an injected k out of range', () => {
    expect(sm2Verify(msg, sm2Sign(msg, privateKey.toUpperCase()), publicKey)).toBe(true);
    expect(() => sm2Sign(msg, privateKey, { k: () => 0n })).toThrow();
    expect(() => sm2Sign(msg, privateKey, { k: () => N })).toThrow();
  });
});

describe('verification refuses, never throws', () => {
  const { privateKey, publicKey } = sm2GenerateKeyPair();
  const other = sm2GenerateKeyPair();
  const msg = utf8('{"kind":"play","id":"abc"}');
  const sig = sm2Sign(msg, privateKey);
  const r = sig.slice(0, 64);
  const s = sig.slice(64);

  it('accepts the genuine signature (control)', () => {
    expect(sm2Verify(msg, sig, publicKey)).toBe(true);
  });

  it('refuses a tampered message', () => {
    const tampered = msg.slice();
    tampered[3] = (tampered[3] ?? 0) ^ 0x01;
    expect(sm2Verify(tampered, sig, publicKey)).toBe(false);
    expect(sm2Verify(utf8('{"kind":"play","id":"abd"}'), sig, publicKey)).toBe(false);
    expect(sm2Verify(new Uint8Array(0), sig, publicKey)).toBe(false);
  });

  it('refuses a tampered signature', () => {
    for (const at of [0, 31, 63, 64, 100, 127])
      expect(sm2Verify(msg, flipHex(sig, at), publicKey)).toBe(false);
    expect(sm2Verify(msg, s + r, publicKey)).toBe(false);
  });

  it('refuses the wrong public key', () => {
    expect(sm2Verify(msg, sig, other.publicKey)).toBe(false);
  });

  it('refuses r or s outside [1, n-1] and r + s = n', () => {
    const rBig = BigInt(`0x${r}`);
    for (const bad of [
      hex32(0n) + s,
      r + hex32(0n),
      hex32(N) + s,
      r + hex32(N),
      r + hex32(N - rBig), // t = (r + s) mod n = 0
      'f'.repeat(128),
    ]) {
      expect(sm2Verify(msg, bad, publicKey)).toBe(false);
    }
  });

  it('refuses malformed signatures and keys', () => {
    const offCurve = flipHex(publicKey, 129); // last bit of y
    const cases: Array<[unknown, unknown, unknown]> = [
      [msg, `${sig}00`, publicKey],
      [msg, sig.slice(0, 126), publicKey],
      [msg, '', publicKey],
      [msg, `${sig.slice(0, 127)}g`, publicKey],
      [msg, ` ${sig.slice(1)}`, publicKey],
      [msg, null, publicKey],
      [msg, 42, publicKey],
      [msg, sig, offCurve],
      [msg, sig, publicKey.slice(2)],
      [msg, sig, `02${publicKey.slice(2, 66)}`],
      [msg, sig, `05${publicKey.slice(2)}`],
      [msg, sig, '00'],
      [msg, sig, ''],
      [msg, sig, `04${'0'.repeat(128)}`],
      [msg, sig, undefined],
      ['{"kind":"play","id":"abc"}', sig, publicKey],
      [null, sig, publicKey],
    ];
    for (const [m, sg, pk] of cases) {
      expect(() => sm2Verify(m as Uint8Array, sg as string, pk as string)).not.toThrow();
      expect(sm2Verify(m as Uint8Array, sg as string, pk as string)).toBe(false);
    }
    expect(sm2Verify(msg, sig, publicKey, { id: 'x'.repeat(9000) })).toBe(false);
    expect(sm2Verify(msg, sig, publicKey, { id: 7 as unknown as string })).toBe(false);
  });
});

describe('key cache', () => {
  it('stays correct once a hot key has its own precomputed table', () => {
    const { privateKey, publicKey } = sm2GenerateKeyPair();
    const other = sm2GenerateKeyPair();
    for (let i = 0; i < 20; i++) {
      const msg = utf8(`command ${i}`);
      const sig = sm2Sign(msg, privateKey);
      expect(sm2Verify(msg, sig, publicKey)).toBe(true);
      expect(sm2Verify(msg, flipHex(sig, i * 3), publicKey)).toBe(false);
      expect(sm2Verify(utf8(`command ${i + 1}`), sig, publicKey)).toBe(false);
      expect(sm2Verify(msg, sig, other.publicKey)).toBe(false);
    }
  });

  it('stays correct after evicting entries', () => {
    const first = sm2GenerateKeyPair();
    const msg = utf8('evict');
    const sig = sm2Sign(msg, first.privateKey);
    for (let i = 0; i < 70; i++) {
      const { publicKey } = sm2GenerateKeyPair();
      expect(sm2Verify(msg, sig, publicKey)).toBe(false);
    }
    expect(sm2Verify(msg, sig, first.publicKey)).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { sm2GenerateKeyPair, sm2KeyId } from './crypto/sm2.ts';
import {
  type Envelope,
  MemoryReplayGuard,
  type Signer,
  signEnvelope,
  signingInput,
  type UnsignedEnvelope,
  type VerifyOptions,
  verifyEnvelope,
} from './envelope.ts';

// A fixed instant (2024-06-01 08:00 Asia/Shanghai); the real clock is never consulted.
const NOW = Date.UTC(2024, 5, 1, 0, 0, 0);
const SKEW = 30_000;

const keyA = sm2GenerateKeyPair();
const keyB = sm2GenerateKeyPair();
const kidA = sm2KeyId(keyA.publicKey);
const kidB = sm2KeyId(keyB.publicKey);
const signerA: Signer = { kid: kidA, privateKey: keyA.privateKey };

function playCommand(overrides: Partial<UnsignedEnvelope> = {}): UnsignedEnvelope {
  return {
    id: 'cmd_0001-abcdef',
    kind: 'play',
    issuedAt: NOW - 1_000,
    expiresAt: NOW + 10 * 60_000,
    body: {
      broadcastId: 'b-20240601-01',
      title: '防汛紧急通知',
      priority: 240,
      media: {
        sha256: 'ab'.repeat(32),
        path: '/media/ab/flood.mp3',
        bytes: 48_000,
        durationMs: 3_000,
        mime: 'audio/mpeg',
      },
      volume: 80,
      audience: { kind: 'area', code: '341822' },
    },
    ...overrides,
  } as UnsignedEnvelope;
}

function options(overrides: Partial<VerifyOptions> = {}): VerifyOptions {
  return {
    keys: new Map([[kidA, keyA.publicKey]]),
    now: NOW,
    maxSkewMs: SKEW,
    replay: new MemoryReplayGuard(),
    ...overrides,
  };
}

/** The envelope as it travels: JSON text, then a mutable parsed copy for tampering. */
function wire(env: unknown): string {
  return JSON.stringify(env);
}
function reparse(env: Envelope): Record<string, unknown> & { body: Record<string, unknown> } {
  return JSON.parse(JSON.stringify(env));
}

function reasonOf(input: unknown, opts: VerifyOptions = options()): string {
  const res = verifyEnvelope(input, opts);
  return res.ok ? 'ok' : res.reason;
}

/** Rebuild an object with every key order reversed, recursively. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .reverse()
        .map((k) => [k, reverseKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

describe('verifyEnvelope', () => {
  it('accepts a valid signed play command, as text, bytes or object', () => {
    const env = signEnvelope(playCommand(), signerA);
    expect(env.v).toBe(1);
    expect(env.sig).toMatchObject({ alg: 'SM2-SM3', kid: kidA });
    expect(env.sig.value).toMatch(/^[0-9a-f]{128}$/);

    const res = verifyEnvelope(wire(env), options());
    expect(res.ok).toBe(true);
    if (res.ok) {
      expect(res.envelope.id).toBe('cmd_0001-abcdef');
      expect(res.envelope.kind).toBe('play');
      expect(res.envelope.body).toEqual(playCommand().body);
    }
    expect(reasonOf(new TextEncoder().encode(wire(env)))).toBe('ok');
    expect(reasonOf(reparse(env))).toBe('ok');
  });

  it('refuses a signature by another key presented under a pinned kid', () => {
    const forged = signEnvelope(playCommand(), { kid: kidA, privateKey: keyB.privateKey });
    const res = verifyEnvelope(wire(forged), options());
    expect(res).toMatchObject({ ok: false, reason: 'bad-signature', id: 'cmd_0001-abcdef' });
  });

  it('refuses a kid that is not pinned', () => {
    const env = signEnvelope(playCommand(), { kid: kidB, privateKey: keyB.privateKey });
    expect(reasonOf(wire(env))).toBe('unknown-key');
    // The same envelope passes once that key is pinned: the refusal was about the key, nothing else.
    expect(reasonOf(wire(env), options({ keys: new Map([[kidB, keyB.publicKey]]) }))).toBe('ok');
  });

  it('refuses an expired command, but not at the exact expiry instant', () => {
    const env = signEnvelope(playCommand({ issuedAt: NOW - 120_000, expiresAt: NOW - 1 }), signerA);
    expect(reasonOf(wire(env))).toBe('expired');
    const edge = signEnvelope(playCommand({ expiresAt: NOW }), signerA);
    expect(reasonOf(wire(edge))).toBe('ok');
  });

  it('refuses notBefore further in the future than the allowed skew', () => {
    const early = signEnvelope(playCommand({ notBefore: NOW + SKEW + 1 }), signerA);
    expect(reasonOf(wire(early))).toBe('not-yet-valid');
    const withinSkew = signEnvelope(playCommand({ notBefore: NOW + SKEW }), signerA);
    expect(reasonOf(wire(withinSkew))).toBe('ok');
  });

  it('refuses an issue time further in the future than the allowed skew', () => {
    const future = signEnvelope(playCommand({ issuedAt: NOW + SKEW + 1 }), signerA);
    expect(reasonOf(wire(future))).toBe('issued-in-future');
    const withinSkew = signEnvelope(playCommand({ issuedAt: NOW + SKEW }), signerA);
    expect(reasonOf(wire(withinSkew))).toBe('ok');
  });

  it('uses the default 30 s skew when none is given', () => {
    const env = signEnvelope(playCommand({ issuedAt: NOW + 30_001 }), signerA);
    expect(reasonOf(wire(env), options({ maxSkewMs: undefined }))).toBe('issued-in-future');
  });

  it('accepts an id once, then refuses it as a replay', () => {
    const env = signEnvelope(playCommand(), signerA);
    const opts = options();
    expect(verifyEnvelope(wire(env), opts).ok).toBe(true);
    expect(verifyEnvelope(wire(env), opts)).toMatchObject({ ok: false, reason: 'replay', id: env.id });
    // A fresh signature over the same id is still a replay.
    expect(reasonOf(wire(signEnvelope(playCommand(), signerA)), opts)).toBe('replay');
  });

  it('does not remember ids of refused commands, so a forgery cannot block the genuine one', () => {
    const opts = options();
    const forged = signEnvelope(playCommand(), { kid: kidA, privateKey: keyB.privateKey });
    expect(reasonOf(wire(forged), opts)).toBe('bad-signature');
    expect(reasonOf(wire(signEnvelope(playCommand(), signerA)), opts)).toBe('ok');
  });

  it('refuses a body member changed after signing', () => {
    const env = reparse(signEnvelope(playCommand(), signerA));
    env.body.priority = 250;
    expect(reasonOf(wire(env))).toBe('bad-signature');
  });

  it('refuses a header member changed after signing', () => {
    const env = reparse(signEnvelope(playCommand(), signerA));
    env.expiresAt = (env.expiresAt as number) + 1;
    expect(reasonOf(wire(env))).toBe('bad-signature');
  });

  it('refuses unknown members added after signing, at the top level or in the body', () => {
    const top = reparse(signEnvelope(playCommand(), signerA));
    top.extra = 'x';
    expect(reasonOf(wire(top))).toBe('bad-signature');
    // The body schema strips unknown members, so only the signature over the raw object catches this.
    const inBody = reparse(signEnvelope(playCommand(), signerA));
    inBody.body.repeat = 99;
    expect(reasonOf(wire(inBody))).toBe('bad-signature');
  });

  it('refuses malformed input', () => {
    const good = signEnvelope(playCommand(), signerA);
    expect(reasonOf('{not json')).toBe('malformed');
    expect(reasonOf(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))).toBe('malformed'); // invalid UTF-8
    expect(reasonOf('null')).toBe('malformed');
    expect(reasonOf('[]')).toBe('malformed');
    expect(reasonOf(wire({ ...good, v: 2 }))).toBe('malformed');
    expect(reasonOf(wire({ ...good, kind: 'reboot' }))).toBe('malformed');
    expect(reasonOf(wire({ ...good, id: 'short' }))).toBe('malformed');
    expect(reasonOf(wire({ ...good, sig: { ...good.sig, alg: 'ECDSA-SM3' } }))).toBe('malformed');
    expect(reasonOf(wire({ ...good, sig: { ...good.sig, value: good.sig.value.slice(2) } }))).toBe(
      'malformed',
    );
    const { sig: _sig, ...unsigned } = good;
    expect(reasonOf(wire(unsigned))).toBe('malformed');
    expect(reasonOf(wire({ ...good, expiresAt: '2024-06-01' }))).toBe('malformed');
  });

  it('refuses, rather than throws on, an extra member with no canonical form', () => {
    // Unknown members skip the schema; the pinned kid gets them as far as canonicalisation.
    const signed = wire(signEnvelope(playCommand(), signerA));
    const infinite = signed.replace(/^\{/, '{"x":1e400,'); // parses to Infinity
    const deep = signed.replace(/^\{/, `{"x":${'['.repeat(25_000)}${']'.repeat(25_000)},`); // < 64 KiB
    for (const text of [infinite, deep]) {
      expect(() => verifyEnvelope(text, options())).not.toThrow();
      expect(verifyEnvelope(text, options())).toMatchObject({
        ok: false,
        reason: 'malformed',
        id: 'cmd_0001-abcdef',
      });
    }
  });

  it('refuses a correctly signed command whose body is invalid as malformed, with its id', () => {
    const body = { ...playCommand().body, priority: 300 } as UnsignedEnvelope['body'];
    const env = signEnvelope(playCommand({ body } as Partial<UnsignedEnvelope>), signerA);
    expect(verifyEnvelope(wire(env), options())).toMatchObject({
      ok: false,
      reason: 'malformed',
      id: env.id,
    });
    const stopWithoutBroadcast = signEnvelope(
      {
        ...playCommand(),
        kind: 'stop',
        body: { audience: { kind: 'area', code: '341822' } },
      } as UnsignedEnvelope,
      signerA,
    );
    expect(reasonOf(wire(stopWithoutBroadcast))).toBe('malformed');
  });
});

describe('canonical signing input', () => {
  it('does not depend on key order', () => {
    const env = signEnvelope(playCommand(), signerA);
    const reordered = reverseKeys(env) as Record<string, unknown>;
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(env));
    expect(signingInput(reordered)).toEqual(signingInput(env as unknown as Record<string, unknown>));
    expect(reasonOf(JSON.stringify(reordered))).toBe('ok');
  });

  it('signs every member but sig, with sorted keys and no whitespace', () => {
    const env = signEnvelope(playCommand(), signerA);
    const text = new TextDecoder().decode(signingInput(env as unknown as Record<string, unknown>));
    expect(text).not.toContain('"sig"');
    expect(text).not.toMatch(/\s"|":\s/);
    expect(text.startsWith('{"body":{"audience":{"code":"341822","kind":"area"},"broadcastId"')).toBe(true);
    expect(text.endsWith(',"v":1}')).toBe(true);
  });
});

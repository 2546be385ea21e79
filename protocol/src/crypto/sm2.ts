/**
 * SM2 digital signatures (GB/T 32918.2 / GM/T 0003.2) with SM3, on the recommended curve sm2p256v1.
 * Implemented here because Node's crypto, given an SM2 key, does ECDSA-with-SM3 (no Z_A, different
 * equations), which no SM2 verifier accepts.
 */
import { createHash, randomBytes } from 'node:crypto';
import { type WeierstrassPoint, weierstrass } from '@noble/curves/abstract/weierstrass.js';
import { sm3 } from './sm3.ts';

export const SM2_DEFAULT_ID = '1234567812345678';

export interface Sm2KeyPair {
  /** 64 lowercase hex digits. */
  privateKey: string;
  /** '04' + 128 lowercase hex digits (uncompressed point). */
  publicKey: string;
}

// sm2p256v1 (GM/T 0003.5 recommended parameters).
const P = 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn;
const A = 0xfffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffcn;
const B = 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n;
const N = 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n;
const GX = 0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7n;
const GY = 0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0n;

// noble precomputes a window table for BASE on first use, which makes k·G and d·G cheap.
const Point = weierstrass({ p: P, n: N, h: 1n, a: A, b: B, Gx: GX, Gy: GY });
type Pt = WeierstrassPoint<bigint>;
const Fn = Point.Fn;

const HEX64 = /^[0-9a-fA-F]{64}$/;
const HEX128 = /^[0-9a-fA-F]{128}$/;
const PUBLIC_KEY_HEX = /^04[0-9a-fA-F]{128}$/;

function to32Hex(x: bigint): string {
  return x.toString(16).padStart(64, '0');
}

function bytesToBigint(bytes: Uint8Array): bigint {
  return BigInt(`0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`);
}

/** a || b || x_G || y_G: the fixed middle of every Z_A. */
const CURVE_BYTES = Buffer.from(to32Hex(A) + to32Hex(B) + to32Hex(GX) + to32Hex(GY), 'hex');

/** Uniform scalar in [1, max] by rejection sampling; max is close to 2^256 so retries are ~2^-32 rare. */
function randomScalar(max: bigint): bigint {
  for (;;) {
    const x = BigInt(`0x${randomBytes(32).toString('hex')}`);
    if (x >= 1n && x <= max) return x;
  }
}

/** d must lie in [1, n-2] so that 1 + d is invertible mod n. */
function parsePrivateKey(privateKeyHex: string): bigint {
  if (typeof privateKeyHex !== 'string' || !HEX64.test(privateKeyHex)) {
    throw new TypeError('SM2 private key must be 64 hex digits');
  }
  const d = BigInt(`0x${privateKeyHex}`);
  if (d < 1n || d > N - 2n) throw new RangeError('SM2 private key out of range [1, n-2]');
  return d;
}

/** ENTL_A is a 16-bit bit length, so the ID may be at most 8191 bytes. */
function idBytes(id: string): Uint8Array {
  const bytes = new TextEncoder().encode(id);
  if (bytes.length * 8 > 0xffff) throw new RangeError('SM2 ID too long');
  return bytes;
}

function computeZa(id: string, point: Pt): Uint8Array {
  const idb = idBytes(id);
  const bits = idb.length * 8;
  const xy = point.toBytes(false).subarray(1);
  return sm3(Buffer.concat([Uint8Array.of(bits >> 8, bits & 0xff), idb, CURVE_BYTES, xy]));
}

interface KeyContext {
  point: Pt;
  za: Uint8Array;
  /** Verifications with this key; signing does not count, it never multiplies P_A. */
  uses: number;
}

/**
 * Once a key has verified this many signatures it gets its own window table: ~65 ms and ~0.3 MB once,
 * then t·P_A runs ~6x faster. Keys seen only a few times are not worth the table.
 */
const HOT_KEY_USES = 8;
const HOT_KEY_WINDOW = 6;

/**
 * Decoded public points and their Z_A, per (id, key). Bounded so a stream of distinct keys cannot grow
 * memory; the few pinned keys of a terminal stay hot.
 */
const KEY_CACHE_MAX = 64;
const keyCache = new Map<string, KeyContext>();

/** Throws on a malformed key or a point not on the curve. */
function keyContext(publicKeyHex: string, id: string): KeyContext {
  const pub = publicKeyHex.toLowerCase();
  const cacheKey = `${id}\u0000${pub}`;
  const hit = keyCache.get(cacheKey);
  if (hit) {
    // Re-insert so the Map's insertion order doubles as least-recently-used order.
    keyCache.delete(cacheKey);
    keyCache.set(cacheKey, hit);
    return hit;
  }
  if (!PUBLIC_KEY_HEX.test(pub)) throw new TypeError('SM2 public key must be 04 + 128 hex digits');
  const point = Point.fromHex(pub); // validates the curve equation; infinity has no encoding
  const ctx = { point, za: computeZa(id, point), uses: 0 };
  if (keyCache.size >= KEY_CACHE_MAX) {
    const oldest = keyCache.keys().next().value;
    if (oldest !== undefined) keyCache.delete(oldest);
  }
  keyCache.set(cacheKey, ctx);
  return ctx;
}

/** e = SM3(Z_A || M), as an integer. */
function digest(za: Uint8Array, message: Uint8Array): bigint {
  return bytesToBigint(createHash('sm3').update(za).update(message).digest());
}

export function sm2GenerateKeyPair(): Sm2KeyPair {
  const privateKey = to32Hex(randomScalar(N - 2n));
  return { privateKey, publicKey: sm2PublicKeyOf(privateKey) };
}

export function sm2PublicKeyOf(privateKeyHex: string): string {
  return Point.BASE.multiply(parsePrivateKey(privateKeyHex)).toHex(false);
}

interface SignerContext {
  publicKey: string;
  /** (1 + d)^-1 mod n */
  invOnePlusD: bigint;
}

/** The server signs with one or two keys; caching saves a scalar multiplication and an inversion per signature. */
const SIGNER_CACHE_MAX = 8;
const signerCache = new Map<string, SignerContext>();

function signerContext(privateKeyHex: string, d: bigint): SignerContext {
  const cacheKey = privateKeyHex.toLowerCase();
  const hit = signerCache.get(cacheKey);
  if (hit) return hit;
  const ctx = { publicKey: Point.BASE.multiply(d).toHex(false), invOnePlusD: Fn.inv(d + 1n) };
  if (signerCache.size >= SIGNER_CACHE_MAX) signerCache.clear();
  signerCache.set(cacheKey, ctx);
  return ctx;
}

export interface Sm2SignOptions {
  /** Distinguishing ID of the signer; default {@link SM2_DEFAULT_ID}. */
  id?: string;
  /** Nonce source; only for reproducing the standard's worked example. Never inject k in production. */
  k?: () => bigint;
}

/** Returns r || s as 128 lowercase hex digits. Throws on a malformed private key or ID. */
export function sm2Sign(message: Uint8Array, privateKeyHex: string, opts: Sm2SignOptions = {}): string {
  if (!(message instanceof Uint8Array)) throw new TypeError('message must be a Uint8Array');
  const d = parsePrivateKey(privateKeyHex);
  const signer = signerContext(privateKeyHex, d);
  const e = digest(keyContext(signer.publicKey, opts.id ?? SM2_DEFAULT_ID).za, message);
  const nextK = opts.k ?? (() => randomScalar(N - 1n));
  // Each retry is ~2^-256 likely with a random k; the cap only stops a constant injected k looping forever.
  for (let attempt = 0; attempt < 64; attempt++) {
    const k = nextK();
    if (typeof k !== 'bigint' || k < 1n || k >= N) throw new RangeError('SM2 nonce k out of range [1, n-1]');
    const x1 = Point.BASE.multiply(k).toAffine().x;
    const r = Fn.create(e + x1);
    if (r === 0n || r + k === N) continue;
    const s = Fn.mul(signer.invOnePlusD, Fn.create(k - r * d));
    if (s === 0n) continue;
    return to32Hex(r) + to32Hex(s);
  }
  throw new Error('SM2 signing failed: no usable nonce');
}

export interface Sm2VerifyOptions {
  /** Distinguishing ID the signer used; default {@link SM2_DEFAULT_ID}. */
  id?: string;
}

/** True only for a valid signature; any malformed input is simply false, never an exception. */
export function sm2Verify(
  message: Uint8Array,
  signatureHex: string,
  publicKeyHex: string,
  opts: Sm2VerifyOptions = {},
): boolean {
  try {
    if (!(message instanceof Uint8Array)) return false;
    if (typeof signatureHex !== 'string' || !HEX128.test(signatureHex)) return false;
    if (typeof publicKeyHex !== 'string') return false;
    const id = opts.id ?? SM2_DEFAULT_ID;
    if (typeof id !== 'string') return false;
    const r = BigInt(`0x${signatureHex.slice(0, 64)}`);
    const s = BigInt(`0x${signatureHex.slice(64)}`);
    if (r < 1n || r >= N || s < 1n || s >= N) return false;
    const key = keyContext(publicKeyHex, id);
    if (++key.uses === HOT_KEY_USES) key.point.precompute(HOT_KEY_WINDOW);
    const t = Fn.create(r + s);
    if (t === 0n) return false;
    // s·G uses BASE's precomputed table, t·P_A a hot key's own table (else a one-off wNAF walk).
    const R = Point.BASE.multiplyUnsafe(s).add(key.point.multiplyUnsafe(t));
    if (R.is0()) return false;
    const e = digest(key.za, message);
    return Fn.create(e + R.toAffine().x) === r;
  } catch {
    return false;
  }
}

/** Short key id: the first 16 hex digits of SM3 over the 65-byte uncompressed public key. */
export function sm2KeyId(publicKeyHex: string): string {
  if (typeof publicKeyHex !== 'string' || !PUBLIC_KEY_HEX.test(publicKeyHex)) {
    throw new TypeError('SM2 public key must be 04 + 128 hex digits');
  }
  const bytes = Point.fromHex(publicKeyHex.toLowerCase()).toBytes(false);
  return Buffer.from(sm3(bytes)).toString('hex').slice(0, 16);
}

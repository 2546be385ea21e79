import { z } from 'zod';
import { canonicalJson } from './canonical-json.ts';
import type { RejectReason } from './codes.ts';
import { COMMAND_KINDS, type Command, CommandBodySchemas } from './commands.ts';
import { sm2Sign, sm2Verify } from './crypto/sm2.ts';
import { EpochMs } from './messages.ts';
import { type TargetBody, TargetBodySchema } from './target.ts';

/** SM2 signature over SM3 (GB/T 32918.2), default distinguishing ID. */
export const SIG_ALG = 'SM2-SM3';

const SignatureSchema = z.object({
  alg: z.literal(SIG_ALG),
  kid: z.string().regex(/^[0-9a-f]{16}$/),
  value: z.string().regex(/^[0-9a-f]{128}$/),
});

/** Every kind that travels in a signed envelope: the commands, and the retained target document. */
export const SIGNED_KINDS = [...COMMAND_KINDS, 'target'] as const;
export type SignedKind = (typeof SIGNED_KINDS)[number];

const BodySchemas = { ...CommandBodySchemas, target: TargetBodySchema } as const satisfies Record<
  SignedKind,
  z.ZodType
>;

const EnvelopeShape = z.object({
  v: z.literal(1),
  id: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
  kind: z.enum(SIGNED_KINDS),
  issuedAt: EpochMs,
  notBefore: EpochMs.optional(),
  expiresAt: EpochMs,
  body: z.unknown(),
  sig: SignatureSchema,
});

export type Envelope = Command & {
  v: 1;
  id: string;
  issuedAt: number;
  notBefore?: number;
  expiresAt: number;
  sig: z.infer<typeof SignatureSchema>;
};

export type UnsignedEnvelope = Command & {
  id: string;
  issuedAt: number;
  notBefore?: number;
  expiresAt: number;
};

export type TargetEnvelope = {
  v: 1;
  id: string;
  kind: 'target';
  issuedAt: number;
  notBefore?: number;
  expiresAt: number;
  body: TargetBody;
  sig: z.infer<typeof SignatureSchema>;
};

export type UnsignedTarget = Omit<TargetEnvelope, 'v' | 'sig'>;

export interface Signer {
  kid: string;
  /** 64 hex digits. */
  privateKey: string;
}

/** The exact bytes that are signed: the canonical JSON of every member but `sig`. */
export function signingInput(envelope: Record<string, unknown>): Uint8Array {
  const { sig: _sig, ...rest } = envelope;
  return new TextEncoder().encode(canonicalJson(rest));
}

function sign(unsigned: UnsignedEnvelope | UnsignedTarget, signer: Signer): unknown {
  const base = { v: 1 as const, ...unsigned };
  const value = sm2Sign(signingInput(base), signer.privateKey);
  return { ...base, sig: { alg: SIG_ALG, kid: signer.kid, value } };
}

export function signEnvelope(unsigned: UnsignedEnvelope, signer: Signer): Envelope {
  return sign(unsigned, signer) as Envelope;
}

export function signTarget(unsigned: UnsignedTarget, signer: Signer): TargetEnvelope {
  return sign(unsigned, signer) as TargetEnvelope;
}

/** Remembers envelope ids until they expire, so a captured command cannot be played twice. */
export interface ReplayGuard {
  has(id: string): boolean;
  remember(id: string, expiresAt: number): void;
}

export interface VerifyOptions {
  /** Pinned keys: kid -> uncompressed SM2 public key hex. */
  keys: ReadonlyMap<string, string>;
  now: number;
  /** Allowed clock difference for issuedAt/notBefore; default 30 s. */
  maxSkewMs?: number;
  replay: ReplayGuard;
  /**
   * The SM2 check itself (default sm2Verify). The simulator passes a memoised one so that its thousands of
   * terminals in one process do not each repeat the same verification of byte-identical messages.
   */
  signatureCheck?: SignatureCheck;
  /**
   * Remembers the pure part of a check (shape, kind, key id, signature: a function of the bytes and the pinned
   * keys only) by the exact bytes. The simulator's, like `signatureCheck`: each real board checks its own copy.
   */
  decodeMemo?: DecodeMemo;
}

/** The pure part of a check, before time and replay: the envelope as signed, or why it is refused. */
export type Decoded<E = Envelope> =
  | { ok: true; envelope: E }
  | { ok: false; reason: RejectReason; id?: string; detail: string };

export type DecodeMemo = (
  input: unknown,
  keys: ReadonlyMap<string, string>,
  kinds: readonly SignedKind[],
  decode: () => Decoded<unknown>,
) => Decoded<unknown>;

export type SignatureCheck = (message: Uint8Array, signatureHex: string, publicKeyHex: string) => boolean;

export type VerifyResult<E = Envelope> =
  | { ok: true; envelope: E }
  | { ok: false; reason: RejectReason; id?: string; detail: string };

/** Accepts every id: a retained target is delivered again on every reconnect, and its version guards it. */
const NO_REPLAY_GUARD: ReplayGuard = { has: () => false, remember: () => {} };

function idOf(raw: unknown): string | undefined {
  if (raw && typeof raw === 'object' && typeof (raw as { id?: unknown }).id === 'string') {
    return ((raw as { id: string }).id as string).slice(0, 64);
  }
  return undefined;
}

/**
 * Every check a terminal makes before acting on a command, in order: shape, key id, signature,
 * expiry, not-before, issue time not in the future, and replay. Only a command that passes all is remembered.
 */
export function verifyEnvelope(input: unknown, opts: VerifyOptions): VerifyResult<Envelope> {
  return verifyKinds<Envelope>(input, opts, COMMAND_KINDS);
}

/**
 * The same checks for a target document, except replay: the version, kept by the terminal, decides
 * whether a target is new. Commands are refused here, and targets are refused by verifyEnvelope.
 */
export function verifyTarget(
  input: unknown,
  opts: Omit<VerifyOptions, 'replay'>,
): VerifyResult<TargetEnvelope> {
  return verifyKinds<TargetEnvelope>(input, { ...opts, replay: NO_REPLAY_GUARD }, ['target']);
}

function verifyKinds<E>(input: unknown, opts: VerifyOptions, kinds: readonly SignedKind[]): VerifyResult<E> {
  const decode = () => decodeSigned(input, opts, kinds);
  const d = (opts.decodeMemo ? opts.decodeMemo(input, opts.keys, kinds, decode) : decode()) as Decoded<
    Envelope | TargetEnvelope
  >;
  if (!d.ok) return d;
  const env = d.envelope;
  const id = env.id;
  const skew = opts.maxSkewMs ?? 30_000;
  if (opts.now > env.expiresAt)
    return { ok: false, reason: 'expired', id, detail: `已于 ${env.expiresAt} 过期` };
  if (env.notBefore !== undefined && opts.now + skew < env.notBefore) {
    return { ok: false, reason: 'not-yet-valid', id, detail: `${env.notBefore} 之前无效` };
  }
  if (env.issuedAt > opts.now + skew) {
    return { ok: false, reason: 'issued-in-future', id, detail: '签发时间晚于本机时间' };
  }
  if (opts.replay.has(env.id)) return { ok: false, reason: 'replay', id, detail: '重复的指令' };
  opts.replay.remember(env.id, env.expiresAt);
  return { ok: true, envelope: env as E };
}

/** Shape, kind, body, key id and signature: everything that depends only on the bytes and the pinned keys. */
function decodeSigned(
  input: unknown,
  opts: Pick<VerifyOptions, 'keys' | 'signatureCheck'>,
  kinds: readonly SignedKind[],
): Decoded<unknown> {
  let raw: unknown = input;
  if (typeof input === 'string' || input instanceof Uint8Array) {
    try {
      raw = JSON.parse(
        typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: true }).decode(input),
      );
    } catch {
      return { ok: false, reason: 'malformed', detail: '不是合法的 JSON' };
    }
  }
  const id = idOf(raw);
  const shape = EnvelopeShape.safeParse(raw);
  if (!shape.success)
    return { ok: false, reason: 'malformed', id, detail: shape.error.issues[0]?.message ?? '格式错误' };
  const env = shape.data;
  if (!kinds.includes(env.kind)) {
    return { ok: false, reason: 'malformed', id, detail: `此处不接受 ${env.kind} 类消息` };
  }
  const body = BodySchemas[env.kind].safeParse(env.body);
  if (!body.success)
    return { ok: false, reason: 'malformed', id, detail: `body: ${body.error.issues[0]?.message}` };

  const publicKey = opts.keys.get(env.sig.kid);
  if (!publicKey) return { ok: false, reason: 'unknown-key', id, detail: `未知的签名密钥 ${env.sig.kid}` };
  // Verify over the object as received, not the schema's output, so unknown members are covered too.
  let signed: Uint8Array;
  try {
    signed = signingInput(raw as Record<string, unknown>);
  } catch {
    // An unchecked extra member such as `1e400` parses to Infinity, which has no canonical form.
    return { ok: false, reason: 'malformed', id, detail: '无法规范化的成员' };
  }
  if (!(opts.signatureCheck ?? sm2Verify)(signed, env.sig.value, publicKey)) {
    return { ok: false, reason: 'bad-signature', id, detail: '签名验证失败' };
  }
  return { ok: true, envelope: { ...env, body: body.data } };
}

/** An in-memory replay guard; the agent keeps a disk-backed one. */
export class MemoryReplayGuard implements ReplayGuard {
  private readonly seen = new Map<string, number>();
  has(id: string): boolean {
    return this.seen.has(id);
  }
  remember(id: string, expiresAt: number): void {
    this.seen.set(id, expiresAt);
  }
  prune(now: number): void {
    for (const [id, exp] of this.seen) if (exp < now) this.seen.delete(id);
  }
  get size(): number {
    return this.seen.size;
  }
}

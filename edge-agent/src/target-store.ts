import { MAX_PAYLOAD_BYTES, type NewTerminalEvent, type TargetEnvelope, verifyTarget } from '@dlb/protocol';
import { readJsonOr, writeFileAtomic } from './fs-util.ts';
import { errorText, type Logger, silentLogger } from './runtime.ts';

type RejectedEvent = Extract<NewTerminalEvent, { type: 'rejected' }>;

export type TargetOffer =
  /** A newer version, now held and on disk. */
  | { kind: 'accepted'; envelope: TargetEnvelope; previous: TargetEnvelope | null }
  /** Empty, oversized, the copy already held, or not newer: nothing to do. */
  | { kind: 'ignored'; why: string }
  /** Refused: report it (unless this very document was refused before). */
  | { kind: 'rejected'; event: RejectedEvent | null };

export interface TargetStoreOptions {
  /** `target.json` in the data directory. */
  file: string;
  terminalId: string;
  /** Pinned keys: kid -> public key. */
  keys: ReadonlyMap<string, string>;
  maxSkewMs: number;
  log?: Logger;
}

/** How many refused target ids to remember, so a retained bad copy is reported once, not on every reconnect. */
const REMEMBER_REJECTED = 16;

function idOf(raw: unknown): string | undefined {
  const id = (raw as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id.slice(0, 64) : undefined;
}

/**
 * The signed target this terminal keeps to (DESIGN.md §3 `terminal/{tid}/target`): checks what arrives
 * (size, SM2 signature with the pinned keys, expiry and issue time by the corrected clock, addressed to
 * this terminal), keeps only a newer version, and writes it durably to `target.json` before it is acted on.
 */
export class TargetStore {
  private current: TargetEnvelope | null = null;
  private readonly refused: string[] = [];
  private readonly log: Logger;

  constructor(private readonly opts: TargetStoreOptions) {
    this.log = opts.log ?? silentLogger;
  }

  get held(): TargetEnvelope | null {
    return this.current;
  }

  /** Whether the held target may still be played from (not past its expiry). */
  valid(now: number): boolean {
    return this.current !== null && now <= this.current.expiresAt;
  }

  /**
   * Read `target.json` and check its signature again (a corrupt or tampered file is ignored with a warning).
   * An expired one is still held: its version guards against older copies, but nothing is played from it.
   */
  load(): TargetEnvelope | null {
    const raw = readJsonOr<unknown>(this.opts.file, undefined);
    if (raw === undefined) return null;
    const times = raw as { issuedAt?: unknown; notBefore?: unknown };
    // Judge it as of its own issue time: this is a check of integrity; expiry is the schedule's business.
    const at = Math.max(Number(times.issuedAt) || 0, Number(times.notBefore) || 0);
    const v = verifyTarget(raw, { keys: this.opts.keys, now: at, maxSkewMs: this.opts.maxSkewMs });
    if (!v.ok) {
      this.log.warn(`忽略本地的目标文件 ${this.opts.file}: ${v.reason} ${v.detail}`);
      return null;
    }
    if (v.envelope.body.tid !== this.opts.terminalId) {
      this.log.warn(`忽略本地的目标文件: 它属于终端 ${v.envelope.body.tid}`);
      return null;
    }
    this.current = v.envelope;
    return v.envelope;
  }

  /** A message on the target topic. `now` is the corrected clock. */
  offer(topic: string, payload: Uint8Array, now: number): TargetOffer {
    if (payload.byteLength === 0) return { kind: 'ignored', why: '空的目标消息' };
    if (payload.byteLength > MAX_PAYLOAD_BYTES) {
      return { kind: 'ignored', why: `目标消息过大 (${payload.byteLength} 字节), 已丢弃` };
    }
    let raw: unknown;
    try {
      raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
    } catch {
      raw = payload; // let verifyTarget say 'malformed'
    }
    const id = idOf(raw);
    // The retained copy of what we hold arrives on every reconnect: skip the signature check.
    if (id !== undefined && id === this.current?.id) return { kind: 'ignored', why: '已持有此目标' };
    const v = verifyTarget(raw, { keys: this.opts.keys, now, maxSkewMs: this.opts.maxSkewMs });
    const reject = (reason: RejectedEvent['reason'], detail: string, rid = id): TargetOffer => {
      const key = rid ?? `#${reason}`;
      if (this.refused.includes(key)) return { kind: 'rejected', event: null };
      this.refused.push(key);
      if (this.refused.length > REMEMBER_REJECTED) this.refused.shift();
      return {
        kind: 'rejected',
        event: {
          type: 'rejected',
          at: now,
          ...(rid ? { commandId: rid } : {}),
          reason,
          detail: detail.slice(0, 500),
          topic: topic.slice(0, 200),
        },
      };
    };
    if (!v.ok) return reject(v.reason, v.detail, v.id);
    const env = v.envelope;
    if (env.body.tid !== this.opts.terminalId) {
      return reject('wrong-audience', `目标属于终端 ${env.body.tid}, 不是本终端`, env.id);
    }
    const held = this.current;
    if (held && env.body.version <= held.body.version) {
      if (env.body.version < held.body.version) {
        this.log.warn(`忽略较旧的目标版本 ${env.body.version} (已持有 ${held.body.version})`);
      }
      return { kind: 'ignored', why: `版本 ${env.body.version} 不比 ${held.body.version} 新` };
    }
    try {
      // The bytes as received: the signature covers every member, including any this version does not know.
      writeFileAtomic(this.opts.file, payload);
    } catch (err) {
      // Not on disk means not accepted: the retained copy comes again on the next reconnect.
      this.log.error(`保存目标失败: ${errorText(err)}`);
      return { kind: 'ignored', why: '保存失败' };
    }
    this.current = env;
    return { kind: 'accepted', envelope: env, previous: held };
  }
}

import { createHash } from 'node:crypto';
import { type AgentConfigInput, type DecodeMemo, type SignatureCheck, sm2Verify } from '@dlb/protocol';

export interface AreaRow {
  code: string;
  name: string;
  level: 'county' | 'township' | 'village';
  parentCode: string | null;
}

export interface TerminalRow {
  id: string;
  villageCode: string;
  name: string;
  enabled: boolean;
}

export class CentreApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The few calls of the centre's HTTP API the simulator needs. */
export class CentreApi {
  private token: string | null = null;

  constructor(
    private readonly baseUrl: string,
    private readonly fetchFn: typeof fetch = fetch,
  ) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    const res = await this.fetchFn(new URL(path, this.baseUrl), {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      // leave null
    }
    if (!res.ok) {
      const e = (json as { error?: { code?: string; message?: string } } | null)?.error;
      throw new CentreApiError(
        res.status,
        e?.code ?? 'http',
        `${method} ${path}: ${res.status} ${e?.message ?? text.slice(0, 200)}`,
      );
    }
    return json as T;
  }

  async login(username: string, password: string): Promise<void> {
    const r = await this.call<{ token: string }>('POST', '/api/auth/login', { username, password });
    this.token = r.token;
  }

  async areas(): Promise<AreaRow[]> {
    return (await this.call<{ areas: AreaRow[] }>('GET', '/api/areas')).areas;
  }

  async terminals(): Promise<TerminalRow[]> {
    return (await this.call<{ terminals: TerminalRow[] }>('GET', '/api/terminals')).terminals;
  }

  async registerTerminal(
    villageCode: string,
    name?: string,
  ): Promise<{ terminal: TerminalRow; agentConfig: AgentConfigInput }> {
    return this.call('POST', '/api/terminals', { villageCode, ...(name ? { name } : {}) });
  }
}

/** One player start, at the true instant (the host's real clock, not the terminal's local or corrected one). */
export interface TrueStart {
  terminalId: string;
  commandId: string;
  broadcastId: string;
  /** Real Date.now() when the player started. */
  at: number;
}

/**
 * True start instants of every simulated terminal, by command (or schedule entry) id, so a benchmark can
 * measure how far apart neighbouring speakers really started. Bounded: only the most recent `keepIds` ids.
 */
export class StartLog {
  private readonly byId = new Map<string, TrueStart[]>();

  constructor(private readonly keepIds = 200) {}

  record(s: TrueStart): void {
    let list = this.byId.get(s.commandId);
    if (!list) {
      list = [];
      this.byId.set(s.commandId, list);
      if (this.byId.size > this.keepIds) this.byId.delete(this.byId.keys().next().value!);
    }
    list.push(s);
  }

  /** Every recorded start of this command or entry, in the order they happened. */
  startsOf(commandId: string): readonly TrueStart[] {
    return this.byId.get(commandId) ?? [];
  }

  /** Latest minus earliest true start of this command or entry (null if none started). */
  spreadOf(commandId: string): number | null {
    const list = this.byId.get(commandId);
    if (!list || list.length === 0) return null;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const s of list) {
      lo = Math.min(lo, s.at);
      hi = Math.max(hi, s.at);
    }
    return hi - lo;
  }

  clear(): void {
    this.byId.clear();
  }
}

/** One alert's attention tone starting on one terminal, at the true instant (the host's real clock). */
export interface AttentionStart {
  terminalId: string;
  alertId: string;
  /** `alertId@revision`. */
  commandId: string;
  /** Real Date.now() when the player started the attention tone. */
  at: number;
}

/**
 * When each simulated terminal's attention tone started for each alert (every time it started: a restart or a
 * new revision starts it again), so a benchmark can measure API call → attention tone without parsing
 * reports. Bounded: only the most recent `keepAlerts` alerts.
 */
export class AttentionLog {
  private readonly byAlert = new Map<string, AttentionStart[]>();

  constructor(private readonly keepAlerts = 100) {}

  record(s: AttentionStart): void {
    let list = this.byAlert.get(s.alertId);
    if (!list) {
      list = [];
      this.byAlert.set(s.alertId, list);
      if (this.byAlert.size > this.keepAlerts) this.byAlert.delete(this.byAlert.keys().next().value!);
    }
    list.push(s);
  }

  /** Every attention-tone start of this alert, in the order they happened. */
  startsOf(alertId: string): readonly AttentionStart[] {
    return this.byAlert.get(alertId) ?? [];
  }

  /** The first instant each terminal's attention tone started for this alert, by terminal id. */
  firstBy(alertId: string): Map<string, number> {
    const m = new Map<string, number>();
    for (const s of this.startsOf(alertId)) if (!m.has(s.terminalId)) m.set(s.terminalId, s.at);
    return m;
  }

  clear(): void {
    this.byAlert.clear();
  }
}

/**
 * sm2Verify memoised on (signature, key, message digest): a pure function of its inputs, so the answer is the
 * one verifying again would give. Thousands of simulated terminals in one process receive the same alert
 * bytes; each real board verifies its own copy on its own CPU, in parallel, so repeating the verification
 * here one terminal after another would measure this host's single core, not the system. Bounded.
 */
export function memoisedSignatureCheck(max = 256): SignatureCheck {
  const seen = new Map<string, boolean>();
  return (message, signatureHex, publicKeyHex) => {
    const key = `${signatureHex}|${publicKeyHex}|${createHash('sha256').update(message).digest('hex')}`;
    const hit = seen.get(key);
    if (hit !== undefined) return hit;
    const ok = sm2Verify(message, signatureHex, publicKeyHex);
    if (seen.size >= max) seen.delete(seen.keys().next().value!);
    seen.set(key, ok);
    return ok;
  };
}

/**
 * The pure part of a command check (shape, kind, key id, signature) memoised on the exact bytes, the pinned keys
 * and the kinds asked for; time, replay and audience are still checked by every terminal. For the same reason
 * as memoisedSignatureCheck: each real board does this on its own CPU, in parallel. The envelope handed out is
 * frozen, since every terminal that received those bytes shares it. Bounded.
 */
export function memoisedDecode(max = 64): DecodeMemo {
  const seen = new Map<string, ReturnType<DecodeMemo>>();
  return (input, keys, kinds, decode) => {
    if (typeof input !== 'string' && !(input instanceof Uint8Array)) return decode();
    const key = `${createHash('sha256').update(input).digest('hex')}|${kinds.join(',')}|${[...keys].join(';')}`;
    const hit = seen.get(key);
    if (hit) return hit;
    const d = decode();
    if (d.ok) deepFreeze(d.envelope);
    if (seen.size >= max) seen.delete(seen.keys().next().value!);
    seen.set(key, d);
    return d;
  };
}

function deepFreeze(v: unknown): void {
  if (v === null || typeof v !== 'object' || Object.isFrozen(v)) return;
  Object.freeze(v);
  for (const x of Object.values(v)) deepFreeze(x);
}

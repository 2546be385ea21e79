import { createHash, randomBytes } from 'node:crypto';
import {
  canonicalJson,
  type Signer,
  signTarget,
  type TargetBody,
  type TargetEnvelope,
  topics,
} from '@dlb/protocol';
import type { Db } from '../db/database.ts';
import type { BrokerLink } from '../mqtt/broker-link.ts';
import type { ProgrammeStore } from './programme-store.ts';
import type { ScheduleCalendar } from './schedule-types.ts';
import { type CompiledSchedule, compileSchedule, datesCovering } from './target-compiler.ts';
import type { TimelineOptions } from './timeline.ts';

/** Which terminals a change can reach. */
export type TargetScope =
  | { kind: 'all' }
  | { kind: 'area'; code: string }
  | { kind: 'terminal'; tid: string };

export interface RefreshReport {
  terminals: number;
  published: number;
  unchanged: number;
  compileMs: number;
  publishMs: number;
  /** Total size of the published targets. */
  bytes: number;
}

export interface TargetPublisherDeps {
  db: Db;
  store: ProgrammeStore;
  calendar: () => ScheduleCalendar;
  countyCode: () => string | null;
  broker: BrokerLink;
  signer: Signer;
  now: () => number;
  windowMs: number;
  timeline: TimelineOptions;
  log: (msg: string) => void;
  /** What the emergency path adds to a terminal's target: the attention tone, drill flag, alerts in force. */
  extrasFor?: (t: { id: string; villageCode: string; drillEnabled: boolean }, at: number) => TargetExtras;
  /** Terminals signed between two turns of the event loop (default 25). */
  compileBatch?: number;
}

export type TargetExtras = Pick<TargetBody, 'attention' | 'drillEnabled' | 'alerts'>;

interface TerminalRow {
  id: string;
  village_code: string;
  volume: number;
  drill_enabled: number;
  version: number | null;
  content_hash: string | null;
  expires_at: number | null;
}

const COMPILE_BATCH = 25;
const PUBLISH_BATCH = 200;

const hashOf = (content: unknown) => createHash('sha256').update(canonicalJson(content)).digest('hex');

/**
 * Compiles, signs and publishes (retained) each terminal's target. A terminal's version rises only when
 * its content changes or its signed copy is half-way to expiry; a refresh compiles once per township.
 */
export class TargetPublisher {
  private pending: TargetScope[] = [];
  private running: Promise<void> | null = null;

  constructor(private readonly deps: TargetPublisherDeps) {}

  /** Queue a refresh of the terminals a change reaches; runs soon, coalesced with other changes. */
  touch(scope: TargetScope): void {
    this.pending.push(scope);
    if (!this.running) this.running = this.drain();
  }

  /** Resolves when every queued refresh has been published. */
  async whenIdle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    try {
      await new Promise((r) => setImmediate(r));
      while (this.pending.length > 0) {
        const batch = this.pending;
        this.pending = [];
        const scope = batch.some((s) => s.kind === 'all') ? ({ kind: 'all' } as const) : null;
        for (const s of scope ? [scope] : dedupe(batch)) {
          try {
            await this.refresh(s);
          } catch (e) {
            this.deps.log(`下发目标计划失败: ${(e as Error).message}`);
          }
        }
      }
    } finally {
      this.running = null;
    }
  }

  private terminalsIn(scope: TargetScope): TerminalRow[] {
    const base = `SELECT t.id, t.village_code, t.volume, t.drill_enabled, g.version, g.content_hash, g.expires_at
      FROM terminals t LEFT JOIN terminal_targets g ON g.terminal_id = t.id WHERE t.enabled = 1`;
    const db = this.deps.db;
    if (scope.kind === 'all') return db.prepare(base).all() as TerminalRow[];
    if (scope.kind === 'terminal') return db.prepare(`${base} AND t.id = ?`).all(scope.tid) as TerminalRow[];
    return db.prepare(`${base} AND t.village_code LIKE ?`).all(`${scope.code}%`) as TerminalRow[];
  }

  /** Compile and publish now for a scope; `force` re-publishes unchanged targets too (broker lost them). */
  async refresh(scope: TargetScope, opts: { force?: boolean } = {}): Promise<RefreshReport> {
    const { now, windowMs } = this.deps;
    const countyCode = this.deps.countyCode();
    const rows = this.terminalsIn(scope);
    const report: RefreshReport = {
      terminals: rows.length,
      published: 0,
      unchanged: 0,
      compileMs: 0,
      publishMs: 0,
      bytes: 0,
    };
    if (!countyCode || rows.length === 0) return report;
    const t0 = performance.now();
    const at = now();
    const calendar = this.deps.calendar();
    const window = { from: at, until: at + windowMs };
    const days = this.deps.store.dayPlans(datesCovering(calendar, window.from, window.until));
    const byTownship = new Map<string, CompiledSchedule>();
    const out: Array<{
      row: TerminalRow;
      envelope: TargetEnvelope;
      hash: string;
      compiled: CompiledSchedule;
    }> = [];
    for (const [i, row] of rows.entries()) {
      // Signing costs ~1 ms a terminal: give the event loop back every batch, so that an alert raised while
      // thousands of targets are re-signed is not held up behind them.
      if (i > 0 && i % (this.deps.compileBatch ?? COMPILE_BATCH) === 0)
        await new Promise((r) => setImmediate(r));
      const township = row.village_code.slice(0, 9);
      let compiled = byTownship.get(township);
      if (!compiled) {
        compiled = compileSchedule(calendar, days, countyCode, township, window, this.deps.timeline);
        byTownship.set(township, compiled);
      }
      const extras =
        this.deps.extrasFor?.(
          { id: row.id, villageCode: row.village_code, drillEnabled: row.drill_enabled === 1 },
          at,
        ) ?? {};
      const content = {
        entries: compiled.entries,
        quiet: compiled.quiet,
        volume: row.volume,
        groups: [],
        ...extras,
      };
      const hash = hashOf(content);
      const fresh = row.expires_at !== null && row.expires_at - at > windowMs / 2;
      if (!opts.force && hash === row.content_hash && fresh) {
        report.unchanged += 1;
        continue;
      }
      const body: TargetBody = {
        tid: row.id,
        // A clock-based floor keeps versions rising even if this database is ever restored from a backup.
        version: Math.max((row.version ?? 0) + 1, at),
        generatedAt: at,
        windowFrom: compiled.windowFrom,
        windowUntil: compiled.windowUntil,
        timeZone: calendar.timeZone,
        ...content,
      };
      const envelope = signTarget(
        {
          id: `t${at.toString(36)}${randomBytes(6).toString('hex')}`,
          kind: 'target',
          issuedAt: at,
          expiresAt: at + windowMs,
          body,
        },
        this.deps.signer,
      );
      out.push({ row, envelope, hash, compiled });
    }
    const t1 = performance.now();
    report.compileMs = t1 - t0;
    for (let i = 0; i < out.length; i += PUBLISH_BATCH) {
      const batch = out.slice(i, i + PUBLISH_BATCH);
      await Promise.all(
        batch.map((o) => {
          const payload = JSON.stringify(o.envelope);
          report.bytes += Buffer.byteLength(payload);
          return this.deps.broker.publish(topics.terminalTarget(o.row.id), payload, { qos: 1, retain: true });
        }),
      );
      this.record(batch, at);
      report.published += batch.length;
    }
    report.publishMs = performance.now() - t1;
    return report;
  }

  /** Remember what was published, in one transaction per batch. */
  private record(
    batch: ReadonlyArray<{ row: TerminalRow; envelope: TargetEnvelope; hash: string }>,
    at: number,
  ): void {
    const upsert = this.deps.db.prepare(
      `INSERT INTO terminal_targets (terminal_id, version, content_hash, envelope_id, published_at, expires_at, entries, next_slot_key, next_start_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(terminal_id) DO UPDATE SET version = excluded.version, content_hash = excluded.content_hash,
       envelope_id = excluded.envelope_id, published_at = excluded.published_at, expires_at = excluded.expires_at,
       entries = excluded.entries, next_slot_key = excluded.next_slot_key, next_start_at = excluded.next_start_at`,
    );
    this.deps.db.transaction(() => {
      for (const o of batch) {
        const b = o.envelope.body;
        const next = b.entries.find((e) => e.startAt >= at) ?? null;
        upsert.run(
          o.row.id,
          b.version,
          o.hash,
          o.envelope.id,
          at,
          o.envelope.expiresAt,
          b.entries.length,
          next?.slotKey ?? null,
          next?.startAt ?? null,
        );
      }
    })();
  }

  /** A disabled terminal's retained target is withdrawn (an empty retained message clears it). */
  async withdraw(tid: string): Promise<void> {
    await this.deps.broker.publish(topics.terminalTarget(tid), '', { qos: 1, retain: true });
    // Keep the version: the terminal must accept the next target if it is enabled again.
    this.deps.db
      .prepare("UPDATE terminal_targets SET content_hash = '', expires_at = 0 WHERE terminal_id = ?")
      .run(tid);
  }
}

function dedupe(scopes: TargetScope[]): TargetScope[] {
  const seen = new Set<string>();
  return scopes.filter((s) => {
    const key = JSON.stringify(s);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

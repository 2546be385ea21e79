import type { AlertBody } from '@dlb/protocol';
import { readJsonOr, writeJsonAtomic } from './fs-util.ts';

/**
 * One alert as this terminal handled it: the highest revision seen, and whether that revision still has to
 * sound ('active', its body kept to sound it again after a restart) or has its final report ('ended').
 */
export interface AlertRecord {
  revision: number;
  state: 'active' | 'ended';
  /** Kept while active. */
  body?: AlertBody;
  /** Cancelled: no revision of this alert sounds any more. */
  cancelled?: boolean;
  /** When last written (corrected clock). */
  at: number;
  /** The alert's expiresAt: a record is forgotten KEEP_MS after both this and `at`. */
  until: number;
}

const KEEP_MS = 3 * 24 * 3600_000;

/**
 * `alerts.json`: which (alertId, revision) this terminal handled, so that each sounds at most once and an
 * interrupted one sounds again after a restart. A handful of records: rewritten whole, atomically and
 * fsync'd, on every change; records of alerts that ended more than 3 days ago are dropped at start.
 */
export class AlertLedger {
  private readonly records = new Map<string, AlertRecord>();

  constructor(
    private readonly file: string,
    now: number,
  ) {
    const raw = readJsonOr<{ alerts?: Record<string, AlertRecord> } | null>(file, null);
    for (const [id, r] of Object.entries(raw?.alerts ?? {})) {
      if (typeof r?.revision !== 'number' || (r.state !== 'active' && r.state !== 'ended')) continue;
      if (r.state === 'active' && !r.body) continue;
      if (r.state === 'ended' && Math.max(r.at, r.until) < now - KEEP_MS) continue;
      this.records.set(id, r);
    }
  }

  get(alertId: string): AlertRecord | undefined {
    return this.records.get(alertId);
  }

  /** Alerts whose current revision has not ended. */
  active(): AlertBody[] {
    return [...this.records.values()].filter((r) => r.state === 'active').map((r) => r.body!);
  }

  /** This revision is to sound (replacing any lower one). */
  activate(body: AlertBody, at: number): void {
    const prev = this.records.get(body.alertId);
    this.set(body.alertId, {
      revision: body.revision,
      state: 'active',
      body,
      at,
      until: body.expiresAt,
      ...(prev?.cancelled ? { cancelled: true } : {}),
    });
  }

  /** This revision has its final report (or was refused): it never sounds again. */
  ended(alertId: string, revision: number, at: number, until = at): void {
    const prev = this.records.get(alertId);
    if (prev && (prev.revision > revision || (prev.revision === revision && prev.state === 'ended'))) return;
    this.set(alertId, {
      revision,
      state: 'ended',
      at,
      until: Math.max(until, prev?.until ?? 0),
      ...(prev?.cancelled ? { cancelled: true } : {}),
    });
  }

  /** Cancelled: every revision, including ones not seen yet. */
  cancel(alertId: string, at: number): void {
    const prev = this.records.get(alertId);
    if (prev?.cancelled) return;
    this.set(alertId, {
      revision: prev?.revision ?? 0,
      state: prev?.state ?? 'ended',
      ...(prev?.body ? { body: prev.body } : {}),
      cancelled: true,
      at,
      until: Math.max(at, prev?.until ?? 0),
    });
  }

  private set(alertId: string, r: AlertRecord): void {
    this.records.set(alertId, r);
    writeJsonAtomic(this.file, { alerts: Object.fromEntries(this.records) });
  }
}

import { join } from 'node:path';
import {
  type AlertBody,
  type NewTerminalEvent,
  Outcome,
  type OutcomeCode,
  type TargetEnvelope,
  type TerminalEvent,
} from '@dlb/protocol';
import { AlertLedger } from './alert-ledger.ts';
import type { MediaCache } from './media-cache.ts';
import type { NewPlayItem, Playback } from './playback.ts';
import type { Logger } from './runtime.ts';

export interface AlertKeeperDeps {
  dataDir: string;
  /** Corrected clock. */
  now: () => number;
  log: Logger;
  playback: Playback;
  cache: MediaCache;
  /** Queue a play item (pins its audio, ready at once when cached, fetched otherwise). */
  accept: (item: NewPlayItem) => void;
  /** Append an event to the outbox. */
  record: (e: NewTerminalEvent) => void;
  /** The signed target held now (drillEnabled, alerts). */
  target: () => TargetEnvelope | null;
}

const FINAL = new Set<number>([Outcome.played, Outcome.failed, Outcome.cancelled]);

/** `alertId@revision`: the commandId of an alert's reports. */
export const alertCommandId = (b: Pick<AlertBody, 'alertId' | 'revision'>): string =>
  `${b.alertId}@${b.revision}`;

/**
 * Emergency alerts on this terminal (issue 5): from `alert` commands and from the held target's `alerts`.
 * Decides whether a revision sounds (newer than any handled, not expired, not cancelled, a drill only where
 * drills are enabled), hands it to playback as one item of the alert's priority (playback preempts, waits,
 * cuts it at expiry and plays the sequence, alert-sequence.ts), and keeps `alerts.json` (alert-ledger.ts) so
 * that each revision sounds at most once, and one cut short by a restart sounds again from the attention tone.
 */
export class AlertKeeper {
  readonly ledger: AlertLedger;
  /** Extra audio pinned per sounding revision (drill notice, message), unpinned at its final report. */
  private readonly pins = new Map<string, string[]>();

  constructor(private readonly deps: AlertKeeperDeps) {
    this.ledger = new AlertLedger(join(deps.dataDir, 'alerts.json'), deps.now());
  }

  /**
   * At start, after recovery: final reports already in the outbox end their revision (the agent may have died
   * before the ledger was written); every revision still active sounds again from its attention tone (or is
   * reported expired or cancelled once); then the held target's alerts are looked at.
   */
  open(pending: readonly TerminalEvent[]): void {
    for (const e of pending) this.recorded(e);
    const now = this.deps.now();
    for (const body of this.ledger.active()) {
      const rec = this.ledger.get(body.alertId)!;
      if (rec.cancelled) this.report(body, Outcome.cancelled, 'alert-cancelled');
      else if (now > body.expiresAt) this.report(body, Outcome.failed, 'expired');
      else {
        this.deps.log.info(`继续播发中断的预警 ${alertCommandId(body)}`);
        this.sound(body);
      }
    }
    const held = this.deps.target();
    if (held) this.fromTarget(held);
  }

  /** A verified `alert` command. */
  onCommand(body: AlertBody): void {
    this.offer(body);
  }

  /** A target was accepted (or loaded): sound the alerts it carries that were not handled yet. */
  fromTarget(env: TargetEnvelope): void {
    for (const a of env.body.alerts ?? []) this.offer(a);
  }

  /** A verified `alert-cancel`: silence every revision of the alert, sounding or waiting. */
  cancel(alertId: string): void {
    const rec = this.ledger.get(alertId);
    this.ledger.cancel(alertId, this.deps.now());
    const n = this.deps.playback.stop(alertId, 'alert-cancelled');
    if (n === 0 && rec?.state === 'active' && rec.body) {
      this.report(rec.body, Outcome.cancelled, 'alert-cancelled');
    }
    this.deps.log.info(`取消预警 ${alertId}: ${n} 条`);
  }

  /** Every event written to the outbox: an alert's final report ends its revision. */
  recorded(e: TerminalEvent | NewTerminalEvent): void {
    if (e.type !== 'outcome' || e.source !== 'alert' || !FINAL.has(e.outcome)) return;
    const at = e.commandId.lastIndexOf('@');
    const revision = Number(e.commandId.slice(at + 1));
    if (at < 0 || !Number.isInteger(revision)) return;
    this.ledger.ended(e.broadcastId, revision, e.at);
    for (const sha of this.pins.get(e.commandId) ?? []) this.deps.cache.unpin(sha);
    this.pins.delete(e.commandId);
  }

  private offer(body: AlertBody): void {
    const d = this.deps;
    const rec = this.ledger.get(body.alertId);
    const id = alertCommandId(body);
    if (rec && body.revision <= rec.revision) return; // handled already (or older): no report
    const now = d.now();
    if (rec?.cancelled) {
      this.report(body, Outcome.cancelled, 'alert-cancelled');
      return;
    }
    if (now > body.expiresAt) {
      this.report(body, Outcome.failed, 'expired');
      return;
    }
    if (body.drill && d.target()?.body.drillEnabled !== true) {
      d.log.warn(`本终端未启用演练, 不播演练预警 ${id}`);
      this.report(body, Outcome.failed, 'drill-not-enabled');
      return;
    }
    d.log.info(`收到预警 ${id} ${body.level}${body.drill ? ' (演练)' : ''}: ${body.title}`);
    if (rec?.state === 'active' && rec.body) {
      const old = rec.body;
      d.playback.batch(() => {
        if (d.playback.stop(old.alertId, 'superseded') === 0) {
          this.report(old, Outcome.cancelled, 'superseded');
        }
        this.sound(body);
      });
    } else this.sound(body);
  }

  /** Queue the revision (its attention tone starts at once if nothing higher plays), then note it on disk. */
  private sound(body: AlertBody): void {
    const d = this.deps;
    const id = alertCommandId(body);
    const now = d.now();
    d.accept({
      commandId: id,
      broadcastId: body.alertId,
      priority: body.priority,
      expiresAt: body.expiresAt,
      cutAt: body.expiresAt,
      ...(body.startsAt > now ? { startAt: body.startsAt } : {}),
      media: body.attention,
      volume: body.volume,
      title: body.title,
      source: 'alert',
      alert: {
        alertId: body.alertId,
        revision: body.revision,
        message: body.media,
        repeat: body.repeat,
        intervalMs: body.intervalMs,
        ...(body.drillNotice ? { drillNotice: body.drillNotice } : {}),
      },
    });
    // Fetched alongside the attention tone: it is needed only once the tone has played.
    const extra = [...(body.drillNotice ? [body.drillNotice] : []), body.media];
    this.pins.set(
      id,
      extra.map((m) => m.sha256),
    );
    for (const m of extra) {
      d.cache.pin(m.sha256);
      d.cache.ensure(m).catch(() => {}); // a failure is reported when the sequence needs the file
    }
    const rec = this.ledger.get(body.alertId);
    if (!(rec && rec.revision === body.revision && rec.state === 'ended')) this.ledger.activate(body, now);
  }

  /** A final report made here (never sounded in this run), which also ends the revision in the ledger. */
  private report(body: AlertBody, outcome: OutcomeCode, reason: string): void {
    const now = this.deps.now();
    this.ledger.ended(body.alertId, body.revision, now, body.expiresAt);
    this.deps.record({
      type: 'outcome',
      at: now,
      commandId: alertCommandId(body),
      broadcastId: body.alertId,
      outcome,
      reason,
      source: 'alert',
    });
  }
}

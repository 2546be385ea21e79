import type { Db } from '../db/database.ts';
import { parseState } from '../terminals/terminal-service.ts';

/** What the centre knows of one terminal's keeping to its schedule. */
export interface TerminalScheduleStatus {
  terminalId: string;
  name: string;
  villageCode: string;
  online: boolean;
  /** Server time minus the terminal's clock, as the terminal last measured it. */
  clockOffsetMs: number | null;
  clockSyncedAt: number | null;
  /** The version the centre last published, and the one the terminal reports holding. */
  publishedVersion: number | null;
  heldVersion: number | null;
  holdsCurrent: boolean;
  nextSlotKey: string | null;
  nextStartAt: number | null;
  /** Whether every entry of its next slot has its audio on the terminal (null: not reported). */
  nextSlotCached: boolean | null;
  nextSlotMissing: number | null;
  /** When the terminal's figures were reported. */
  reportedAt: number | null;
}

interface Row {
  id: string;
  name: string;
  village_code: string;
  online: number;
  last_state: string | null;
  version: number | null;
}

const SELECT = `SELECT t.id, t.name, t.village_code, t.online, t.last_state, g.version FROM terminals t
  LEFT JOIN terminal_targets g ON g.terminal_id = t.id`;

/** Per-terminal schedule health from the last state each terminal published and the last target sent. */
export class FleetScheduleStatus {
  constructor(private readonly db: Db) {}

  private toStatus(r: Row): TerminalScheduleStatus {
    const s = parseState(r.last_state);
    const held = s?.target?.version ?? null;
    return {
      terminalId: r.id,
      name: r.name,
      villageCode: r.village_code,
      online: r.online === 1,
      clockOffsetMs: s?.clockOffsetMs ?? null,
      clockSyncedAt: s?.clockSyncedAt ?? null,
      publishedVersion: r.version,
      heldVersion: held,
      holdsCurrent: r.version !== null && held === r.version,
      nextSlotKey: s?.target?.nextSlotKey ?? null,
      nextStartAt: s?.target?.nextStartAt ?? null,
      nextSlotCached: s?.target ? s.target.nextSlotCached : null,
      nextSlotMissing: s?.target ? s.target.nextSlotMissing : null,
      reportedAt: s?.at ?? null,
    };
  }

  of(tid: string): TerminalScheduleStatus | null {
    const r = this.db.prepare(`${SELECT} WHERE t.id = ?`).get(tid) as Row | undefined;
    return r ? this.toStatus(r) : null;
  }

  /** Every enabled terminal under an area code (or all) that `visible` admits, with a summary for the console. */
  list(
    areaCode?: string,
    visible: (t: TerminalScheduleStatus) => boolean = () => true,
  ): { terminals: TerminalScheduleStatus[]; summary: Record<string, number> } {
    const rows = (
      areaCode
        ? this.db
            .prepare(`${SELECT} WHERE t.enabled = 1 AND t.village_code LIKE ? ORDER BY t.id`)
            .all(`${areaCode}%`)
        : this.db.prepare(`${SELECT} WHERE t.enabled = 1 ORDER BY t.id`).all()
    ) as Row[];
    const terminals = rows.map((r) => this.toStatus(r)).filter(visible);
    return {
      terminals,
      summary: {
        total: terminals.length,
        online: terminals.filter((t) => t.online).length,
        holdsCurrent: terminals.filter((t) => t.holdsCurrent).length,
        nextSlotCached: terminals.filter((t) => t.nextSlotCached === true).length,
        clockOffBy1s: terminals.filter((t) => t.clockOffsetMs !== null && Math.abs(t.clockOffsetMs) > 1000)
          .length,
      },
    };
  }

  /** Per-terminal outcomes of one programme's entries. */
  plays(programmeId: string): Array<{
    terminalId: string;
    entryId: string;
    outcome: number;
    reason: string | null;
    startedAt: number | null;
    endedAt: number | null;
  }> {
    return (
      this.db
        .prepare(
          `SELECT terminal_id, entry_id, outcome, reason, started_at, ended_at FROM schedule_plays
           WHERE programme_id = ? ORDER BY entry_id, terminal_id`,
        )
        .all(programmeId) as Array<{
        terminal_id: string;
        entry_id: string;
        outcome: number;
        reason: string | null;
        started_at: number | null;
        ended_at: number | null;
      }>
    ).map((r) => ({
      terminalId: r.terminal_id,
      entryId: r.entry_id,
      outcome: r.outcome,
      reason: r.reason,
      startedAt: r.started_at,
      endedAt: r.ended_at,
    }));
  }
}

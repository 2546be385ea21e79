import type { Db } from '../db/database.ts';
import type { DayPlan, ProgrammeData, ProgrammeItemData, RecurringData, TimelineMedia } from './timeline.ts';
import { slotProgrammeKey } from './timeline.ts';

interface ProgrammeRow {
  id: string;
  date: string;
  slot_id: string | null;
  start_time: string | null;
  scope_code: string;
  scope_level: 'county' | 'township';
  title: string;
  created_at: number;
  updated_at: number;
}

interface ItemRow {
  id: string;
  programme_id: string;
  content_id: string | null;
  content_state: string | null;
  media_sha256: string;
  title: string | null;
  volume: number | null;
  bytes: number;
  duration_ms: number;
  mime: string;
}

interface RecurringRow {
  id: string;
  slot_id: string;
  scope_code: string;
  scope_level: 'county' | 'township';
  content_id: string | null;
  content_state: string | null;
  media_sha256: string;
  title: string | null;
  days: string;
  from_date: string;
  until_date: string | null;
  placement: 'first' | 'last';
  bytes: number;
  duration_ms: number;
  mime: string;
}

export interface ProgrammeRecord extends ProgrammeData {
  createdAt: number;
  updatedAt: number;
}

export interface NewProgramme {
  id: string;
  date: string;
  slotId: string | null;
  startTime: string | null;
  scopeCode: string;
  title: string;
  items: Array<{
    id: string;
    contentId: string;
    mediaSha256: string;
    title: string | null;
    volume: number | null;
  }>;
}

export interface NewRecurring {
  id: string;
  slotId: string;
  scopeCode: string;
  contentId: string;
  mediaSha256: string;
  title: string | null;
  days: string;
  fromDate: string;
  untilDate: string | null;
  placement: 'first' | 'last';
}

const media = (r: {
  media_sha256: string;
  bytes: number;
  duration_ms: number;
  mime: string;
}): TimelineMedia => ({
  sha256: r.media_sha256,
  bytes: r.bytes,
  durationMs: r.duration_ms,
  mime: r.mime,
});

const PROGRAMME_SELECT = `SELECT p.*, a.level AS scope_level FROM programmes p JOIN areas a ON a.code = p.scope_code`;
// An item plays its content's current audio; the content's state decides whether it sounds at all.
const ITEM_SELECT = `SELECT i.id, i.programme_id, i.position, i.title, i.volume, i.content_id,
    c.state AS content_state, COALESCE(c.media_sha256, i.media_sha256) AS media_sha256, m.bytes, m.duration_ms, m.mime
  FROM programme_items i LEFT JOIN content_items c ON c.id = i.content_id
  JOIN media m ON m.sha256 = COALESCE(c.media_sha256, i.media_sha256)`;
const RECURRING_SELECT = `SELECT r.id, r.slot_id, r.scope_code, r.title, r.days, r.from_date, r.until_date, r.placement,
    r.created_at, r.content_id, c.state AS content_state, COALESCE(c.media_sha256, r.media_sha256) AS media_sha256,
    a.level AS scope_level, m.bytes, m.duration_ms, m.mime
  FROM recurring_items r JOIN areas a ON a.code = r.scope_code LEFT JOIN content_items c ON c.id = r.content_id
  JOIN media m ON m.sha256 = COALESCE(c.media_sha256, r.media_sha256)`;

/** Only reviewed content sounds: items whose content went back to draft are left out of the plan. */
export const SOUNDING_STATES: ReadonlySet<string> = new Set(['approved', 'released']);
const sounds = (i: { contentState?: string | null }) =>
  !i.contentState || SOUNDING_STATES.has(i.contentState);

/** Programmes, their items and recurring items in SQLite; no rules here (see programme-rules.ts). */
export class ProgrammeStore {
  constructor(private readonly db: Db) {}

  /** Runs `fn` in one transaction: the release gate's writes commit only with the programme they let in. */
  atomically<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  private withItems(rows: ProgrammeRow[]): ProgrammeRecord[] {
    if (rows.length === 0) return [];
    const items = this.db
      .prepare(
        `${ITEM_SELECT} WHERE i.programme_id IN (${rows.map(() => '?').join(',')}) ORDER BY i.programme_id, i.position`,
      )
      .all(...rows.map((r) => r.id)) as ItemRow[];
    const byProgramme = new Map<string, ProgrammeItemData[]>();
    for (const i of items) {
      const list = byProgramme.get(i.programme_id) ?? [];
      list.push({
        id: i.id,
        media: media(i),
        title: i.title,
        volume: i.volume,
        contentId: i.content_id,
        contentState: i.content_state,
      });
      byProgramme.set(i.programme_id, list);
    }
    return rows.map((r) => ({
      id: r.id,
      date: r.date,
      slotId: r.slot_id,
      startTime: r.start_time,
      scopeCode: r.scope_code,
      scopeLevel: r.scope_level,
      title: r.title,
      items: byProgramme.get(r.id) ?? [],
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }));
  }

  get(id: string): ProgrammeRecord | null {
    const row = this.db.prepare(`${PROGRAMME_SELECT} WHERE p.id = ?`).get(id) as ProgrammeRow | undefined;
    return row ? this.withItems([row])[0]! : null;
  }

  findSlot(date: string, slotId: string, scopeCode: string): ProgrammeRecord | null {
    const row = this.db
      .prepare(`${PROGRAMME_SELECT} WHERE p.date = ? AND p.slot_id = ? AND p.scope_code = ?`)
      .get(date, slotId, scopeCode) as ProgrammeRow | undefined;
    return row ? this.withItems([row])[0]! : null;
  }

  list(fromDate: string, toDate: string, scopeCode?: string): ProgrammeRecord[] {
    const rows = (
      scopeCode
        ? this.db
            .prepare(
              `${PROGRAMME_SELECT} WHERE p.date BETWEEN ? AND ? AND p.scope_code = ? ORDER BY p.date, p.start_time, p.slot_id`,
            )
            .all(fromDate, toDate, scopeCode)
        : this.db
            .prepare(
              `${PROGRAMME_SELECT} WHERE p.date BETWEEN ? AND ? ORDER BY p.date, p.start_time, p.slot_id`,
            )
            .all(fromDate, toDate)
    ) as ProgrammeRow[];
    return this.withItems(rows);
  }

  /** Inserts or replaces a programme and its items in one transaction. */
  save(p: NewProgramme, userId: number | null, now: number): void {
    this.db.transaction(() => {
      const exists = this.db.prepare('SELECT 1 FROM programmes WHERE id = ?').get(p.id);
      if (exists) {
        this.db
          .prepare('UPDATE programmes SET title = ?, updated_at = ? WHERE id = ?')
          .run(p.title, now, p.id);
        this.db.prepare('DELETE FROM programme_items WHERE programme_id = ?').run(p.id);
      } else {
        this.db
          .prepare(
            `INSERT INTO programmes (id, date, slot_id, start_time, scope_code, title, created_by, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(p.id, p.date, p.slotId, p.startTime, p.scopeCode, p.title, userId, now, now);
      }
      const insert = this.db.prepare(
        'INSERT INTO programme_items (id, programme_id, position, content_id, media_sha256, title, volume) VALUES (?, ?, ?, ?, ?, ?, ?)',
      );
      for (const [position, item] of p.items.entries()) {
        insert.run(item.id, p.id, position, item.contentId, item.mediaSha256, item.title, item.volume);
      }
    })();
  }

  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM programmes WHERE id = ?').run(id).changes > 0;
  }

  recurring(): RecurringData[] {
    return (this.db.prepare(`${RECURRING_SELECT} ORDER BY r.created_at, r.id`).all() as RecurringRow[]).map(
      (r) => ({
        id: r.id,
        slotId: r.slot_id,
        scopeCode: r.scope_code,
        scopeLevel: r.scope_level,
        media: media(r),
        title: r.title,
        contentId: r.content_id,
        contentState: r.content_state,
        days: r.days,
        fromDate: r.from_date,
        untilDate: r.until_date,
        placement: r.placement,
      }),
    );
  }

  getRecurring(id: string): RecurringData | null {
    return this.recurring().find((r) => r.id === id) ?? null;
  }

  saveRecurring(r: NewRecurring, userId: number | null, now: number): void {
    this.db
      .prepare(
        `INSERT INTO recurring_items (id, slot_id, scope_code, content_id, media_sha256, title, days, from_date, until_date, placement, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        r.id,
        r.slotId,
        r.scopeCode,
        r.contentId,
        r.mediaSha256,
        r.title,
        r.days,
        r.fromDate,
        r.untilDate,
        r.placement,
        userId,
        now,
      );
  }

  deleteRecurring(id: string): boolean {
    return this.db.prepare('DELETE FROM recurring_items WHERE id = ?').run(id).changes > 0;
  }

  /** Latest date any programme is planned for (to check a new recurring item against). */
  lastProgrammeDate(): string | null {
    return (this.db.prepare('SELECT MAX(date) AS d FROM programmes').get() as { d: string | null }).d;
  }

  /** Everything planned on each of `dates`, grouped for the timeline. */
  dayPlans(dates: readonly string[]): Map<string, DayPlan> {
    const out = new Map<string, DayPlan>();
    if (dates.length === 0) return out;
    const sorted = [...dates].sort();
    const programmes = this.list(sorted[0]!, sorted.at(-1)!).map((p) => ({
      ...p,
      items: p.items.filter(sounds),
    }));
    const recurring = this.recurring().filter(sounds);
    for (const date of sorted) {
      out.set(date, {
        date,
        slotProgrammes: new Map(),
        oneOffs: [],
        recurring: recurring.filter(
          (r) => date >= r.fromDate && (r.untilDate === null || date <= r.untilDate),
        ),
      });
    }
    for (const p of programmes) {
      const day = out.get(p.date);
      if (!day) continue;
      if (p.slotId !== null) day.slotProgrammes.set(slotProgrammeKey(p.slotId, p.scopeCode), p);
      else day.oneOffs.push(p);
    }
    return out;
  }
}

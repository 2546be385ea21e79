import type { AreaLevel } from '@dlb/protocol';
import type { Db } from '../db/database.ts';
import { notFound } from '../errors.ts';
import { type AreaInput, validateAreas } from './area-import.ts';

export interface Area {
  code: string;
  name: string;
  level: AreaLevel;
  parentCode: string | null;
}

interface AreaRow {
  code: string;
  name: string;
  level: AreaLevel;
  parent_code: string | null;
}
const toArea = (r: AreaRow): Area => ({
  code: r.code,
  name: r.name,
  level: r.level,
  parentCode: r.parent_code,
});

/** The county's division tree: county > township > village. */
export class AreaService {
  /** Chains are asked for on every permission check; the tree only changes on import. */
  private readonly chains = new Map<string, string[]>();

  constructor(private readonly db: Db) {}

  /** The code and its ancestors, nearest first ([] for an unknown code). */
  chainOf(code: string): string[] {
    const cached = this.chains.get(code);
    if (cached) return cached;
    const chain: string[] = [];
    let at: string | null = code;
    while (at !== null && chain.length < 8) {
      const row = this.db.prepare('SELECT parent_code FROM areas WHERE code = ?').get(at) as
        | { parent_code: string | null }
        | undefined;
      if (!row) break;
      chain.push(at);
      at = row.parent_code;
    }
    this.chains.set(code, chain);
    return chain;
  }

  /** Codes of every area under (and including) `code`. */
  descendantsOf(code: string): string[] {
    return (
      this.db
        .prepare(
          `WITH RECURSIVE sub(code) AS (SELECT ? UNION ALL SELECT a.code FROM areas a JOIN sub ON a.parent_code = sub.code)
           SELECT code FROM sub`,
        )
        .all(code) as Array<{ code: string }>
    ).map((r) => r.code);
  }

  list(): Area[] {
    return (this.db.prepare('SELECT * FROM areas ORDER BY code').all() as AreaRow[]).map(toArea);
  }

  get(code: string): Area | null {
    const r = this.db.prepare('SELECT * FROM areas WHERE code = ?').get(code) as AreaRow | undefined;
    return r ? toArea(r) : null;
  }

  require(code: string): Area {
    const a = this.get(code);
    if (!a) throw notFound('unknown_area', `行政区划 ${code} 不存在`);
    return a;
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM areas').get() as { n: number }).n;
  }

  /** Validates everything first, then upserts in one transaction: a bad file changes nothing. */
  import(rows: Array<{ code: string; name: string }>): {
    imported: number;
    byLevel: Record<AreaLevel, number>;
  } {
    const existing = new Set(this.list().map((a) => a.code));
    const areas: AreaInput[] = validateAreas(rows, existing);
    const upsert = this.db.prepare(
      `INSERT INTO areas (code, name, level, parent_code) VALUES (@code, @name, @level, @parentCode)
       ON CONFLICT(code) DO UPDATE SET name = excluded.name`,
    );
    this.db.transaction(() => {
      for (const a of areas) upsert.run(a);
    })();
    this.chains.clear();
    const byLevel: Record<AreaLevel, number> = { county: 0, township: 0, village: 0 };
    for (const a of areas) byLevel[a.level] += 1;
    return { imported: areas.length, byLevel };
  }
}

import type { Db } from '../db/database.ts';
import { type AuditRow, GENESIS_HASH, rowHash } from './audit-chain.ts';

/** Who did it: a person, a terminal, a department's system, the centre itself, or someone not logged in. */
export type AuditActor =
  | { kind: 'user'; id: number; name: string }
  | { kind: 'terminal'; id: string }
  | { kind: 'source'; id: string; name?: string }
  | { kind: 'system' }
  | { kind: 'anonymous'; name?: string };

export type AuditOutcome = 'ok' | 'denied' | 'failed';

export interface AuditInput {
  actor: AuditActor;
  /** Dotted verb, e.g. auth.login, content.approve, broadcast.send, terminal.rotate-credentials. */
  action: string;
  outcome?: AuditOutcome;
  /** What it was done to, e.g. "terminal:645…", "user:12", "content:c…". */
  target?: string | null;
  detail?: Record<string, unknown>;
  /** Where from: the client's address. */
  ip?: string | null;
}

function actorColumns(a: AuditActor): { kind: string; id: string | null; name: string | null } {
  switch (a.kind) {
    case 'user':
      return { kind: 'user', id: String(a.id), name: a.name };
    case 'terminal':
      return { kind: 'terminal', id: a.id, name: null };
    case 'source':
      return { kind: 'source', id: a.id, name: a.name ?? null };
    case 'system':
      return { kind: 'system', id: null, name: '系统' };
    case 'anonymous':
      return { kind: 'anonymous', id: null, name: a.name ?? null };
  }
}

/**
 * The append-only, hash-chained audit trail. Appends are synchronous and transactional, so the chain
 * cannot fork inside this process; better-sqlite3's write lock keeps a second process from forking it.
 */
export class AuditLog {
  private readonly listeners = new Set<(row: AuditRow) => void>();

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  append(input: AuditInput): AuditRow {
    const actor = actorColumns(input.actor);
    const row = this.db
      .transaction((): AuditRow => {
        const last = this.db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as
          | { seq: number; hash: string }
          | undefined;
        const partial: Omit<AuditRow, 'hash'> = {
          seq: (last?.seq ?? 0) + 1,
          at: this.now(),
          actor_kind: actor.kind,
          actor_id: actor.id,
          actor_name: actor.name,
          action: input.action,
          outcome: input.outcome ?? 'ok',
          target: input.target ?? null,
          detail: JSON.stringify(input.detail ?? {}),
          ip: input.ip ?? null,
          prev_hash: last?.hash ?? GENESIS_HASH,
        };
        const full: AuditRow = { ...partial, hash: rowHash(partial) };
        this.db
          .prepare(
            `INSERT INTO audit_log (seq, at, actor_kind, actor_id, actor_name, action, outcome, target, detail, ip, prev_hash, hash)
           VALUES (@seq, @at, @actor_kind, @actor_id, @actor_name, @action, @outcome, @target, @detail, @ip, @prev_hash, @hash)`,
          )
          .run(full);
        return full;
      })
      .immediate();
    for (const l of this.listeners) l(row);
    return row;
  }

  /** Called after each append (e.g. to push to the console or keep the head file). */
  onAppend(listener: (row: AuditRow) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

import { OUTCOME_LABEL_ZH, type OutcomeCode, topics } from '@dlb/protocol';
import type { AreaService } from '../areas/area-service.ts';
import type { Actor } from '../auth/actor.ts';
import type { Db } from '../db/database.ts';
import { forbidden, notFound, unprocessable } from '../errors.ts';
import type { MediaRecords } from '../media-library/media-records.ts';
import type { TerminalService } from '../terminals/terminal-service.ts';
import { canSeeBroadcast, checkSendable, targetAreas } from './broadcast-access.ts';
import { type CommandPublisher, newId, type Publication } from './command-publisher.ts';
import type { BroadcastTarget } from './targets.ts';

export interface BroadcastRequest {
  /** An approved content item (see content/). */
  contentId: string;
  target: BroadcastTarget;
  title?: string;
  priority?: number;
  volume?: number;
}

export interface TargetOutcome {
  terminalId: string;
  outcome: OutcomeCode;
  label: string;
  reason: string | null;
  startedAt: number | null;
  endedAt: number | null;
  updatedAt: number;
}

export interface BroadcastView {
  id: string;
  title: string | null;
  contentId: string | null;
  mediaSha256: string;
  priority: number;
  target: BroadcastTarget;
  createdAt: number;
  expiresAt: number;
  stoppedAt: number | null;
  summary: Record<OutcomeCode, number>;
  total: number;
}

/**
 * Broadcast now: resolves the target to terminals, records a row per terminal (outcome 0), signs one
 * command and publishes it on the narrowest topic that reaches them (one publish per area, not per terminal).
 */
export class BroadcastService {
  constructor(
    private readonly deps: {
      db: Db;
      areas: AreaService;
      terminals: TerminalService;
      media: MediaRecords;
      content: {
        useFor(id: string, actor: Actor, useAtArea: string): { mediaSha256: string; title: string };
      };
      publisher: CommandPublisher;
      commandTtlMs: number;
      now?: () => number;
    },
  ) {}

  private get now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /** The (topic, audience) pairs that reach a target: one publish per area, one per listed terminal. */
  private publicationsFor(target: BroadcastTarget): Publication[] {
    switch (target.kind) {
      case 'terminal':
        return [{ topic: topics.terminalCmd(target.tid), audience: { kind: 'terminal', tid: target.tid } }];
      case 'terminals':
        return [...new Set(target.tids)].map((tid) => ({
          topic: topics.terminalCmd(tid),
          audience: { kind: 'terminal', tid },
        }));
      case 'area':
        return [{ topic: topics.areaCmd(target.code), audience: { kind: 'area', code: target.code } }];
      case 'county': {
        const code = this.countyCode();
        return [{ topic: topics.areaCmd(code), audience: { kind: 'area', code } }];
      }
    }
  }

  private countyCode(): string {
    const county = this.deps.areas.list().find((a) => a.level === 'county');
    if (!county) throw notFound('no_county', '尚未导入县级行政区划');
    return county.code;
  }

  /** The terminals a target reaches now; a named terminal must exist and be in service. */
  private terminalsFor(target: BroadcastTarget): string[] {
    const { areas, terminals } = this.deps;
    const inService = (id: string) => {
      const t = terminals.require(id);
      if (!t.enabled) throw unprocessable('terminal_disabled', `终端 ${t.name} 已停用`);
      return t.id;
    };
    switch (target.kind) {
      case 'terminal':
        return [inService(target.tid)];
      case 'terminals':
        return [...new Set(target.tids)].map(inService);
      case 'area':
        return terminals.enabledIdsUnder(areas.require(target.code).code);
      case 'county':
        return terminals.enabledIdsUnder(this.countyCode());
    }
  }

  private get lookups() {
    return { areas: this.deps.areas, terminals: this.deps.terminals, countyCode: () => this.countyCode() };
  }

  /** Sends approved content to a target within the actor's scope, at a priority their role allows. */
  async create(req: BroadcastRequest, actor: Actor): Promise<BroadcastView> {
    const { priority, areas } = checkSendable(actor, req.target, req.priority, this.lookups);
    const userId = actor.id;
    const now = this.now;
    const id = newId('b');
    const commandId = newId('c');
    const expiresAt = now + this.deps.commandTtlMs;
    const { db } = this.deps;
    // The release gate (approved content only, and only where its scope reaches, checked per area) and
    // the broadcast's rows commit together: a refused broadcast leaves the item as it was.
    const { media, title } = db.transaction(() => {
      let used: { mediaSha256: string; title: string } | null = null;
      for (const area of areas) used = this.deps.content.useFor(req.contentId, actor, area);
      const media = this.deps.media.require(used!.mediaSha256);
      const title = req.title ?? used!.title;
      const terminalIds = this.terminalsFor(req.target);
      if (terminalIds.length === 0) throw unprocessable('no_terminals', '目标范围内没有在用的终端');
      db.prepare(
        `INSERT INTO broadcasts (id, command_id, media_sha256, content_id, title, priority, volume, target, created_by, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        id,
        commandId,
        media.sha256,
        req.contentId,
        title,
        priority,
        req.volume ?? null,
        JSON.stringify(req.target),
        userId,
        now,
        expiresAt,
      );
      const ins = db.prepare(
        'INSERT INTO broadcast_targets (broadcast_id, terminal_id, outcome, updated_at) VALUES (?, ?, 0, ?)',
      );
      for (const tid of terminalIds) ins.run(id, tid, now);
      return { media, title };
    })();

    const mediaRef = {
      sha256: media.sha256,
      path: `/t/media/${media.sha256}`,
      bytes: media.bytes,
      durationMs: media.durationMs,
      mime: media.mime,
    };
    try {
      await this.deps.publisher.send(
        commandId,
        this.publicationsFor(req.target),
        (audience) => ({
          kind: 'play',
          body: {
            broadcastId: id,
            title,
            priority,
            media: mediaRef,
            volume: req.volume,
            audience,
          },
        }),
        expiresAt,
      );
    } catch (e) {
      db.prepare(
        "UPDATE broadcast_targets SET outcome = 4, reason = 'publish-failed', updated_at = ? WHERE broadcast_id = ?",
      ).run(this.now, id);
      throw e;
    }
    return this.require(id);
  }

  /**
   * Stops a broadcast everywhere: a signed stop to the same audiences; terminals that had not taken it yet are
   * marked cancelled here, the rest report cancelled (5, 'stopped') themselves.
   */
  async stop(id: string, actor: Actor): Promise<BroadcastView> {
    const b = this.visible(id, actor);
    // Stopping reaches every terminal of the broadcast: only someone who could have sent it may.
    if (!targetAreas(b.target, this.lookups).every((a) => actor.canAt('broadcast.send', a)))
      throw forbidden('这次播发超出您的管辖范围，不能由您停止');
    const now = this.now;
    if (b.expiresAt < now) throw unprocessable('broadcast_over', '该播发的指令已过期，无需停止');
    await this.deps.publisher.send(newId('s'), this.publicationsFor(b.target), (audience) => ({
      kind: 'stop',
      body: { broadcastId: id, audience },
    }));
    this.deps.db.transaction(() => {
      this.deps.db
        .prepare('UPDATE broadcasts SET stopped_at = ? WHERE id = ? AND stopped_at IS NULL')
        .run(now, id);
      this.deps.db
        .prepare(
          "UPDATE broadcast_targets SET outcome = 5, reason = 'stopped', updated_at = ? WHERE broadcast_id = ? AND outcome = 0",
        )
        .run(now, id);
    })();
    return this.require(id);
  }

  require(id: string): BroadcastView {
    const r = this.deps.db.prepare('SELECT * FROM broadcasts WHERE id = ?').get(id) as
      | {
          id: string;
          title: string | null;
          content_id: string | null;
          media_sha256: string;
          priority: number;
          target: string;
          created_at: number;
          stopped_at: number | null;
          expires_at: number;
        }
      | undefined;
    if (!r) throw notFound('unknown_broadcast', `播发 ${id} 不存在`);
    const summary: Record<OutcomeCode, number> = { 0: 0, 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 };
    const counts = this.deps.db
      .prepare('SELECT outcome, COUNT(*) AS n FROM broadcast_targets WHERE broadcast_id = ? GROUP BY outcome')
      .all(id) as Array<{ outcome: OutcomeCode; n: number }>;
    let total = 0;
    for (const c of counts) {
      summary[c.outcome] = c.n;
      total += c.n;
    }
    return {
      id: r.id,
      title: r.title,
      contentId: r.content_id,
      mediaSha256: r.media_sha256,
      priority: r.priority,
      target: JSON.parse(r.target) as BroadcastTarget,
      createdAt: r.created_at,
      expiresAt: r.expires_at,
      stoppedAt: r.stopped_at,
      summary,
      total,
    };
  }

  /** A broadcast the actor may see (404 as for an unknown id otherwise). */
  visible(id: string, actor: Actor): BroadcastView {
    const b = this.require(id);
    if (!canSeeBroadcast(actor, targetAreas(b.target, this.lookups)))
      throw notFound('unknown_broadcast', `播发 ${id} 不存在`);
    return b;
  }

  /** Per-terminal outcomes, limited to the terminals the actor may see. */
  outcomesFor(id: string, actor: Actor): TargetOutcome[] {
    this.visible(id, actor);
    return this.outcomes(id).filter((o) => {
      const t = this.deps.terminals.get(o.terminalId);
      return t !== null && actor.canAt('broadcast.read', t.villageCode);
    });
  }

  outcomes(id: string): TargetOutcome[] {
    this.require(id);
    return (
      this.deps.db
        .prepare('SELECT * FROM broadcast_targets WHERE broadcast_id = ? ORDER BY terminal_id')
        .all(id) as Array<{
        terminal_id: string;
        outcome: OutcomeCode;
        reason: string | null;
        started_at: number | null;
        ended_at: number | null;
        updated_at: number;
      }>
    ).map((r) => ({
      terminalId: r.terminal_id,
      outcome: r.outcome,
      label: OUTCOME_LABEL_ZH[r.outcome],
      reason: r.reason,
      startedAt: r.started_at,
      endedAt: r.ended_at,
      updatedAt: r.updated_at,
    }));
  }

  /** The latest broadcasts the actor may see. */
  list(actor: Actor, limit = 50): BroadcastView[] {
    const out: BroadcastView[] = [];
    // Recent ones only: a township user's few among the county's many are still found.
    const rows = this.deps.db
      .prepare('SELECT id FROM broadcasts ORDER BY created_at DESC LIMIT 2000')
      .all() as Array<{ id: string }>;
    for (const r of rows) {
      const b = this.require(r.id);
      if (canSeeBroadcast(actor, targetAreas(b.target, this.lookups))) out.push(b);
      if (out.length >= limit) break;
    }
    return out;
  }
}

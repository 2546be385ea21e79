import { randomBytes } from 'node:crypto';
import { ALERT_LEVEL_PRIORITY, type AlertBody, type AlertLevel, type Audience, topics } from '@dlb/protocol';
import type { AreaService } from '../areas/area-service.ts';
import type { Actor } from '../auth/actor.ts';
import type { Permission } from '../auth/roles.ts';
import type { Db } from '../db/database.ts';
import type { CommandPublisher } from '../dispatch/command-publisher.ts';
import { conflict, forbidden, notFound, unprocessable } from '../errors.ts';
import type { MediaRecord, MediaRecords } from '../media-library/media-records.ts';
import type { TargetScope } from '../schedule/target-publisher.ts';
import type { TerminalGroups } from '../terminals/terminal-groups.ts';
import { type AlertTerminal, alertPublications, alertTerminals } from './alert-audience.ts';
import type { AlertInput } from './alert-model.ts';
import type { AlertRecord, AlertStore } from './alert-store.ts';
import { type EmergencyMedia, mediaRef } from './emergency-media.ts';

/** Who raises: an officer through the API, or a registered department feed within its allowance. */
export type AlertIssuer = { kind: 'user'; actor: Actor } | { kind: 'cap'; sourceId: string };

export interface AlertServiceDeps {
  db: Db;
  store: AlertStore;
  areas: AreaService;
  media: MediaRecords;
  emergencyMedia: EmergencyMedia;
  publisher: CommandPublisher;
  config: { confirmCountyWide: readonly AlertLevel[]; maxHours: number };
  now: () => number;
  /** Targets carry alerts for terminals that come back later; refreshed after the command is out. */
  touchTargets: (scopes: TargetScope[]) => void;
  /** Resolves once the attention tone and drill notice exist. */
  mediaReady: () => Promise<void>;
  /** Speech for an alert raised from text only (the offline engine). */
  speak?: (text: string, language: string) => Promise<MediaRecord>;
  /** Named terminal groups an alert's area may name (members visible to the officer for the permission). */
  groups: Pick<TerminalGroups, 'resolve'>;
}

const newAlertId = () => `a${Date.now().toString(36)}${randomBytes(6).toString('hex')}`;

/**
 * Raising, updating, confirming and cancelling alerts: checks who may (permission at every code of the area),
 * stores, and publishes one signed command per outermost area (drills: per drill terminal) at once.
 */
export class AlertService {
  constructor(private readonly deps: AlertServiceDeps) {}

  private enabledTerminals(): AlertTerminal[] {
    return (
      this.deps.db
        .prepare('SELECT id, village_code, drill_enabled FROM terminals WHERE enabled = 1')
        .all() as Array<{ id: string; village_code: string; drill_enabled: number }>
    ).map((r) => ({ id: r.id, villageCode: r.village_code, drillEnabled: r.drill_enabled === 1 }));
  }

  private countyCode(): string {
    const county = this.deps.areas.list().find((a) => a.level === 'county');
    if (!county) throw notFound('no_county', '尚未导入县级行政区划');
    return county.code;
  }

  /**
   * The area with each named group's members added to its terminals (the alert keeps them if the group
   * changes later); a group outside the officer's scope for `p` is unknown (404).
   */
  private withGroupMembers(input: AlertInput, issuer: AlertIssuer, p: Permission): AlertInput {
    const { area } = input;
    if (area.groups.length === 0) return input;
    const groups = this.deps.groups.resolve(area.groups, issuer.kind === 'user' ? issuer.actor : null, p);
    const terminalIds = [...new Set([...area.terminalIds, ...groups.flatMap((g) => g.terminalIds)])];
    if (terminalIds.length > 10_000) throw unprocessable('area_too_large', '预警区域内的终端超过 10000 个');
    return { ...input, area: { ...area, groups: [...new Set(area.groups)], terminalIds } };
  }

  /** Every code and listed terminal must exist and lie within the officer's scope for `p`. */
  private checkArea(input: AlertInput['area'], issuer: AlertIssuer, p: Permission): void {
    for (const code of input.codes) {
      const a = this.deps.areas.get(code);
      if (!a || (issuer.kind === 'user' && !issuer.actor.canAt(p, code)))
        throw notFound('unknown_area', `行政区划 ${code} 不存在或不在您的管辖范围`);
    }
    if (input.terminalIds.length > 0) {
      const rows = this.deps.db
        .prepare(
          `SELECT id, village_code FROM terminals WHERE id IN (${input.terminalIds.map(() => '?').join(',')})`,
        )
        .all(...input.terminalIds) as Array<{ id: string; village_code: string }>;
      const found = new Map(rows.map((r) => [r.id, r.village_code]));
      for (const tid of input.terminalIds) {
        const village = found.get(tid);
        if (!village || (issuer.kind === 'user' && !issuer.actor.canAt(p, village)))
          throw notFound('unknown_terminal', `终端 ${tid} 不存在`);
      }
    }
  }

  private checkTimes(input: AlertInput, now: number): { startsAt: number; expiresAt: number } {
    const startsAt = input.startsAt ?? now;
    const { maxHours } = this.deps.config;
    if (input.expiresAt <= now) throw unprocessable('alert_expired', '结束时间已过：预警无法播出');
    if (input.expiresAt <= startsAt) throw unprocessable('bad_times', '结束时间须晚于开始时间');
    if (startsAt > now + 7 * 86_400_000) throw unprocessable('bad_times', '开始时间不能晚于 7 天之后');
    if (input.expiresAt - startsAt > maxHours * 3600_000)
      throw unprocessable('alert_too_long', `预警有效期最长 ${maxHours} 小时`);
    return { startsAt, expiresAt: input.expiresAt };
  }

  private async audioFor(input: AlertInput): Promise<MediaRecord> {
    if (input.mediaSha256) {
      const m = this.deps.media.get(input.mediaSha256);
      if (!m) throw notFound('unknown_media', `音频 ${input.mediaSha256} 不存在`);
      return m;
    }
    if (!this.deps.speak) throw unprocessable('audio_required', '请上传预警音频（本系统暂未启用文字转语音）');
    return this.deps.speak(`${input.title}。${input.text}`, input.language);
  }

  /** Whether this alert must wait for a second officer (configured levels, county-wide, real alerts only). */
  private needsConfirmation(input: AlertInput, drill: boolean): boolean {
    return (
      !drill &&
      this.deps.config.confirmCountyWide.includes(input.level) &&
      input.area.codes.includes(this.countyCode())
    );
  }

  async raise(
    input: AlertInput,
    issuer: AlertIssuer,
    opts: { drill: boolean; hold?: boolean; cap?: { sender: string; identifier: string } },
  ): Promise<AlertRecord> {
    const now = this.deps.now();
    const p = opts.drill ? 'alert.drill' : 'alert.raise';
    input = this.withGroupMembers(input, issuer, p);
    this.checkArea(input.area, issuer, p);
    const times = this.checkTimes(input, now);
    const audio = await this.audioFor(input);
    await this.deps.mediaReady();
    if (opts.drill) await this.deps.emergencyMedia.ensureDrillNotice();
    const pending = opts.hold === true || this.needsConfirmation(input, opts.drill);
    const record: AlertRecord = {
      id: newAlertId(),
      revision: 1,
      state: pending ? 'pending' : 'active',
      drill: opts.drill,
      level: input.level,
      eventCode: input.eventCode,
      eventName: input.eventName ?? null,
      issuer: input.issuer,
      language: input.language,
      title: input.title,
      text: input.text,
      area: input.area,
      mediaSha256: audio.sha256,
      repeat: input.repeat,
      intervalMs: input.intervalSec * 1000,
      volume: input.volume,
      ...times,
      source: issuer.kind === 'user' ? 'api' : `cap:${issuer.sourceId}`,
      capSender: opts.cap?.sender ?? null,
      capIdentifier: opts.cap?.identifier ?? null,
      createdBy: issuer.kind === 'user' ? issuer.actor.id : null,
      createdAt: now,
      updatedAt: now,
      confirmedBy: null,
      confirmedAt: null,
      endedBy: null,
      endedAt: null,
      endReason: null,
    };
    const reached = this.reach(record);
    this.deps.store.insert(record);
    if (!pending) await this.sound(record, reached);
    return record;
  }

  /** A new revision: same id, new content; terminals replace the one they sound. */
  async update(id: string, input: AlertInput, issuer: AlertIssuer): Promise<AlertRecord> {
    const old = this.writable(id, issuer);
    if (old.state !== 'active' && old.state !== 'pending')
      throw conflict('alert_ended', '预警已结束（已取消或被驳回），不能更新');
    const p = old.drill ? 'alert.drill' : 'alert.raise';
    input = this.withGroupMembers(input, issuer, p);
    this.checkArea(input.area, issuer, p);
    const now = this.deps.now();
    const times = this.checkTimes({ ...input, startsAt: input.startsAt ?? old.startsAt }, now);
    // The speech says "title。text": new words without new audio are spoken again.
    const reworded = input.text !== old.text || input.title !== old.title;
    const audio = input.mediaSha256 || reworded ? await this.audioFor(input) : null;
    const next: AlertRecord = {
      ...old,
      revision: old.revision + 1,
      level: input.level,
      eventCode: input.eventCode,
      eventName: input.eventName ?? null,
      issuer: input.issuer,
      language: input.language,
      title: input.title,
      text: input.text,
      area: input.area,
      mediaSha256: audio?.sha256 ?? old.mediaSha256,
      repeat: input.repeat,
      intervalMs: input.intervalSec * 1000,
      volume: input.volume,
      ...times,
      updatedAt: now,
    };
    const reached = this.reach(next);
    this.deps.store.revise(next);
    if (next.state === 'active') {
      await this.sound(next, reached);
      // Terminals the new area leaves out are silenced one by one (an area-wide cancel would end it for all).
      const kept = new Set(reached.map((t) => t.id));
      const dropped = alertTerminals(old.area, old.drill, this.enabledTerminals()).filter(
        (t) => !kept.has(t.id),
      );
      if (dropped.length > 0) {
        await this.deps.publisher.send(
          `x${old.id}r${next.revision}`,
          dropped.map((t) => ({
            topic: topics.terminalCmd(t.id),
            audience: { kind: 'terminal', tid: t.id },
          })),
          (audience) => ({ kind: 'alert-cancel', body: { alertId: old.id, audience } }),
          Math.max(old.expiresAt, now + 600_000),
        );
        this.deps.touchTargets(dropped.map((t) => ({ kind: 'terminal', tid: t.id })));
      }
    }
    return next;
  }

  /** The second officer's confirmation of a held alert (never the one who raised it). */
  async confirm(id: string, actor: Actor): Promise<AlertRecord> {
    const a = this.readable(id, actor);
    this.requireAll(a, actor, 'alert.confirm');
    if (a.state !== 'pending') throw conflict('alert_not_pending', '该预警不在待确认状态');
    if (a.createdBy === actor.id) throw forbidden('不能确认自己发起的预警：须由另一名值守员确认');
    this.deps.store.setState(id, 'active', { at: this.deps.now(), by: actor.id, confirmed: true });
    const confirmed = this.deps.store.get(id)!;
    await this.sound(confirmed);
    return confirmed;
  }

  /** Silences it everywhere (a held alert is simply dismissed). */
  async cancel(id: string, issuer: AlertIssuer, reason?: string): Promise<AlertRecord> {
    const a = this.writable(id, issuer);
    if (a.state === 'cancelled' || a.state === 'rejected') throw conflict('alert_ended', '预警已结束');
    const now = this.deps.now();
    const by = issuer.kind === 'user' ? issuer.actor.id : null;
    this.deps.store.setState(id, a.state === 'pending' ? 'rejected' : 'cancelled', { at: now, by, reason });
    if (a.state === 'active') {
      const reached = alertTerminals(a.area, a.drill, this.enabledTerminals());
      await this.deps.publisher.send(
        `x${a.id}`,
        alertPublications(a.area, a.drill, reached),
        (audience) => ({ kind: 'alert-cancel', body: { alertId: a.id, audience } }),
        Math.max(a.expiresAt, now + 600_000),
      );
      this.deps.touchTargets(this.scopesOf(a, reached));
    }
    return this.deps.store.get(id)!;
  }

  /** The signed body for one audience (a terminal's target uses its own id as the audience). */
  bodyFor(a: AlertRecord, audience: Audience): AlertBody {
    const media = this.deps.media.require(a.mediaSha256);
    const { emergencyMedia } = this.deps;
    return {
      alertId: a.id,
      revision: a.revision,
      level: a.level,
      drill: a.drill,
      priority: ALERT_LEVEL_PRIORITY[a.level],
      title: a.title,
      attention: emergencyMedia.attention,
      ...(a.drill ? { drillNotice: emergencyMedia.drillNotice } : {}),
      media: mediaRef(media),
      volume: a.volume,
      repeat: a.repeat,
      intervalMs: a.intervalMs,
      startsAt: a.startsAt,
      expiresAt: a.expiresAt,
      audience,
    };
  }

  /** Alerts a terminal must hold in its target (so it sounds them if it was offline when they were sent). */
  inForceFor(t: AlertTerminal, at: number, inForce = this.deps.store.inForce(at)): AlertRecord[] {
    return inForce
      .filter((a) => alertTerminals(a.area, a.drill, [t]).length > 0)
      .sort(
        (x, y) => ALERT_LEVEL_PRIORITY[y.level] - ALERT_LEVEL_PRIORITY[x.level] || y.createdAt - x.createdAt,
      );
  }

  /** The terminals an alert reaches now; none is refused before anything is stored or sent. */
  private reach(a: Pick<AlertRecord, 'area' | 'drill'>): AlertTerminal[] {
    const reached = alertTerminals(a.area, a.drill, this.enabledTerminals());
    if (reached.length === 0)
      throw unprocessable(
        'no_terminals',
        a.drill ? '预警区域内没有参加演练的终端' : '预警区域内没有在用的终端',
      );
    return reached;
  }

  /** Publishes the revision's command at once, then records its targets and refreshes their targets. */
  private async sound(a: AlertRecord, reached = this.reach(a)): Promise<void> {
    const published = this.deps.publisher.send(
      `${a.id}r${a.revision}`,
      alertPublications(a.area, a.drill, reached),
      (audience) => ({ kind: 'alert', body: this.bodyFor(a, audience) }),
      a.expiresAt,
    );
    // The command is on its way (signed and written to the broker link before `send` first yields); the target
    // rows are written while the broker fans it out, not after its acknowledgement, which at 5000 terminals
    // comes ~200 ms later, so the first reports never wait behind them.
    this.deps.store.setTargets(
      a.id,
      reached.map((t) => t.id),
      this.deps.now(),
    );
    await published;
    this.deps.touchTargets(this.scopesOf(a, reached));
  }

  private scopesOf(a: AlertRecord, reached: readonly AlertTerminal[]): TargetScope[] {
    if (a.drill) return reached.map((t) => ({ kind: 'terminal', tid: t.id }));
    const county = this.countyCode();
    if (a.area.codes.includes(county)) return [{ kind: 'all' }];
    return [
      ...a.area.codes.map((code) => ({ kind: 'area', code }) as const),
      ...a.area.terminalIds.map((tid) => ({ kind: 'terminal', tid }) as const),
    ];
  }

  /** Whether an actor may see an alert: it reads at (or above) some place the alert covers. */
  visibleTo(a: AlertRecord, actor: Actor): boolean {
    if (actor.hasCountyWide('alert.read')) return true;
    const places = [
      ...a.area.codes,
      ...(a.area.terminalIds.length > 0
        ? (
            this.deps.db
              .prepare(
                `SELECT village_code FROM terminals WHERE id IN (${a.area.terminalIds.map(() => '?').join(',')})`,
              )
              .all(...a.area.terminalIds) as Array<{ village_code: string }>
          ).map((r) => r.village_code)
        : []),
    ];
    return places.some((p) => actor.canAtOrAbove('alert.read', p));
  }

  readable(id: string, actor: Actor): AlertRecord {
    const a = this.deps.store.get(id);
    if (!a || !this.visibleTo(a, actor)) throw notFound('unknown_alert', `预警 ${id} 不存在`);
    return a;
  }

  /** An officer may change an alert only if they hold the permission at every place it covers. */
  private writable(id: string, issuer: AlertIssuer): AlertRecord {
    if (issuer.kind === 'cap') {
      const a = this.deps.store.get(id);
      if (!a || a.source !== `cap:${issuer.sourceId}`) throw notFound('unknown_alert', `预警 ${id} 不存在`);
      return a;
    }
    const a = this.readable(id, issuer.actor);
    this.requireAll(a, issuer.actor, a.drill ? 'alert.drill' : 'alert.raise');
    return a;
  }

  private requireAll(a: AlertRecord, actor: Actor, p: Permission): void {
    try {
      this.checkArea(a.area, { kind: 'user', actor }, p);
    } catch {
      throw forbidden('该预警的区域超出您的管辖范围');
    }
  }

  list(actor: Actor, limit = 50, before?: number): AlertRecord[] {
    return this.deps.store
      .list(Math.min(limit * 4, 1000), before)
      .filter((a) => this.visibleTo(a, actor))
      .slice(0, limit);
  }
}

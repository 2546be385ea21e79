import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Role } from '../../server/src/auth/roles.ts';
import type { Centre } from '../../server/src/centre.ts';
import { ApiClient } from './api-client.ts';
import { makeTone } from './audio.ts';
import { ADMIN_PASSWORD } from './fleet.ts';
import { startInProcessCentre } from './in-process-centre.ts';

/** The two townships every scoped check is made against: A is "ours", B is someone else's. */
export const TOWNSHIP_A = '450323101';
export const TOWNSHIP_B = '450323104';
export const NOW = Date.parse('2026-11-24T08:00:00+08:00');
export const PASSWORD = 'matrix-password-0001';

/** Who asks: every role (the emergency officer at both scopes), plus nobody and a terminal. */
export const ACTORS = {
  county_admin: { role: 'county_admin', scope: null },
  county_operator: { role: 'county_operator', scope: null },
  county_reviewer: { role: 'county_reviewer', scope: null },
  township_operator: { role: 'township_operator', scope: TOWNSHIP_A },
  township_reviewer: { role: 'township_reviewer', scope: TOWNSHIP_A },
  emergency_county: { role: 'emergency_officer', scope: null },
  emergency_township: { role: 'emergency_officer', scope: TOWNSHIP_A },
  auditor: { role: 'auditor', scope: null },
} as const satisfies Record<string, { role: Role; scope: string | null }>;
export type StaffKey = keyof typeof ACTORS;
export type ActorKey = StaffKey | 'anonymous' | 'terminal';
export const STAFF = Object.keys(ACTORS) as StaffKey[];

export type Where = 'in' | 'out';
const hex = (n: number) => randomBytes(n).toString('hex').slice(0, n);

/** A centre with a user per role, terminals and reviewed audio in both townships, and fixture makers. */
export class MatrixWorld {
  readonly tokens = new Map<ActorKey, string>();
  readonly village: Record<Where, string> = { in: '', out: '' };
  readonly township: Record<Where, string> = { in: TOWNSHIP_A, out: TOWNSHIP_B };
  readonly media: Record<Where, string> = { in: '', out: '' };
  /** A terminal (with its media token) in each township, kept enabled for broadcasts. */
  readonly terminal: Record<Where, string> = { in: '', out: '' };
  toneFile = '';
  countyCode = '450323';
  private authorId = 0;
  private dayCounter = 0;

  private constructor(
    readonly centre: Centre,
    readonly admin: ApiClient,
  ) {}

  static async create(dir: string): Promise<MatrixWorld> {
    const { centre, api } = await startInProcessCentre(dir, {}, { now: () => NOW });
    const w = new MatrixWorld(centre, api);
    await w.setUp(dir);
    return w;
  }

  private async setUp(dir: string): Promise<void> {
    const { centre } = this;
    const users = centre.services.users;
    for (const [key, a] of Object.entries(ACTORS) as Array<[StaffKey, (typeof ACTORS)[StaffKey]]>) {
      if (key !== 'county_admin')
        await users.create({
          username: key.replace(/_/g, '-'),
          displayName: key,
          password: PASSWORD,
          roles: [{ role: a.role, scopeCode: a.scope }],
        });
    }
    const author = await users.create({
      username: 'author',
      displayName: '作者',
      password: PASSWORD,
      roles: [{ role: 'county_operator', scopeCode: null }],
    });
    this.authorId = author.id;
    this.tokens.set('county_admin', this.admin.token!);
    for (const key of STAFF) if (key !== 'county_admin') this.tokens.set(key, await this.login(key));
    const areas = centre.services.areas.list();
    for (const where of ['in', 'out'] as const) {
      this.village[where] = areas.find((a) => a.parentCode === this.township[where])!.code;
    }
    this.countyCode = areas.find((a) => a.level === 'county')!.code;
    this.toneFile = path.join(dir, 'tone.wav');
    makeTone(this.toneFile, 1.5);
    this.media.in = (await this.admin.upload(this.toneFile)).media.sha256;
    const other = path.join(dir, 'tone-b.wav');
    makeTone(other, 1.5, 660);
    this.media.out = (await this.admin.upload(other)).media.sha256;
    const reg = centre.services.terminals.register({ villageCode: this.village.in });
    this.terminal.in = reg.terminal.id;
    this.tokens.set('terminal', `${reg.terminal.id}:${reg.agentConfig.mediaToken}`);
    this.terminal.out = centre.services.terminals.register({ villageCode: this.village.out }).terminal.id;
  }

  /** A fresh session for a staff member (for calls that end their session, like logout). */
  async login(key: StaffKey): Promise<string> {
    const c = new ApiClient(this.centre.httpUrl);
    if (key === 'county_admin') await c.login('admin', ADMIN_PASSWORD);
    else await c.login(key.replace(/_/g, '-'), PASSWORD);
    return c.token!;
  }

  get db() {
    return this.centre.db;
  }

  /** A local date no other fixture uses, so slot programmes never collide. */
  freshDate(): string {
    this.dayCounter += 1;
    return new Date(Date.parse('2026-12-01T00:00:00Z') + this.dayCounter * 86_400_000)
      .toISOString()
      .slice(0, 10);
  }

  newTerminal(where: Where): string {
    return this.centre.services.terminals.register({ villageCode: this.village[where] }).terminal.id;
  }

  /** Content written by a third person (so no actor is its author), in a township, in a state. */
  content(where: Where, state: 'draft' | 'submitted' | 'approved', scope = this.township[where]): string {
    const id = `c${hex(16)}`;
    this.db
      .prepare(
        `INSERT INTO content_items (id, title, scope_code, media_sha256, state, created_by, created_at, updated_by, updated_at,
           submitted_by, submitted_at)
         VALUES (?, '矩阵测试内容', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        scope,
        this.media[where],
        state,
        this.authorId,
        NOW,
        this.authorId,
        NOW,
        state === 'draft' ? null : this.authorId,
        state === 'draft' ? null : NOW,
      );
    return id;
  }

  programme(where: Where): string {
    const id = `p${hex(12)}`;
    this.db
      .prepare(
        `INSERT INTO programmes (id, date, slot_id, scope_code, title, created_at, updated_at)
         VALUES (?, ?, 'evening', ?, '矩阵测试节目', ?, ?)`,
      )
      .run(id, this.freshDate(), this.township[where], NOW, NOW);
    this.db
      .prepare(
        `INSERT INTO programme_items (id, programme_id, position, content_id, media_sha256) VALUES (?, ?, 0, ?, ?)`,
      )
      .run(`i${hex(12)}`, id, this.content(where, 'approved'), this.media[where]);
    return id;
  }

  recurring(where: Where): string {
    const id = `r${hex(10)}`;
    const date = this.freshDate();
    this.db
      .prepare(
        `INSERT INTO recurring_items (id, slot_id, scope_code, content_id, media_sha256, days, from_date, until_date, placement, created_at)
         VALUES (?, 'morning', ?, ?, ?, 'daily', ?, ?, 'first', ?)`,
      )
      .run(id, this.township[where], this.content(where, 'approved'), this.media[where], date, date, NOW);
    return id;
  }

  broadcast(where: Where): string {
    const id = `b${hex(12)}`;
    this.db
      .prepare(
        `INSERT INTO broadcasts (id, command_id, media_sha256, title, priority, target, created_at, expires_at)
         VALUES (?, ?, ?, '矩阵测试播发', 120, ?, ?, ?)`,
      )
      .run(
        id,
        `c${hex(12)}`,
        this.media[where],
        JSON.stringify({ kind: 'area', code: this.township[where] }),
        NOW,
        NOW + 3600_000,
      );
    this.db
      .prepare(
        'INSERT INTO broadcast_targets (broadcast_id, terminal_id, outcome, updated_at) VALUES (?, ?, 0, ?)',
      )
      .run(id, this.terminal[where], NOW);
    return id;
  }

  now(): number {
    return NOW;
  }

  /** An alert over a township raised by a third person, active or waiting for a second officer. */
  alert(where: Where, state: 'active' | 'pending' = 'active'): string {
    const id = `a${hex(12)}`;
    this.db
      .prepare(
        `INSERT INTO alerts (id, revision, state, drill, level, event_code, issuer, language, title, text, area,
           media_sha256, repeat, interval_ms, volume, starts_at, expires_at, source, created_by, created_at, updated_at)
         VALUES (?, 1, ?, 0, 'blue', '11B03', '应急管理局', 'zh-CN', '矩阵测试预警', '正文', ?, ?, 1, 0, 100, ?, ?, 'api', ?, ?, ?)`,
      )
      .run(
        id,
        state,
        JSON.stringify({ codes: [this.township[where]], terminalIds: [] }),
        this.media[where],
        NOW,
        NOW + 3600_000,
        this.authorId,
        NOW,
        NOW,
      );
    return id;
  }

  /** A terminal group held under a township, with that township's fixture terminal. */
  group(where: Where): string {
    const id = `g${randomBytes(8).toString('hex')}`;
    this.db
      .prepare(
        `INSERT INTO terminal_groups (id, name, scope_code, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
      )
      .run(id, `矩阵分组${hex(6)}`, this.township[where], NOW, NOW);
    this.db
      .prepare('INSERT INTO terminal_group_members (group_id, terminal_id) VALUES (?, ?)')
      .run(id, this.terminal[where]);
    return id;
  }

  capSource(): string {
    return this.centre.services.capSources.create(
      { name: '矩阵测试信息源', allowedCodes: [this.countyCode] },
      null,
    ).source.id;
  }

  /** A user row to administer (no password anyone knows). */
  user(): number {
    const info = this.db
      .prepare(
        `INSERT INTO users (username, display_name, password_hash, created_at) VALUES (?, '矩阵用户', 'x', ?)`,
      )
      .run(`u${hex(8)}`, NOW);
    const id = Number(info.lastInsertRowid);
    this.db.prepare(`INSERT INTO user_roles (user_id, role, scope_code) VALUES (?, 'auditor', NULL)`).run(id);
    return id;
  }

  async stop(): Promise<void> {
    await this.centre.stop();
  }
}

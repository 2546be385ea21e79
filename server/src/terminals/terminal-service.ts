import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  type AgentConfigInput,
  areaChainOf,
  makeTerminalId,
  type StateMessage,
  StateMessageSchema,
  type TerminalStatusCode,
} from '@dlb/protocol';
import type { AreaService } from '../areas/area-service.ts';
import { cachedStatement, type Db } from '../db/database.ts';
import { conflict, notFound, unprocessable } from '../errors.ts';
import { mosquittoPasswordHash } from '../mqtt/mosquitto/password-hash.ts';

export interface Terminal {
  id: string;
  villageCode: string;
  townshipCode: string;
  name: string;
  enabled: boolean;
  status: TerminalStatusCode;
  online: boolean;
  lastSeen: number | null;
  state: StateMessage | null;
  credentialVersion: number;
  /** Chosen for emergency drills (PUT /api/terminals/:id/drill). */
  drillEnabled: boolean;
  /** WGS-84 coordinates, for the console's map and CAP areas (null: not set). */
  location: { lat: number; lon: number } | null;
}

interface TerminalRow {
  id: string;
  village_code: string;
  name: string;
  enabled: number;
  mqtt_secret_hash: string;
  mqtt_mosquitto_hash: string;
  media_token_hash: string;
  credential_version: number;
  status: number;
  online: number;
  last_state: string | null;
  last_seen: number | null;
  drill_enabled: number;
  lat: number | null;
  lon: number | null;
}

/** A stored state document, or null if absent or no longer valid. */
export function parseState(json: string | null): StateMessage | null {
  if (!json) return null;
  const r = StateMessageSchema.safeParse(JSON.parse(json));
  return r.success ? r.data : null;
}

const toTerminal = (r: TerminalRow): Terminal => ({
  id: r.id,
  villageCode: r.village_code,
  townshipCode: r.village_code.slice(0, 9),
  name: r.name,
  enabled: r.enabled === 1,
  status: r.status as TerminalStatusCode,
  online: r.online === 1,
  lastSeen: r.last_seen,
  state: parseState(r.last_state),
  credentialVersion: r.credential_version,
  drillEnabled: r.drill_enabled === 1,
  location: r.lat === null || r.lon === null ? null : { lat: r.lat, lon: r.lon },
});

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const secret = () => randomBytes(24).toString('base64url');

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface ProvisioningDefaults {
  serverUrl: string;
  mqttUrl: string;
  serverKeys: Array<{ kid: string; publicKey: string }>;
}

type Cached = { secretHash: string; mediaHash: string; enabled: boolean; areaChain: string[] };

/**
 * Registered terminals and their credentials. Secrets are random and shown once, inside the agent config;
 * only hashes are stored. Lookups on the MQTT hot path come from an in-memory copy.
 */
export class TerminalService {
  private readonly cache = new Map<string, Cached>();
  private readonly listeners: Array<
    (change: { tid: string; kind: 'added' | 'disabled' | 'enabled' | 'rotated' }) => void
  > = [];

  constructor(
    private readonly db: Db,
    private readonly areas: AreaService,
    private readonly provisioning: () => ProvisioningDefaults,
    private readonly now: () => number = Date.now,
  ) {
    for (const r of this.db.prepare('SELECT * FROM terminals').all() as TerminalRow[]) this.remember(r);
  }

  onChange(
    listener: (change: { tid: string; kind: 'added' | 'disabled' | 'enabled' | 'rotated' }) => void,
  ): void {
    this.listeners.push(listener);
  }

  private emit(tid: string, kind: 'added' | 'disabled' | 'enabled' | 'rotated'): void {
    for (const l of this.listeners) l({ tid, kind });
  }

  private remember(r: TerminalRow): void {
    this.cache.set(r.id, {
      secretHash: r.mqtt_secret_hash,
      mediaHash: r.media_token_hash,
      enabled: r.enabled === 1,
      areaChain: areaChainOf(r.village_code),
    });
  }

  private row(id: string): TerminalRow | undefined {
    return cachedStatement(this.db, 'SELECT * FROM terminals WHERE id = ?').get(id) as
      | TerminalRow
      | undefined;
  }

  get(id: string): Terminal | null {
    const r = this.row(id);
    return r ? toTerminal(r) : null;
  }

  /** The village an (existing) terminal stands in; the report path's lookup, without the whole row. */
  villageOf(id: string): string | null {
    const r = cachedStatement(this.db, 'SELECT village_code FROM terminals WHERE id = ?').get(id) as
      | { village_code: string }
      | undefined;
    return r?.village_code ?? null;
  }

  require(id: string): Terminal {
    const t = this.get(id);
    if (!t) throw notFound('unknown_terminal', `终端 ${id} 不存在`);
    return t;
  }

  /** Terminals under an area code (county, township or village), or all. */
  list(areaCode?: string): Terminal[] {
    const rows = areaCode
      ? (this.db
          .prepare("SELECT * FROM terminals WHERE village_code LIKE ? || '%' ORDER BY id")
          .all(areaCode) as TerminalRow[])
      : (this.db.prepare('SELECT * FROM terminals ORDER BY id').all() as TerminalRow[]);
    return rows.map(toTerminal);
  }

  enabledIdsUnder(areaCode: string): string[] {
    return (
      this.db
        .prepare("SELECT id FROM terminals WHERE enabled = 1 AND village_code LIKE ? || '%' ORDER BY id")
        .all(areaCode) as Array<{ id: string }>
    ).map((r) => r.id);
  }

  register(input: { villageCode: string; name?: string }): {
    terminal: Terminal;
    agentConfig: AgentConfigInput;
  } {
    const village = this.areas.require(input.villageCode);
    if (village.level !== 'village') {
      throw unprocessable(
        'not_a_village',
        `终端须登记在村（社区）一级，${village.name} (${village.code}) 是${village.level === 'county' ? '县' : '乡镇'}级`,
      );
    }
    const mqttPassword = secret();
    const mediaToken = secret();
    const mosquittoHash = mosquittoPasswordHash(mqttPassword);
    const id = this.db.transaction(() => {
      const max = this.db
        .prepare('SELECT COUNT(*) AS n FROM terminals WHERE village_code = ?')
        .get(village.code) as { n: number };
      let seq = max.n + 1;
      while (this.row(makeTerminalId(village.code, seq))) seq += 1;
      if (seq > 9999) throw conflict('too_many_terminals', `${village.name} 的终端已达上限`);
      const tid = makeTerminalId(village.code, seq);
      this.db
        .prepare(
          `INSERT INTO terminals (id, village_code, name, mqtt_secret_hash, mqtt_mosquitto_hash, media_token_hash, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          tid,
          village.code,
          input.name?.trim() || `${village.name}${seq}号终端`,
          sha256(mqttPassword),
          mosquittoHash,
          sha256(mediaToken),
          this.now(),
        );
      return tid;
    })();
    this.remember(this.row(id)!);
    this.emit(id, 'added');
    const terminal = this.require(id);
    return { terminal, agentConfig: this.agentConfig(terminal, mqttPassword, mediaToken) };
  }

  setEnabled(id: string, enabled: boolean): Terminal {
    this.require(id);
    this.db.prepare('UPDATE terminals SET enabled = ? WHERE id = ?').run(enabled ? 1 : 0, id);
    this.remember(this.row(id)!);
    this.emit(id, enabled ? 'enabled' : 'disabled');
    return this.require(id);
  }

  /** New secrets; the old ones stop working at once. */
  rotateCredentials(id: string): { terminal: Terminal; agentConfig: AgentConfigInput } {
    this.require(id);
    const mqttPassword = secret();
    const mediaToken = secret();
    this.db
      .prepare(
        `UPDATE terminals SET mqtt_secret_hash = ?, mqtt_mosquitto_hash = ?, media_token_hash = ?,
         credential_version = credential_version + 1 WHERE id = ?`,
      )
      .run(sha256(mqttPassword), mosquittoPasswordHash(mqttPassword), sha256(mediaToken), id);
    this.remember(this.row(id)!);
    this.emit(id, 'rotated');
    const terminal = this.require(id);
    return { terminal, agentConfig: this.agentConfig(terminal, mqttPassword, mediaToken) };
  }

  private agentConfig(t: Terminal, mqttPassword: string, mediaToken: string): AgentConfigInput {
    const p = this.provisioning();
    return {
      terminalId: t.id,
      name: t.name,
      serverUrl: p.serverUrl,
      mqtt: { url: p.mqttUrl, username: t.id, password: mqttPassword },
      mediaToken,
      areaChain: areaChainOf(t.villageCode),
      groups: [],
      serverKeys: p.serverKeys,
      dataDir: '/var/lib/dlb-agent',
      player: { kind: 'command', command: 'mpg123', args: ['-q', '{file}'] },
    };
  }

  checkMqttCredentials(tid: string, password: string): boolean {
    const c = this.cache.get(tid);
    return !!c && c.enabled && sameHash(c.secretHash, sha256(password));
  }

  checkMediaToken(tid: string, token: string): boolean {
    const c = this.cache.get(tid);
    return !!c && c.enabled && sameHash(c.mediaHash, sha256(token));
  }

  accessOf(tid: string): { areaChain: string[]; groups: string[] } | null {
    const c = this.cache.get(tid);
    return c?.enabled ? { areaChain: c.areaChain, groups: [] } : null;
  }

  /** Everything the Mosquitto password/ACL files need. */
  mosquittoEntries(): Array<{
    tid: string;
    hash: string;
    areaChain: string[];
    groups: string[];
    enabled: boolean;
  }> {
    return (this.db.prepare('SELECT * FROM terminals ORDER BY id').all() as TerminalRow[]).map((r) => ({
      tid: r.id,
      hash: r.mqtt_mosquitto_hash,
      areaChain: areaChainOf(r.village_code),
      groups: [],
      enabled: r.enabled === 1,
    }));
  }

  /** An offline notice (Last Will) keeps the last full state, so its clock and cache figures stay visible. */
  recordState(tid: string, state: StateMessage, receivedAt: number): void {
    if (!state.online) {
      cachedStatement(this.db, 'UPDATE terminals SET status = ?, online = 0, last_seen = ? WHERE id = ?').run(
        state.status,
        receivedAt,
        tid,
      );
      return;
    }
    cachedStatement(
      this.db,
      'UPDATE terminals SET status = ?, online = 1, last_state = ?, last_seen = ? WHERE id = ?',
    ).run(state.status, JSON.stringify(state), receivedAt, tid);
  }

  /** Chooses the terminal for drills (its target says so; drills go nowhere else). */
  setDrillEnabled(id: string, enabled: boolean): void {
    this.db.prepare('UPDATE terminals SET drill_enabled = ? WHERE id = ?').run(enabled ? 1 : 0, id);
  }

  /** Where it stands (WGS-84), so alerts drawn as polygons or circles reach it; null clears it. */
  setLocation(id: string, at: { lat: number; lon: number } | null): void {
    this.db
      .prepare('UPDATE terminals SET lat = ?, lon = ? WHERE id = ?')
      .run(at?.lat ?? null, at?.lon ?? null, id);
  }

  /** Terminals with coordinates (for alert areas given as polygons or circles). */
  located(): Array<{ id: string; villageCode: string; lat: number; lon: number }> {
    return this.db
      .prepare(
        'SELECT id, village_code AS villageCode, lat, lon FROM terminals WHERE enabled = 1 AND lat IS NOT NULL AND lon IS NOT NULL',
      )
      .all() as Array<{ id: string; villageCode: string; lat: number; lon: number }>;
  }

  /** The volume its target carries (set by the volume command too). */
  setVolume(id: string, volume: number): void {
    this.db.prepare('UPDATE terminals SET volume = ? WHERE id = ?').run(volume, id);
  }
}

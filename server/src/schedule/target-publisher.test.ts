import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type TargetEnvelope, topics, verifyTarget } from '@dlb/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAreaJson } from '../areas/area-import.ts';
import { AreaService } from '../areas/area-service.ts';
import { SAMPLE_COUNTY_FILE } from '../centre.ts';
import { type Db, openDatabase } from '../db/database.ts';
import { loadOrCreateSigningKeys, type SigningKeys } from '../keys/signing-keys.ts';
import type { BrokerLink } from '../mqtt/broker-link.ts';
import { buildCalendar } from './calendar.ts';
import { ProgrammeStore } from './programme-store.ts';
import { loadScheduleText } from './schedule-file.ts';
import { TargetPublisher, type TargetPublisherDeps } from './target-publisher.ts';

const YAML = `
timeZone: Asia/Shanghai
quietHours: [{ from: "22:00", to: "06:00" }]
slots:
  - { id: noon, name: 午间, start: "12:00", maxMinutes: 30 }
`;
const loaded = loadScheduleText(YAML, 'test.yaml');
if (!loaded.ok) throw new Error('bad yaml');
const calendar = buildCalendar(loaded.doc);
const NOW = Date.parse('2026-11-24T08:00:00+08:00');
const T1 = ['64503231072000301000100', '64503231072000301000200']; // 大圩镇's 毛村 area
const T2 = '64503231012020301000100';

/** The broker boundary: records what would be published. */
class RecordingBroker implements Pick<BrokerLink, 'publish'> {
  published: Array<{ topic: string; payload: string; retain: boolean }> = [];
  async publish(topic: string, payload: Buffer | string, opts: { qos: 0 | 1; retain?: boolean }) {
    this.published.push({ topic, payload: payload.toString(), retain: opts.retain ?? false });
  }
}

const CONTENT = 'c0123456789abcdef';

describe('TargetPublisher', () => {
  let dir: string;
  let db: Db;
  let keys: SigningKeys;
  let broker: RecordingBroker;
  let now = NOW;
  let targets: TargetPublisher;
  let deps: TargetPublisherDeps;
  let store: ProgrammeStore;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'dlb-targets-'));
    db = openDatabase(path.join(dir, 'db.sqlite'));
    new AreaService(db).import(parseAreaJson(JSON.parse(readFileSync(SAMPLE_COUNTY_FILE, 'utf8'))));
    const insert = db.prepare(
      `INSERT INTO terminals (id, village_code, name, mqtt_secret_hash, mqtt_mosquitto_hash, media_token_hash, created_at)
       VALUES (?, ?, ?, 'x', 'x', 'x', 0)`,
    );
    for (const tid of [...T1, T2]) insert.run(tid, tid.slice(1, 13), tid);
    db.prepare(
      `INSERT INTO media (sha256, bytes, duration_ms, mime, original_name, created_at) VALUES (?, 1000, 60000, 'audio/mpeg', 'a.mp3', 0)`,
    ).run('ab'.repeat(32));
    db.prepare(
      `INSERT INTO content_items (id, title, scope_code, media_sha256, state, created_at, updated_at)
       VALUES (?, '镇通知', '450323107', ?, 'approved', 0, 0)`,
    ).run(CONTENT, 'ab'.repeat(32));
    keys = loadOrCreateSigningKeys(dir, () => NOW);
    broker = new RecordingBroker();
    now = NOW;
    store = new ProgrammeStore(db);
    deps = {
      db,
      store,
      calendar: () => calendar,
      countyCode: () => '450323',
      broker: broker as unknown as BrokerLink,
      signer: keys.signer,
      now: () => now,
      windowMs: 48 * 3600_000,
      timeline: { gapMs: 1000, lateToleranceMs: 3000, mediaPath: (s) => `/t/media/${s}` },
      log: () => {},
    };
    targets = new TargetPublisher(deps);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const lastFor = (tid: string): TargetEnvelope => {
    const m = broker.published.filter((p) => p.topic === topics.terminalTarget(tid)).at(-1)!;
    const v = verifyTarget(m.payload, { keys: new Map([[keys.kid, keys.publicKey]]), now });
    if (!v.ok) throw new Error(v.detail);
    return v.envelope;
  };
  const township = (code: string) => ({
    id: `p${code}`,
    date: '2026-11-24',
    slotId: 'noon',
    startTime: null,
    scopeCode: code,
    title: '镇节目',
    items: [
      {
        id: `i${code.slice(-6)}000000`,
        contentId: CONTENT,
        mediaSha256: 'ab'.repeat(32),
        title: null,
        volume: null,
      },
    ],
  });

  it('publishes a signed, retained target per terminal; versions rise only when content changes', async () => {
    const r1 = await targets.refresh({ kind: 'all' });
    expect(r1).toMatchObject({ terminals: 3, published: 3, unchanged: 0 });
    expect(broker.published.every((p) => p.retain)).toBe(true);
    const first = lastFor(T1[0]!);
    expect(first.body).toMatchObject({ tid: T1[0], timeZone: 'Asia/Shanghai', volume: 80, entries: [] });
    expect(first.body.quiet[0]!.from).toBe(Date.parse('2026-11-24T22:00:00+08:00'));
    expect(first.expiresAt - first.issuedAt).toBe(48 * 3600_000);

    now += 60_000;
    expect(await targets.refresh({ kind: 'all' })).toMatchObject({ published: 0, unchanged: 3 });

    // A township programme reaches only that township's terminals.
    store.save(township('450323107'), null, now);
    const r3 = await targets.refresh({ kind: 'area', code: '450323107' });
    expect(r3).toMatchObject({ terminals: 2, published: 2 });
    const second = lastFor(T1[0]!);
    expect(second.body.version).toBeGreaterThan(first.body.version);
    expect(second.body.entries.map((e) => [e.priority, e.startAt])).toEqual([
      [120, Date.parse('2026-11-24T12:00:00+08:00')],
    ]);
    expect(await targets.refresh({ kind: 'all' })).toMatchObject({ published: 0, unchanged: 3 });

    // Content edited back to draft stops sounding: the entry leaves the targets until re-approved.
    db.prepare("UPDATE content_items SET state = 'draft' WHERE id = ?").run(CONTENT);
    expect(await targets.refresh({ kind: 'area', code: '450323107' })).toMatchObject({ published: 2 });
    expect(lastFor(T1[0]!).body.entries).toEqual([]);
    db.prepare("UPDATE content_items SET state = 'approved' WHERE id = ?").run(CONTENT);
    await targets.refresh({ kind: 'area', code: '450323107' });
    expect(lastFor(T1[0]!).body.entries).toHaveLength(1);
  });

  it('gives the event loop back while it signs, so an alert is not held up behind thousands of targets', async () => {
    const batched = new TargetPublisher({ ...deps, compileBatch: 1 });
    let turns = 0;
    let turnsAtFirstPublish = -1;
    const tick = () => {
      turns++;
      if (turns < 1000) setImmediate(tick);
    };
    setImmediate(tick);
    const publish = broker.publish.bind(broker);
    broker.publish = async (...a: Parameters<typeof publish>) => {
      if (turnsAtFirstPublish < 0) turnsAtFirstPublish = turns;
      return publish(...a);
    };
    expect(await batched.refresh({ kind: 'all' })).toMatchObject({ published: 3 });
    // Three terminals, one per batch: the loop turned between them, before anything was published.
    expect(turnsAtFirstPublish).toBeGreaterThanOrEqual(2);
  });

  it('renews a target half-way to its expiry, and re-publishes everything when forced', async () => {
    await targets.refresh({ kind: 'all' });
    const v1 = lastFor(T2).body.version;
    now += 25 * 3600_000;
    expect(await targets.refresh({ kind: 'all' })).toMatchObject({ published: 3 });
    expect(lastFor(T2).body.version).toBeGreaterThan(v1);
    expect(await targets.refresh({ kind: 'all' }, { force: true })).toMatchObject({ published: 3 });
  });

  it('coalesces queued changes, and withdraws a disabled terminal without losing its version', async () => {
    await targets.refresh({ kind: 'all' });
    const before = broker.published.length;
    const v = lastFor(T2).body.version;
    targets.touch({ kind: 'terminal', tid: T2 });
    targets.touch({ kind: 'terminal', tid: T2 });
    targets.touch({ kind: 'area', code: '450323107' });
    await targets.whenIdle();
    expect(broker.published.length).toBe(before); // nothing changed

    await targets.withdraw(T2);
    expect(broker.published.at(-1)).toMatchObject({
      topic: topics.terminalTarget(T2),
      payload: '',
      retain: true,
    });
    db.prepare('UPDATE terminals SET volume = 60 WHERE id = ?').run(T2);
    await targets.refresh({ kind: 'terminal', tid: T2 });
    const after = lastFor(T2).body;
    expect(after.version).toBeGreaterThan(v);
    expect(after.volume).toBe(60);
  });
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { AreaService } from '../areas/area-service.ts';
import { type Db, openDatabase } from '../db/database.ts';
import { EventIngest } from '../fleet/event-ingest.ts';
import { TerminalService } from '../terminals/terminal-service.ts';
import { RealtimeBus, type RealtimeEvent } from './realtime-bus.ts';

const VILLAGE = '450323101200';
const provisioning = () => ({
  serverUrl: 'http://127.0.0.1:1',
  mqttUrl: 'mqtt://127.0.0.1:1',
  serverKeys: [{ kid: '0'.repeat(16), publicKey: `04${'1'.repeat(128)}` }],
});

const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const report = (seq: number, outcome: number, broadcastId = 'b1') =>
  json({
    outbox: 'outbox-bus-0001',
    events: [{ type: 'outcome', seq, at: 1000 + seq, commandId: 'c1', broadcastId, outcome, reason: 'x' }],
  });

describe('event ingestion feeds the console bus', () => {
  let db: Db;
  let tid: string;
  let bus: RealtimeBus;
  let seen: RealtimeEvent[];
  let failures: unknown[];
  let ingest: EventIngest;

  beforeEach(() => {
    db = openDatabase(path.join(mkdtempSync(path.join(tmpdir(), 'dlb-ingest-bus-')), 'db.sqlite'));
    const areas = new AreaService(db);
    areas.import([
      { code: '450323', name: '灵川县' },
      { code: '450323101', name: '大圩镇' },
      { code: VILLAGE, name: '大圩村' },
    ]);
    const terminals = new TerminalService(db, areas, provisioning, () => 1);
    tid = terminals.register({ villageCode: VILLAGE }).terminal.id;
    db.prepare(
      `INSERT INTO media (sha256, bytes, duration_ms, mime, original_name, created_at)
       VALUES ('m', 1, 1000, 'audio/mpeg', 'x', 1)`,
    ).run();
    db.prepare(
      `INSERT INTO broadcasts (id, command_id, media_sha256, priority, target, created_at, expires_at)
       VALUES ('b1', 'c1', 'm', 150, '{}', 1, 99999)`,
    ).run();
    db.prepare(
      "INSERT INTO broadcast_targets (broadcast_id, terminal_id, outcome, updated_at) VALUES ('b1', ?, 0, 1)",
    ).run(tid);
    failures = [];
    bus = new RealtimeBus((err) => failures.push(err));
    seen = [];
    bus.on((e) => seen.push(e));
    ingest = new EventIngest(
      db,
      terminals,
      () => 5000,
      () => {},
      bus,
    );
  });

  it('emits terminal:state with the stored state, stamped by the centre’s clock', () => {
    const playing = { broadcastId: 'b1', commandId: 'c1', priority: 150, startedAt: 10 };
    expect(ingest.ingestState(tid, json({ status: 5, online: true, at: 77, volume: 40, playing }))).toBe(
      true,
    );
    // A Last Will carries no volume or playing.
    expect(ingest.ingestState(tid, json({ status: 2, online: false, at: 78 }))).toBe(true);
    expect(seen).toEqual([
      {
        type: 'terminal:state',
        terminalId: tid,
        villageCode: VILLAGE,
        online: true,
        status: 5,
        volume: 40,
        playing,
        at: 5000,
      },
      {
        type: 'terminal:state',
        terminalId: tid,
        villageCode: VILLAGE,
        online: false,
        status: 2,
        volume: null,
        playing: null,
        at: 5000,
      },
    ]);
  });

  it('stores a batch of states in one go: the last per terminal, malformed ones dropped, one refused alone', () => {
    const terminals = new TerminalService(db, new AreaService(db), provisioning, () => 1);
    const [b, c] = [0, 1].map(() => terminals.register({ villageCode: VILLAGE }).terminal.id);
    // A database-level refusal of one terminal's state (here a trigger) rolls the batch back; each is then
    // stored alone, so the others are kept.
    db.exec(`CREATE TRIGGER refuse_state AFTER UPDATE OF last_state ON terminals WHEN NEW.id = '${c}'
      BEGIN SELECT RAISE(ABORT, 'refused'); END`);
    const results = ingest.ingestStates([
      { tid, payload: json({ status: 5, online: true, at: 1, volume: 30 }) },
      { tid: b!, payload: json({ status: 9, online: true, at: 1 }) }, // malformed: status out of range
      { tid: c!, payload: json({ status: 1, online: true, at: 1 }) },
      { tid, payload: json({ status: 1, online: true, at: 2, volume: 60 }) },
      { tid: b!, payload: json({ status: 1, online: true, at: 2, volume: 70 }) },
    ]);
    expect(results).toEqual([true, false, true, true, true]);
    const row = (id: string) =>
      db.prepare('SELECT status, online, last_state FROM terminals WHERE id = ?').get(id) as {
        status: number;
        online: number;
        last_state: string | null;
      };
    expect(JSON.parse(row(tid).last_state!)).toMatchObject({ at: 2, volume: 60 });
    expect(JSON.parse(row(b!).last_state!)).toMatchObject({ at: 2, volume: 70 });
    expect(row(c!).last_state).toBeNull();
    expect(
      seen.map((e) => [e.type === 'terminal:state' && e.terminalId, e.type === 'terminal:state' && e.volume]),
    ).toEqual([
      [tid, 60],
      [b, 70],
    ]);
  });

  it('emits nothing for an invalid state or an unknown terminal', () => {
    expect(ingest.ingestState(tid, json({ status: 9, online: true, at: 1 }))).toBe(false);
    expect(ingest.ingestState('6'.padEnd(23, '0'), json({ status: 1, online: true, at: 1 }))).toBe(false);
    expect(seen).toEqual([]);
  });

  it('emits broadcast:outcome only when the stored outcome changes', () => {
    ingest.ingestEvents(tid, report(1, 1));
    ingest.ingestEvents(tid, report(1, 1)); // re-sent: stored once
    ingest.ingestEvents(tid, report(2, 3));
    ingest.ingestEvents(tid, report(3, 2)); // late "playing" after "played": ignored
    ingest.ingestEvents(tid, report(4, 3, 'b-not-a-target'));
    expect(seen).toEqual([
      {
        type: 'broadcast:outcome',
        broadcastId: 'b1',
        terminalId: tid,
        villageCode: VILLAGE,
        outcome: 1,
        reason: 'x',
        at: 5000,
      },
      {
        type: 'broadcast:outcome',
        broadcastId: 'b1',
        terminalId: tid,
        villageCode: VILLAGE,
        outcome: 3,
        reason: 'x',
        at: 5000,
      },
    ]);
  });

  it('a failing listener does not lose the report, nor the event for the other listeners', () => {
    bus.on(() => {
      throw new Error('listener broke');
    });
    const after: RealtimeEvent[] = [];
    bus.on((e) => after.push(e));
    expect(ingest.ingestEvents(tid, report(1, 3))?.stored).toBe(1);
    expect(ingest.ingestState(tid, json({ status: 1, online: true, at: 1 }))).toBe(true);
    const row = db.prepare('SELECT outcome FROM broadcast_targets WHERE terminal_id = ?').get(tid);
    expect(row).toEqual({ outcome: 3 });
    expect(after.map((e) => e.type)).toEqual(['broadcast:outcome', 'terminal:state']);
    expect(failures).toHaveLength(2);
  });
});

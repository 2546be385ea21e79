import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TerminalEvent } from '@dlb/protocol';
import { beforeEach, describe, expect, it } from 'vitest';
import { AreaService } from '../areas/area-service.ts';
import { type Db, openDatabase } from '../db/database.ts';
import { TerminalService } from '../terminals/terminal-service.ts';
import { EventIngest } from './event-ingest.ts';

const provisioning = () => ({
  serverUrl: 'http://127.0.0.1:1',
  mqttUrl: 'mqtt://127.0.0.1:1',
  serverKeys: [{ kid: '0'.repeat(16), publicKey: `04${'1'.repeat(128)}` }],
});

function outcome(seq: number, o: 0 | 1 | 2 | 3 | 4 | 5, broadcastId = 'b1'): TerminalEvent {
  return {
    type: 'outcome',
    seq,
    at: 1000 + seq,
    commandId: 'c1',
    broadcastId,
    outcome: o,
    startedAt: o >= 2 ? 1002 : undefined,
    endedAt: o === 3 ? 3000 : undefined,
  };
}
const OUTBOX = 'outbox-aaaa-0001';
const msg = (...events: TerminalEvent[]) => Buffer.from(JSON.stringify({ outbox: OUTBOX, events }));
const msgFrom = (outbox: string, ...events: TerminalEvent[]) =>
  Buffer.from(JSON.stringify({ outbox, events }));

describe('event ingestion: stored once, acked contiguously, outcomes only move forward', () => {
  let db: Db;
  let ingest: EventIngest;
  let tid: string;
  let other: string;
  const outcomeOf = (t: string) =>
    (
      db.prepare('SELECT outcome FROM broadcast_targets WHERE terminal_id = ?').get(t) as
        | { outcome: number }
        | undefined
    )?.outcome;

  beforeEach(() => {
    db = openDatabase(path.join(mkdtempSync(path.join(tmpdir(), 'dlb-ingest-')), 'db.sqlite'));
    const areas = new AreaService(db);
    areas.import([
      { code: '450323', name: '灵川县' },
      { code: '450323101', name: '大圩镇' },
      { code: '450323101200', name: '大圩村' },
    ]);
    const terminals = new TerminalService(db, areas, provisioning, () => 1);
    tid = terminals.register({ villageCode: '450323101200' }).terminal.id;
    other = terminals.register({ villageCode: '450323101200' }).terminal.id;
    db.prepare("INSERT INTO media VALUES ('m', 1, 1000, 'audio/mpeg', 'x', NULL, 1)").run();
    db.prepare(
      "INSERT INTO broadcasts (id, command_id, media_sha256, priority, target, created_at, expires_at) VALUES ('b1', 'c1', 'm', 150, '{}', 1, 99999)",
    ).run();
    db.prepare(
      "INSERT INTO broadcast_targets (broadcast_id, terminal_id, outcome, updated_at) VALUES ('b1', ?, 0, 1)",
    ).run(tid);
    ingest = new EventIngest(db, terminals, () => 5000);
  });

  it('stores a re-sent batch once and acks the highest contiguous seq', () => {
    expect(ingest.ingestEvents(tid, msg(outcome(1, 1), outcome(2, 2)))).toEqual({
      outbox: OUTBOX,
      stored: 2,
      duplicates: 0,
      ackedUpTo: 2,
    });
    expect(ingest.ingestEvents(tid, msg(outcome(1, 1), outcome(2, 2), outcome(3, 3)))).toEqual({
      outbox: OUTBOX,
      stored: 1,
      duplicates: 2,
      ackedUpTo: 3,
    });
    expect(ingest.eventsOf(tid).map((e) => e.seq)).toEqual([3, 2, 1]);
    expect(outcomeOf(tid)).toBe(3);
  });

  it('does not ack past a gap until the gap is filled', () => {
    expect(ingest.ingestEvents(tid, msg(outcome(1, 1), outcome(3, 3)))?.ackedUpTo).toBe(1);
    expect(ingest.ingestEvents(tid, msg(outcome(2, 2)))?.ackedUpTo).toBe(3);
  });

  it('never lets a late "waiting" overwrite "played"', () => {
    ingest.ingestEvents(tid, msg(outcome(2, 3)));
    ingest.ingestEvents(tid, msg(outcome(1, 1)));
    expect(outcomeOf(tid)).toBe(3);
  });

  it("ignores a terminal's report about a broadcast it was not a target of", () => {
    ingest.ingestEvents(other, msg(outcome(1, 4)));
    expect(outcomeOf(other)).toBeUndefined();
    expect(outcomeOf(tid)).toBe(0);
  });

  it('keeps the reports of a re-imaged board that counts from 1 again (a new outbox id)', () => {
    expect(ingest.ingestEvents(tid, msg(outcome(1, 1), outcome(2, 2)))?.ackedUpTo).toBe(2);
    const fresh = ingest.ingestEvents(tid, msgFrom('outbox-bbbb-0002', outcome(1, 3)));
    expect(fresh).toEqual({ outbox: 'outbox-bbbb-0002', stored: 1, duplicates: 0, ackedUpTo: 1 });
    expect(outcomeOf(tid)).toBe(3);
    expect(ingest.eventsOf(tid)).toHaveLength(3);
  });

  it('acks an outbox first seen mid-way from where its oldest pending report starts', () => {
    expect(
      ingest.ingestEvents(tid, msgFrom('outbox-cccc-0003', outcome(57, 1), outcome(58, 2)))?.ackedUpTo,
    ).toBe(58);
    expect(ingest.ingestEvents(tid, msgFrom('outbox-cccc-0003', outcome(60, 3)))?.ackedUpTo).toBe(58);
    expect(ingest.ingestEvents(tid, msgFrom('outbox-cccc-0003', outcome(59, 3)))?.ackedUpTo).toBe(60);
  });

  it('stores a batch of many terminals in one transaction, each report on its own, listeners after the commit', () => {
    const seen: Array<[string, number, boolean]> = [];
    ingest.onEvents((t, evs) => seen.push([t, evs.length, db.inTransaction]));
    const results = ingest.ingestBatch([
      { tid, payload: msg(outcome(1, 1), outcome(2, 2)) },
      { tid: other, payload: Buffer.from('{"not":"events"}') },
      { tid: 'no-such-terminal', payload: msg(outcome(1, 1)) },
      { tid, payload: msg(outcome(2, 2), outcome(3, 3)) },
      { tid: other, payload: msgFrom('outbox-bbbb-0002', outcome(1, 1, 'b-other')) },
    ]);
    expect(results).toEqual([
      { outbox: OUTBOX, stored: 2, duplicates: 0, ackedUpTo: 2 },
      null,
      null,
      { outbox: OUTBOX, stored: 1, duplicates: 1, ackedUpTo: 3 },
      { outbox: 'outbox-bbbb-0002', stored: 1, duplicates: 0, ackedUpTo: 1 },
    ]);
    expect(outcomeOf(tid)).toBe(3);
    expect(seen).toEqual([
      [tid, 2, false],
      [tid, 1, false],
      [other, 1, false],
    ]);
  });

  it('keeps the rest of a batch when one report breaks its transaction', () => {
    // A database-level refusal of one report (here a trigger) rolls the batch back; each is then stored alone.
    db.exec(`CREATE TRIGGER refuse_bad AFTER INSERT ON terminal_events WHEN NEW.outbox_id = 'outbox-bad-0000'
      BEGIN SELECT RAISE(ABORT, 'refused'); END`);
    const logged: string[] = [];
    const logging = new EventIngest(
      db,
      new TerminalService(db, new AreaService(db), provisioning, () => 1),
      () => 5000,
      (m) => logged.push(m),
    );
    const seen: string[] = [];
    logging.onEvents((t) => seen.push(t));
    const results = logging.ingestBatch([
      { tid, payload: msg(outcome(1, 1), outcome(2, 2)) },
      { tid: other, payload: msgFrom('outbox-bad-0000', outcome(1, 1)) },
      { tid, payload: msg(outcome(3, 3)) },
    ]);
    expect(results).toEqual([
      { outbox: OUTBOX, stored: 2, duplicates: 0, ackedUpTo: 2 },
      null,
      { outbox: OUTBOX, stored: 1, duplicates: 0, ackedUpTo: 3 },
    ]);
    expect(seen).toEqual([tid, tid]);
    expect(logged.join('\n')).toContain(`保存终端 ${other} 的事件失败: refused`);
    expect(outcomeOf(tid)).toBe(3);
    expect(ingest.eventsOf(other)).toEqual([]);
  });

  it('drops malformed messages and unknown terminals', () => {
    expect(ingest.ingestEvents(tid, Buffer.from('nope'))).toBeNull();
    expect(ingest.ingestEvents(tid, Buffer.from(JSON.stringify({ events: [outcome(1, 1)] })))).toBeNull(); // no outbox id
    expect(
      ingest.ingestEvents(
        tid,
        Buffer.from(JSON.stringify({ outbox: OUTBOX, events: [{ type: 'outcome', seq: 0 }] })),
      ),
    ).toBeNull();
    expect(ingest.ingestEvents(tid, Buffer.from(JSON.stringify({ outbox: OUTBOX, events: [] })))).toBeNull();
    expect(ingest.ingestEvents('69999999999990301000100', msg(outcome(1, 1)))).toBeNull();
    expect(ingest.eventsOf(tid)).toEqual([]);
  });

  it('records state and rejects malformed state', () => {
    expect(ingest.ingestState(tid, Buffer.from(JSON.stringify({ status: 5, online: true, at: 1 })))).toBe(
      true,
    );
    expect(ingest.ingestState(tid, Buffer.from(JSON.stringify({ status: 9, online: true, at: 1 })))).toBe(
      false,
    );
    expect(
      (db.prepare('SELECT status, online FROM terminals WHERE id = ?').get(tid) as { status: number }).status,
    ).toBe(5);
  });
});

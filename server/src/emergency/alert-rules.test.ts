import type { OutcomeEvent } from '@dlb/protocol';
import { describe, expect, it } from 'vitest';
import { alertPublications, alertTerminals, outermostCodes } from './alert-audience.ts';
import { advances, applyAlertReport, revisionOf } from './alert-outcomes.ts';
import type { AlertTargetRow } from './alert-store.ts';
import { coverageOf } from './alert-view.ts';

const T = (id: string, villageCode: string, drillEnabled = false) => ({ id, villageCode, drillEnabled });
const fleet = [
  T('t1', '450323101200', true),
  T('t2', '450323101201'),
  T('t3', '450323104200'),
  T('t4', '450323105200', true),
];

describe('who an alert reaches, and on which topics', () => {
  it('keeps only the outermost of nested codes', () => {
    expect(outermostCodes(['450323101200', '450323101', '450323104', '450323101'])).toEqual([
      '450323101',
      '450323104',
    ]);
    expect(outermostCodes(['450323104', '450323'])).toEqual(['450323']);
  });

  it('reaches terminals under its codes and those listed; a drill only those chosen for drills', () => {
    const area = { codes: ['450323101'], terminalIds: ['t3'] };
    expect(alertTerminals(area, false, fleet).map((t) => t.id)).toEqual(['t1', 't2', 't3']);
    expect(alertTerminals(area, true, fleet).map((t) => t.id)).toEqual(['t1']);
    expect(alertTerminals({ codes: ['450323'], terminalIds: [] }, true, fleet).map((t) => t.id)).toEqual([
      't1',
      't4',
    ]);
  });

  it('publishes a real alert per outermost area plus loose terminals, a drill only per drill terminal', () => {
    const area = { codes: ['450323101', '450323101200'], terminalIds: ['t3', 't1'] };
    const real = alertPublications(area, false, alertTerminals(area, false, fleet));
    expect(real.map((p) => p.topic)).toEqual(['dlb/v1/area/450323101/cmd', 'dlb/v1/terminal/t3/cmd']);
    const drill = alertPublications(area, true, alertTerminals(area, true, fleet));
    expect(drill).toEqual([{ topic: 'dlb/v1/terminal/t1/cmd', audience: { kind: 'terminal', tid: 't1' } }]);
  });
});

describe('alert reports', () => {
  const ev = (o: Partial<OutcomeEvent>): OutcomeEvent => ({
    type: 'outcome',
    seq: 1,
    at: 1,
    commandId: 'a1@2',
    broadcastId: 'a1',
    outcome: 2,
    source: 'alert',
    ...o,
  });

  it('reads the revision from commandId, refusing ids that do not match the alert', () => {
    expect(revisionOf(ev({}))).toBe(2);
    expect(revisionOf(ev({ commandId: 'a2@2' }))).toBeNull();
    expect(revisionOf(ev({ commandId: 'a1@x' }))).toBeNull();
    expect(revisionOf(ev({ commandId: 'a1' }))).toBeNull();
  });

  it('moves forward only: a newer revision starts over, a final outcome is kept, the message follows the tone', () => {
    const row = { revision: 2, outcome: 2, phase: 'attention' };
    expect(advances(row, ev({ outcome: 2, phase: 'message' }), 2)).toBe(true);
    expect(advances(row, ev({ outcome: 2, phase: 'attention' }), 2)).toBe(false);
    expect(advances(row, ev({ outcome: 1 }), 2)).toBe(false);
    expect(advances(row, ev({ outcome: 1 }), 3)).toBe(true);
    expect(advances(row, ev({ outcome: 3 }), 1)).toBe(false);
    expect(advances({ revision: 2, outcome: 3, phase: 'message' }, ev({ outcome: 4 }), 2)).toBe(false);
  });

  it('folds one message of reports into the row: times kept within a revision, started over in a new one', () => {
    const empty = {
      revision: 0,
      outcome: 0,
      phase: null,
      reason: null,
      attentionAt: null,
      startedAt: null,
      endedAt: null,
    };
    const waiting = applyAlertReport(empty, ev({ outcome: 1, at: 10 }))!;
    const tone = applyAlertReport(waiting, ev({ outcome: 2, phase: 'attention', startedAt: 11 }))!;
    const message = applyAlertReport(tone, ev({ outcome: 2, phase: 'message', startedAt: 15 }))!;
    expect(message).toMatchObject({
      revision: 2,
      outcome: 2,
      phase: 'message',
      attentionAt: 11,
      startedAt: 15,
    });
    expect(applyAlertReport(message, ev({ outcome: 2, phase: 'attention', startedAt: 20 }))).toBeNull();
    const played = applyAlertReport(message, ev({ outcome: 3, endedAt: 30 }))!;
    expect(played).toMatchObject({
      outcome: 3,
      phase: 'message',
      attentionAt: 11,
      startedAt: 15,
      endedAt: 30,
    });
    const next = applyAlertReport(played, ev({ outcome: 1, commandId: 'a1@3' }))!;
    expect(next).toMatchObject({ revision: 3, outcome: 1, phase: null, attentionAt: null, startedAt: null });
    expect(applyAlertReport(played, ev({ outcome: 4, commandId: 'a2@9' }))).toBeNull();
  });
});

describe('coverage', () => {
  const row = (o: Partial<AlertTargetRow>): AlertTargetRow => ({
    terminalId: 't',
    villageCode: '450323101200',
    name: 'n',
    online: true,
    status: 1,
    revision: 2,
    outcome: 0,
    phase: null,
    reason: null,
    attentionAt: null,
    startedAt: null,
    endedAt: null,
    ...o,
  });

  it('counts sounding and finished of the current revision, and says why the others are not', () => {
    const c = coverageOf(2, [
      row({ terminalId: 'a', outcome: 2 }),
      row({ terminalId: 'b', outcome: 3 }),
      row({ terminalId: 'c', outcome: 3, revision: 1 }),
      row({ terminalId: 'd', online: false }),
      row({ terminalId: 'e', status: 3 }),
      row({ terminalId: 'f', outcome: 4, reason: 'download-failed' }),
      row({ terminalId: 'g', outcome: 1 }),
    ]);
    expect([c.total, c.sounding, c.finished]).toEqual([7, 1, 1]);
    expect(c.notSounding.map((n) => [n.terminalId, n.why])).toEqual([
      ['c', 'no-report'],
      ['d', 'offline'],
      ['e', 'fault'],
      ['f', 'failed'],
      ['g', 'waiting'],
    ]);
    expect(c.notSounding.find((n) => n.terminalId === 'f')!.reason).toBe('download-failed');
  });
});

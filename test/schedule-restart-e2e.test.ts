import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AgentProcess,
  type CentreProcess,
  restartCentreProcess,
  startAgentProcess,
  startCentreProcess,
  tempDir,
  uploadTone,
  waitOnline,
} from './helpers/fleet.ts';
import { eventually } from './helpers/processes.ts';
import { localClock, wholeSecond, writeSchedule } from './helpers/schedule.ts';

interface Play {
  terminalId: string;
  entryId: string;
  outcome: number;
  reason: string | null;
  startedAt: number | null;
}
interface Programme {
  id: string;
  items: Array<{ id: string; startAt: number }>;
}
interface OutcomeEvent {
  type: string;
  commandId?: string;
  outcome?: number;
  source?: string;
  reason?: string;
}

/** Real processes, real time: two slots minutes apart would make a slow test, so these slots are 15 s long. */
describe('the centre killed and restarted during the day: no slot lost, none repeated', () => {
  const tmp = tempDir('dlb-sched-restart-');
  const scheduleFile = path.join(tmp.dir, 'schedule.yaml');
  let centre: CentreProcess;
  const agents: AgentProcess[] = [];

  beforeAll(async () => {
    // Start with one far-off slot; the real ones are written once the fleet is up (the file is watched).
    const later = localClock(Date.now() + 6 * 3600_000);
    writeSchedule(scheduleFile, [{ id: 'later', name: '备用', start: later.time, maxMinutes: 1 }]);
    centre = await startCentreProcess(tmp.dir, { DLB_SCHEDULE_FILE: scheduleFile });
    for (const village of ['450323107200', '450323107201', '450323100001']) {
      agents.push(await startAgentProcess(centre, tmp.dir, village));
    }
    await waitOnline(
      centre,
      agents.map((a) => a.tid),
    );
  }, 90_000);

  afterAll(async () => {
    for (const a of agents) await a.proc.stop();
    await centre?.proc.stop();
    await tmp.cleanup();
  });

  const plays = async (c: CentreProcess, id: string) =>
    (await c.api.call<{ plays: Play[] }>('GET', `/api/programmes/${id}`)).plays;

  it('every terminal plays each slot once, on time, though the centre died mid-slot', async () => {
    const media = await uploadTone(centre, tmp.dir, 3);
    const a = localClock(wholeSecond(Date.now() + 9_000));
    const b = localClock(wholeSecond(Date.now() + 29_000));
    writeSchedule(scheduleFile, [
      { id: 'slota', name: '甲时段', start: a.time, maxMinutes: 0.25 },
      { id: 'slotb', name: '乙时段', start: b.time, maxMinutes: 0.25 },
    ]);
    await eventually(
      async () => {
        const r = await centre.api.call<{ slots: Array<{ slotId: string }> }>(
          'GET',
          `/api/schedule/slots?date=${a.date}`,
        );
        return r.slots.some((s) => s.slotId === 'slota');
      },
      10_000,
      'new schedule file taken up',
    );
    const make = (slot: { date: string }, slotId: string) =>
      centre.api.call<{ programme: Programme }>('POST', '/api/programmes', {
        date: slot.date,
        slotId,
        scopeCode: '450323',
        title: `${slotId} 节目`,
        items: [{ contentId: media.contentId }, { contentId: media.contentId, title: '第二条' }],
      });
    const pa = (await make(a, 'slota')).programme;
    const pb = (await make(b, 'slotb')).programme;
    const entries = [...pa.items, ...pb.items];
    expect(entries).toHaveLength(4);

    // Kill the centre outright while the first item of slot A is playing everywhere, and start it again.
    await eventually(
      async () => {
        const p = await plays(centre, pa.id);
        return agents.every((ag) =>
          p.some((x) => x.terminalId === ag.tid && x.entryId === pa.items[0]!.id && x.outcome >= 2),
        );
      },
      30_000,
      'slot A playing on every terminal',
    );
    centre = await restartCentreProcess(centre, 'SIGKILL');

    // Everything reaches "played" on every terminal.
    const all = await eventually(
      async () => {
        const p = [...(await plays(centre, pa.id)), ...(await plays(centre, pb.id))];
        return p.length === entries.length * agents.length && p.every((x) => x.outcome >= 3) ? p : null;
      },
      60_000,
      'both slots played everywhere',
    );
    for (const x of all) {
      expect(x.outcome, `${x.terminalId} ${x.entryId} ${x.reason}`).toBe(3);
      const planned = entries.find((e) => e.id === x.entryId)!.startAt;
      // Reports are by each terminal's corrected clock; a whole-process restart does not move them.
      expect(Math.abs(x.startedAt! - planned)).toBeLessThan(250);
    }
    // Exactly one start and one end per entry per terminal: nothing was replayed when targets were re-sent.
    for (const ag of agents) {
      const { events } = await centre.api.call<{ events: OutcomeEvent[] }>(
        'GET',
        `/api/terminals/${ag.tid}/events?limit=500`,
      );
      for (const e of entries) {
        const mine = events.filter((ev) => ev.type === 'outcome' && ev.commandId === e.id);
        expect(
          mine.filter((ev) => ev.outcome === 2),
          `${ag.tid} ${e.id} started`,
        ).toHaveLength(1);
        expect(
          mine.filter((ev) => ev.outcome === 3),
          `${ag.tid} ${e.id} played`,
        ).toHaveLength(1);
        expect(mine.every((ev) => ev.source === 'schedule')).toBe(true);
      }
    }
  }, 120_000);
});

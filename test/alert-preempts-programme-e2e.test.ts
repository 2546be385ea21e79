import path from 'node:path';
import { Agent } from '@dlb/edge-agent';
import { type AgentConfigInput, AgentConfigSchema, type OutcomeEvent } from '@dlb/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../edge-agent/src/testing/fake-clock.ts';
import type { Centre } from '../server/src/centre.ts';
import { ApiClient } from './helpers/api-client.ts';
import { makeTone } from './helpers/audio.ts';
import { approvedContent } from './helpers/content.ts';
import { tempDir } from './helpers/fleet.ts';
import { startInProcessCentre } from './helpers/in-process-centre.ts';
import { eventually } from './helpers/processes.ts';
import { writeSchedule } from './helpers/schedule.ts';

const DAY = '2026-11-24';
const SEC = 1000;
const OFFICER_PW = 'preempt-officer-pw-01';

/**
 * The centre compiles a morning programme into the terminal's signed target; while its first item plays, the
 * emergency officer raises an alert through the API. One clock (fake) for centre and agent.
 */
describe('an alert raised through the API interrupts a scheduled programme, which then continues in its slot', () => {
  const tmp = tempDir('dlb-preempt-');
  const clock = new FakeClock(Date.parse(`${DAY}T06:25:00+08:00`));
  let centre: Centre;
  let api: ApiClient;
  let agent: Agent;
  const produced: OutcomeEvent[] = [];

  beforeAll(async () => {
    const file = path.join(tmp.dir, 'schedule.yaml');
    writeSchedule(file, [{ id: 'morning', name: '早间', start: '06:30', maxMinutes: 30 }]);
    ({ centre, api } = await startInProcessCentre(tmp.dir, { schedule: { file } }, { now: clock.now }));
    const reg = await api.call<{ agentConfig: AgentConfigInput }>('POST', '/api/terminals', {
      villageCode: '450323101200',
    });
    agent = new Agent(
      AgentConfigSchema.parse({
        ...reg.agentConfig,
        dataDir: path.join(tmp.dir, 'agent'),
        player: { kind: 'silent' },
      }),
      { now: clock.now, timers: clock, log: { info() {}, warn() {}, error() {} } },
    );
    agent.on('outcome', (e) => produced.push(e));
    await agent.start();
    await eventually(() => agent.connected, 10_000, 'agent connected');
  }, 60_000);

  afterAll(async () => {
    await agent?.stop();
    await centre?.stop();
    await tmp.cleanup();
  });

  const of = (id: string) =>
    produced.filter((e) => e.commandId === id).map((e) => [e.outcome, e.reason ?? null]);

  it('reports the playing item preempted, sounds the alert, and plays the rest of the programme after it', async () => {
    const wav = path.join(tmp.dir, 'item.wav');
    makeTone(wav, 60);
    const contentId = await approvedContent(api, (await api.upload(wav)).media.sha256);
    const { programme } = await api.call<{
      programme: { id: string; items: Array<{ id: string; startAt: number }> };
    }>('POST', '/api/programmes', {
      date: DAY,
      slotId: 'morning',
      scopeCode: '450323',
      title: '早间节目',
      items: [{ contentId }, { contentId }],
    });
    const [first, second] = programme.items as [
      { id: string; startAt: number },
      { id: string; startAt: number },
    ];
    await eventually(
      async () => {
        const { status } = await api.call<{
          status: { holdsCurrent: boolean; nextSlotCached: boolean | null };
        }>('GET', `/api/terminals/${agent.terminalId}/schedule`);
        return status.holdsCurrent && status.nextSlotCached === true;
      },
      15_000,
      'target held and the slot cached',
    );
    await clock.advanceTo(first.startAt + 10 * SEC);
    expect(of(first.id)).toEqual([
      [1, null],
      [2, null],
    ]);

    await api.call('POST', '/api/users', {
      username: 'officer',
      displayName: '应急值守员',
      password: OFFICER_PW,
      roles: [{ role: 'emergency_officer', scopeCode: null }],
      mustChangePassword: false,
    });
    const officer = new ApiClient(centre.httpUrl);
    await officer.login('officer', OFFICER_PW);
    const tone = path.join(tmp.dir, 'alert.wav');
    makeTone(tone, 75, 880); // long enough that the second item falls due while the alert sounds
    const alertMedia = (await officer.upload(tone)).media;
    const { alert } = await officer.call<{ alert: { id: string } }>('POST', '/api/alerts', {
      level: 'orange',
      eventCode: '11B03',
      issuer: '灵川县应急管理局',
      area: { codes: ['450323101'] },
      expiresAt: clock.now() + 10 * 60 * SEC,
      title: '暴雨橙色预警',
      text: '灵川县气象台发布暴雨橙色预警。',
      mediaSha256: alertMedia.sha256,
      repeat: 1,
      intervalSec: 0,
    });
    const alertReports = () => produced.filter((e) => e.broadcastId === alert.id);
    await eventually(() => alertReports().some((e) => e.phase === 'attention'), 15_000, 'attention tone');
    await eventually(() => of(first.id).length === 3, 5_000, 'first item preempted');
    expect(of(first.id)[2]).toEqual([5, 'preempted']);
    // The message is fetched while the tone plays; then the alert runs to its end on the agent's clock.
    await eventually(
      async () => {
        await clock.advance(SEC);
        return alertReports().some((e) => e.outcome === 3);
      },
      30_000,
      'alert played',
    );
    const alertEnd = alertReports().find((e) => e.outcome === 3)!.endedAt!;
    expect(alertReports().map((e) => [e.outcome, e.phase ?? null])).toEqual([
      [1, null],
      [2, 'attention'],
      [2, 'message'],
      [3, null],
    ]);
    // The second item was due during the alert; inside its slot it plays right after, not "missed".
    await clock.advance(10 * SEC);
    expect(second.startAt).toBeLessThan(alertEnd);
    const started = produced.find((e) => e.commandId === second.id && e.outcome === 2);
    expect(started?.startedAt).toBeGreaterThanOrEqual(alertEnd);
    expect(started!.startedAt! - alertEnd).toBeLessThan(5 * SEC);
    await clock.advance(65 * SEC);
    await eventually(() => of(second.id).length === 3, 5_000, 'second item played');
    expect(of(second.id).map(([o]) => o)).toEqual([1, 2, 3]);
  }, 120_000);
});

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { type RunningSimulator, runSimulator } from '@dlb/edge-agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Centre } from '../server/src/centre.ts';
import type { ApiClient } from './helpers/api-client.ts';
import { makeTone } from './helpers/audio.ts';
import { approvedContent } from './helpers/content.ts';
import { ADMIN_PASSWORD, tempDir } from './helpers/fleet.ts';
import { startInProcessCentre } from './helpers/in-process-centre.ts';
import { eventually } from './helpers/processes.ts';
import { localClock, scheduleYaml, wholeSecond } from './helpers/schedule.ts';

const silent = { info() {}, warn() {}, error() {} };
/** Clock errors spread over the whole ±5 s range, not left to chance. */
const ERRORS = [0, 1, 0.5, 0.05, 0.95, 0.3];

interface Play {
  terminalId: string;
  entryId: string;
  outcome: number;
  startedAt: number | null;
}

describe('terminals whose clocks are wrong by up to ±5 s start the same slot together', () => {
  const tmp = tempDir('dlb-skew-');
  let centre: Centre;
  let api: ApiClient;
  let sim: RunningSimulator;

  beforeAll(async () => {
    const file = path.join(tmp.dir, 'schedule.yaml');
    const far = localClock(Date.now() + 8 * 3600_000);
    writeFileSync(file, scheduleYaml([{ id: 'later', name: '备用', start: far.time, maxMinutes: 1 }]));
    ({ centre, api } = await startInProcessCentre(tmp.dir, { schedule: { file } }));
    let i = 0;
    sim = await runSimulator({
      count: ERRORS.length,
      server: centre.httpUrl,
      username: 'admin',
      password: ADMIN_PASSWORD,
      township: '450323107',
      dataDir: path.join(tmp.dir, 'sim'),
      print: () => {},
      agentLog: silent,
      clockErrorMs: 5000,
      random: () => ERRORS[i++ % ERRORS.length]!,
    });
    await eventually(() => sim.connectedCount() === ERRORS.length, 20_000, 'all connected');
  }, 60_000);

  afterAll(async () => {
    await sim?.stop();
    await centre?.stop();
    await tmp.cleanup();
  });

  it('starts within 50 ms of each other, by their reports and by the true clock', async () => {
    const errors = [...sim.clockErrors.values()];
    expect(Math.max(...errors) - Math.min(...errors)).toBeGreaterThan(9000);
    const wav = path.join(tmp.dir, 'tone.wav');
    makeTone(wav, 1);
    const media = (await api.upload(wav)).media;
    const contentId = await approvedContent(api, media.sha256);
    const at = localClock(wholeSecond(Date.now() + 8000));
    const { programme } = await api.call<{
      programme: { id: string; items: Array<{ id: string; startAt: number }> };
    }>('POST', '/api/programmes', {
      date: at.date,
      startTime: at.time,
      scopeCode: '450323107',
      title: '对时测试',
      items: [{ contentId }, { contentId }],
    });
    const plays = await eventually(
      async () => {
        const r = await api.call<{ plays: Play[] }>('GET', `/api/programmes/${programme.id}`);
        return r.plays.length === 2 * ERRORS.length && r.plays.every((p) => p.outcome === 3) ? r.plays : null;
      },
      30_000,
      'both items played on every terminal',
    );
    for (const item of programme.items) {
      const reported = plays.filter((p) => p.entryId === item.id).map((p) => p.startedAt!);
      expect(reported).toHaveLength(ERRORS.length);
      expect(Math.max(...reported) - Math.min(...reported), 'reported spread').toBeLessThanOrEqual(50);
      const truth = sim.starts.startsOf(item.id).map((s) => s.at);
      expect(truth).toHaveLength(ERRORS.length);
      expect(Math.max(...truth) - Math.min(...truth), 'true spread').toBeLessThanOrEqual(50);
      expect(Math.abs(Math.min(...truth) - item.startAt), 'true start vs plan').toBeLessThan(100);
    }
  }, 60_000);
});

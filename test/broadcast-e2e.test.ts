import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AgentProcess,
  type CentreProcess,
  startAgentProcess,
  startCentreProcess,
  tempDir,
  uploadTone,
  waitAllPlayed,
  waitOnline,
} from './helpers/fleet.ts';
import { eventually } from './helpers/processes.ts';

// 大圩镇 (450323101) gets the broadcast; 潭下镇 (450323104) must stay silent.
const DAXU_VILLAGES = ['450323101200', '450323101201'];
const TANXIA_VILLAGE = '450323104200';

describe('broadcast to a township, end to end with real processes (embedded broker)', () => {
  const tmp = tempDir('dlb-e2e-');
  let centre: CentreProcess;
  const agents: AgentProcess[] = [];

  beforeAll(async () => {
    centre = await startCentreProcess(tmp.dir);
    for (const v of [...DAXU_VILLAGES, TANXIA_VILLAGE])
      agents.push(await startAgentProcess(centre, tmp.dir, v));
    await waitOnline(
      centre,
      agents.map((a) => a.tid),
    );
  });

  afterAll(async () => {
    await Promise.all(agents.map((a) => a.proc.stop()));
    await centre?.proc.stop();
    await tmp.cleanup();
  });

  it('plays on every terminal of the township, reports played (3), and the other township hears nothing', async () => {
    const media = await uploadTone(centre, tmp.dir, 2);
    expect(media.durationMs).toBeGreaterThan(1800);
    expect(media.durationMs).toBeLessThan(2300);

    const sentAt = Date.now();
    const { broadcast } = await centre.api.call<{ broadcast: { id: string; total: number } }>(
      'POST',
      '/api/broadcasts',
      {
        contentId: media.contentId,
        target: { kind: 'area', code: '450323101' },
        title: '大圩镇测试通知',
      },
    );
    expect(broadcast.total).toBe(2);

    const outcomes = await waitAllPlayed(centre, broadcast.id);

    const daxu = agents
      .slice(0, 2)
      .map((a) => a.tid)
      .sort();
    expect(outcomes.map((o) => o.terminalId).sort()).toEqual(daxu);
    for (const o of outcomes) {
      expect(o.startedAt).toBeGreaterThanOrEqual(sentAt - 1000);
      const played = o.endedAt! - o.startedAt!;
      expect(played).toBeGreaterThanOrEqual(media.durationMs - 100);
      expect(played).toBeLessThan(media.durationMs + 1500);
    }

    // The other township's agent got nothing: no outcome and no refused command in its reports.
    const other = agents[2]!;
    const { events } = await centre.api.call<{ events: Array<{ type: string }> }>(
      'GET',
      `/api/terminals/${other.tid}/events`,
    );
    expect(events).toEqual([]);
    const { terminal } = await centre.api.call<{ terminal: { state: { playing: unknown } | null } }>(
      'GET',
      `/api/terminals/${other.tid}`,
    );
    expect(terminal.state?.playing ?? null).toBeNull();
  });

  it('stops a broadcast while it plays: every target ends cancelled (5, stopped)', async () => {
    const media = await uploadTone(centre, tmp.dir, 8);
    const { broadcast } = await centre.api.call<{ broadcast: { id: string } }>('POST', '/api/broadcasts', {
      contentId: media.contentId,
      target: { kind: 'area', code: '450323101' },
    });
    type Row = { outcome: number; reason: string | null; endedAt: number | null; startedAt: number | null };
    const outcomes = async () =>
      (await centre.api.call<{ outcomes: Row[] }>('GET', `/api/broadcasts/${broadcast.id}`)).outcomes;
    await eventually(async () => (await outcomes()).every((o) => o.outcome === 2), 20_000, 'both playing');
    const stoppedAt = Date.now();
    const { broadcast: view } = await centre.api.call<{ broadcast: { stoppedAt: number } }>(
      'POST',
      `/api/broadcasts/${broadcast.id}/stop`,
    );
    expect(view.stoppedAt).toBeGreaterThan(0);
    const ended = await eventually(
      async () => {
        const rows = await outcomes();
        return rows.every((o) => o.outcome === 5) ? rows : null;
      },
      10_000,
      'both cancelled',
    );
    for (const o of ended) expect(o.reason).toBe('stopped');
    // Stopped well before the 8 s of audio were over.
    expect(Date.now() - stoppedAt).toBeLessThan(media.durationMs);
  });

  it('sets a terminal volume with a signed command; the terminal reports it', async () => {
    const tid = agents[0]!.tid;
    await centre.api.call('POST', `/api/terminals/${tid}/volume`, { volume: 35 });
    await eventually(
      async () =>
        (
          await centre.api.call<{ terminal: { state: { volume?: number } | null } }>(
            'GET',
            `/api/terminals/${tid}`,
          )
        ).terminal.state?.volume === 35,
      10_000,
      'volume 35 reported',
    );
    await expect(
      centre.api.call('POST', `/api/terminals/${tid}/volume`, { volume: 101 }),
    ).rejects.toMatchObject({
      status: 400,
    });
  });
});

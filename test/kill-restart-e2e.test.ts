import { existsSync, readFileSync, rmSync } from 'node:fs';
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
  waitAllPlayed,
  waitOnline,
} from './helpers/fleet.ts';
import { eventually } from './helpers/processes.ts';

function outboxLines(agent: AgentProcess): string[] {
  const file = path.join(agent.dataDir, 'outbox', 'events.jsonl');
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

describe('nothing lost: an agent SIGKILLed right after playing still reports exactly once', () => {
  const tmp = tempDir('dlb-kill-');
  let centre: CentreProcess;
  let agent: AgentProcess;

  beforeAll(async () => {
    centre = await startCentreProcess(tmp.dir);
    agent = await startAgentProcess(centre, tmp.dir, '450323107200');
    await waitOnline(centre, [agent.tid]);
  });
  afterAll(async () => {
    centre.proc.child.kill('SIGCONT');
    await agent?.proc.stop();
    await centre?.proc.stop();
    await tmp.cleanup();
  });

  it('re-sends the unacknowledged played report after restart; the centre stores it once', async () => {
    const media = await uploadTone(centre, tmp.dir, 2.5);
    const { broadcast } = await centre.api.call<{ broadcast: { id: string } }>('POST', '/api/broadcasts', {
      contentId: media.contentId,
      target: { kind: 'terminal', tid: agent.tid },
    });
    const hasOutcome = (n: number) =>
      outboxLines(agent).some((l) => l.includes(`"outcome":${n}`) && l.includes(broadcast.id));
    // Freeze the centre while the terminal plays (seen through the API: the outbox is compacted once acked),
    // so the played report cannot be acknowledged…
    await eventually(
      async () =>
        (
          await centre.api.call<{ outcomes: Array<{ outcome: number }> }>(
            'GET',
            `/api/broadcasts/${broadcast.id}`,
          )
        ).outcomes[0]?.outcome === 2,
      15_000,
      'terminal playing',
    );
    centre.proc.child.kill('SIGSTOP');
    // …and kill the agent the moment the report is on its disk.
    await eventually(() => hasOutcome(3), 15_000, 'played written to the outbox');
    agent.proc.child.kill('SIGKILL');
    await new Promise((r) => agent.proc.child.once('exit', r));
    centre.proc.child.kill('SIGCONT');

    await agent.restart();
    const outcome = await eventually(
      async () => {
        const r = await centre.api.call<{
          outcomes: Array<{ outcome: number; startedAt: number; endedAt: number }>;
        }>('GET', `/api/broadcasts/${broadcast.id}`);
        return r.outcomes[0]?.outcome === 3 ? r.outcomes[0] : null;
      },
      30_000,
      'played recorded',
    );
    expect(outcome.endedAt - outcome.startedAt).toBeGreaterThanOrEqual(media.durationMs - 100);

    // Exactly once: one stored played event, and the agent's outbox drains once the centre acknowledges.
    const { events } = await centre.api.call<{
      events: Array<{ seq: number; broadcastId?: string; outcome?: number }>;
    }>('GET', `/api/terminals/${agent.tid}/events`);
    const played = events.filter((e) => e.broadcastId === broadcast.id && e.outcome === 3);
    expect(played).toHaveLength(1);
    expect(new Set(events.map((e) => e.seq)).size).toBe(events.length);
    // Not played again after the restart (the command id was persisted before acting).
    await new Promise((r) => setTimeout(r, media.durationMs + 500));
    const after = await centre.api.call<{ events: Array<{ broadcastId?: string; outcome?: number }> }>(
      'GET',
      `/api/terminals/${agent.tid}/events`,
    );
    expect(after.events.filter((e) => e.broadcastId === broadcast.id && e.outcome === 2)).toHaveLength(1);
  });

  it('a board re-imaged with an empty disk counts from 1 again, and its reports are still stored', async () => {
    await agent.proc.stop();
    rmSync(agent.dataDir, { recursive: true, force: true });
    await agent.restart();
    await waitOnline(centre, [agent.tid]);
    const media = await uploadTone(centre, tmp.dir, 1);
    const { broadcast } = await centre.api.call<{ broadcast: { id: string } }>('POST', '/api/broadcasts', {
      contentId: media.contentId,
      target: { kind: 'terminal', tid: agent.tid },
    });
    await waitAllPlayed(centre, broadcast.id);
    const { events } = await centre.api.call<{
      events: Array<{ seq: number; broadcastId?: string; outcome?: number }>;
    }>('GET', `/api/terminals/${agent.tid}/events`);
    const fresh = events.filter((e) => e.broadcastId === broadcast.id);
    expect(fresh.map((e) => e.outcome).sort()).toEqual([1, 2, 3]);
    expect(Math.min(...fresh.map((e) => e.seq))).toBe(1); // numbering restarted, nothing dropped as a duplicate
  });

  it('the centre killed and restarted: terminals reconnect by themselves and play again', async () => {
    centre = await restartCentreProcess(centre, 'SIGKILL');
    const { terminal } = await centre.api.call<{ terminal: { online: boolean } }>(
      'GET',
      `/api/terminals/${agent.tid}`,
    );
    expect(typeof terminal.online).toBe('boolean'); // the row survived; online is re-learnt from the agent
    await waitOnline(centre, [agent.tid], 40_000);
    const media = await uploadTone(centre, tmp.dir, 1);
    const { broadcast } = await centre.api.call<{ broadcast: { id: string } }>('POST', '/api/broadcasts', {
      contentId: media.contentId,
      target: { kind: 'terminal', tid: agent.tid },
    });
    await waitAllPlayed(centre, broadcast.id);
  });
});

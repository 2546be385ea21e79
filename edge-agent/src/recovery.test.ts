import type { TerminalEvent } from '@dlb/protocol';
import { describe, expect, it } from 'vitest';
import type { PlayItem } from './playback.ts';
import { planRecovery } from './recovery.ts';

const item = (id: string, expiresAt = 10_000, arrival = 0): PlayItem => ({
  commandId: id,
  broadcastId: `b-${id}`,
  priority: 150,
  expiresAt,
  queuedAt: 0,
  arrival,
  ready: true,
  media: { sha256: 'a'.repeat(64), path: '/m/a.mp3', bytes: 1, durationMs: 1, mime: 'audio/mpeg' },
});

describe('planRecovery', () => {
  it('reports an interrupted play once and resumes live waiting items in order', () => {
    const r = planRecovery(
      {
        playing: { item: item('p'), startedAt: 100 },
        queue: [item('b', 10_000, 2), item('old', 400, 1), item('a', 10_000, 0)],
      },
      [],
      500,
    );
    expect(r.events).toEqual([
      {
        type: 'outcome',
        at: 500,
        commandId: 'p',
        broadcastId: 'b-p',
        outcome: 4,
        reason: 'agent-restarted',
        startedAt: 100,
        endedAt: 500,
      },
      { type: 'outcome', at: 500, commandId: 'old', broadcastId: 'b-old', outcome: 4, reason: 'expired' },
    ]);
    expect(r.resume.map((i) => i.commandId)).toEqual(['a', 'b']);
  });

  it('stays quiet when the outbox already holds the final report', () => {
    const played: TerminalEvent = {
      type: 'outcome',
      seq: 9,
      at: 1,
      commandId: 'p',
      broadcastId: 'b-p',
      outcome: 3,
    };
    const r = planRecovery({ playing: { item: item('p'), startedAt: 100 }, queue: [] }, [played], 500);
    expect(r.events).toEqual([]);
  });

  it('leaves schedule entries to the target: not resumed, and an interrupted one is tagged as schedule', () => {
    const entry = { ...item('entry'), source: 'schedule' as const };
    const r = planRecovery(
      {
        playing: { item: { ...item('e2'), source: 'schedule' }, startedAt: 100 },
        queue: [entry, item('cmd')],
      },
      [],
      500,
    );
    expect(r.resume.map((i) => i.commandId)).toEqual(['cmd']);
    expect(r.events).toMatchObject([{ commandId: 'e2', reason: 'agent-restarted', source: 'schedule' }]);
  });
});

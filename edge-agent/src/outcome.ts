import { type NewTerminalEvent, Outcome, type OutcomeCode } from '@dlb/protocol';
import type { PlaybackOutcome } from './playback.ts';

type NewOutcomeEvent = Extract<NewTerminalEvent, { type: 'outcome' }>;

const CODE: Record<PlaybackOutcome['kind'], OutcomeCode> = {
  waiting: Outcome.waiting,
  playing: Outcome.playing,
  played: Outcome.played,
  failed: Outcome.failed,
  cancelled: Outcome.cancelled,
};

/** The outbox event for a playback outcome. */
export function outcomeToEvent(o: PlaybackOutcome, at: number): NewOutcomeEvent {
  const ev: NewOutcomeEvent = {
    type: 'outcome',
    at,
    commandId: o.item.commandId,
    broadcastId: o.item.broadcastId,
    outcome: CODE[o.kind],
  };
  if ('reason' in o) ev.reason = o.reason;
  if ('startedAt' in o && o.startedAt !== undefined) ev.startedAt = o.startedAt;
  if ('endedAt' in o && o.endedAt !== undefined) ev.endedAt = o.endedAt;
  if (o.item.source) ev.source = o.item.source;
  if (o.kind === 'playing' && o.item.source === 'alert') ev.phase = o.phase ?? 'attention';
  return ev;
}

import type { MediaRef } from '@dlb/protocol';
import type { PlayItem, SequenceRunner } from './playback.ts';
import type { Player, PlayRequest } from './player.ts';
import type { Timers } from './runtime.ts';

export interface SequenceDeps {
  player: Player;
  timers: Timers;
  /** The local path of a file, downloading it if needed (the cache shares one download per file). */
  file: (media: MediaRef) => Promise<string>;
}

/** Wait `ms`, or less if `signal` aborts. */
function pause(timers: Timers, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const done = () => {
      timers.clearTimeout(handle);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const handle = timers.setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * An alert's sequence (DESIGN.md §5, issue 5): the attention tone (the item's own cached `media`, so it starts
 * at once), on a drill the drill notice, then the message `repeat` times with `intervalMs` of silence between,
 * every part at the alert's volume. The message was fetched in parallel since receipt: it is awaited only after
 * the attention tone. Ends early when `signal` aborts (preempted, cancelled, superseded, expired).
 */
export function alertSequence(deps: SequenceDeps): SequenceRunner {
  return async (item: PlayItem, volume: number, signal: AbortSignal, onMessage: () => void) => {
    const a = item.alert!;
    const play = (file: string, media: MediaRef, part: PlayRequest['part']) =>
      deps.player.play(
        {
          commandId: item.commandId,
          broadcastId: item.broadcastId,
          file,
          durationMs: media.durationMs,
          volume,
          part,
        },
        signal,
      );
    await play(item.file ?? '', item.media, 'attention');
    if (signal.aborted) return;
    if (a.drillNotice) {
      const file = await deps.file(a.drillNotice);
      if (signal.aborted) return;
      await play(file, a.drillNotice, 'notice');
      if (signal.aborted) return;
    }
    for (let i = 0; i < a.repeat; i++) {
      if (i > 0) await pause(deps.timers, a.intervalMs, signal);
      const file = await deps.file(a.message);
      if (signal.aborted) return;
      const started = play(file, a.message, 'message');
      if (i === 0) onMessage();
      await started;
      if (signal.aborted) return;
    }
  };
}

import { readJsonOr, writeJsonAtomic } from './fs-util.ts';
import type { PlaybackSnapshot, PlayItem } from './playback.ts';

export interface JournalContent {
  /** What was playing when last written; a restart that finds it here reports it as 'agent-restarted'. */
  playing: { item: PlayItem; startedAt: number } | null;
  /** Accepted commands that had not started: resumed after a restart. */
  queue: PlayItem[];
}

/** `playing.json`: what plays and what waits, rewritten atomically on every change. */
export class PlayJournal {
  constructor(private readonly file: string) {}

  read(): JournalContent {
    const raw = readJsonOr<Partial<JournalContent> | null>(this.file, null);
    const playing = raw?.playing && typeof raw.playing.item?.commandId === 'string' ? raw.playing : null;
    const queue = Array.isArray(raw?.queue) ? raw.queue.filter((i) => typeof i?.commandId === 'string') : [];
    return { playing, queue };
  }

  write(s: PlaybackSnapshot): void {
    writeJsonAtomic(this.file, { playing: s.playing, queue: s.queue } satisfies JournalContent);
  }
}

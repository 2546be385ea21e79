import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { AreaService } from '../areas/area-service.ts';
import type { Config } from '../config.ts';
import type { ContentService } from '../content/content-service.ts';
import type { Db } from '../db/database.ts';
import type { FfmpegTools } from '../media/ffmpeg-path.ts';
import type { MediaStore } from '../media/store.ts';
import type { MediaRecords } from '../media-library/media-records.ts';
import { type CountyChimes, countyChimes } from '../render/chime.ts';
import type { OfflineSpeechEngine } from '../tts/espeak-offline.ts';
import { SpeechService } from '../tts/speech-service.ts';
import { Limiter } from '../util/limiter.ts';
import { ContentSpeech } from './content-speech.ts';
import { LexiconStore } from './lexicon-store.ts';
import { VersionStore } from './version-store.ts';

export interface SpeechModuleDeps {
  config: Config;
  db: Db;
  areas: AreaService;
  content: ContentService;
  mediaStore: MediaStore;
  mediaRecords: MediaRecords;
  ffmpeg: FfmpegTools;
  now: () => number;
  log: (msg: string) => void;
}

/** Text to speech for content: the engines, the lexicon, spoken versions and broadcast-ready renders. */
export class SpeechModule {
  readonly versions: VersionStore;
  readonly lexicon: LexiconStore;
  readonly engines: SpeechService;
  readonly speech: ContentSpeech;
  private chimes: Promise<CountyChimes> | null = null;

  constructor(deps: SpeechModuleDeps) {
    const { config } = deps;
    this.versions = new VersionStore(deps.db);
    this.lexicon = new LexiconStore(deps.db);
    this.engines = new SpeechService({
      config: { ...(config.tts.azure && { azure: config.tts.azure }), fallback: config.tts.fallback },
      cacheDir: path.join(config.dataDir, 'tts-cache'),
      now: deps.now,
      log: deps.log,
    });
    const renders = new Limiter(Math.max(1, availableParallelism() - 1));
    this.speech = new ContentSpeech({
      content: deps.content,
      versions: this.versions,
      lexicon: this.lexicon,
      areas: deps.areas,
      speak: (req) =>
        this.engines.synthesise({
          ...req,
          // The cache key covers the entries, so an edited reading is spoken anew.
          lexicon: this.lexiconEntries(),
        }),
      chimes: () => {
        // A failed chime check (e.g. a county file that is not audio) is reported each time, not cached.
        this.chimes ??= countyChimes(
          { open: config.render.chimeOpen ?? undefined, close: config.render.chimeClose ?? undefined },
          path.join(config.dataDir, 'chimes'),
          deps.ffmpeg,
        ).catch((e: unknown) => {
          this.chimes = null;
          throw e;
        });
        return this.chimes;
      },
      tools: deps.ffmpeg,
      store: deps.mediaStore,
      records: deps.mediaRecords,
      maxDurationMs: config.media.maxDurationSec * 1000,
      renderTimeoutMs: config.render.timeoutSec * 1000,
      limit: (task) => renders.run(task),
      now: deps.now,
    });
  }

  /**
   * The offline voices through the speech service (normaliser, lexicon, cache), in the offline engine's shape:
   * the emergency path speaks alert texts and the drill notice with it.
   */
  readonly offlineEngine: Pick<OfflineSpeechEngine, 'synthesise'> = {
    synthesise: async (req, opts = {}) => {
      const out = await this.engines.synthesise({
        text: req.text,
        voice: `espeak:${req.voice}`,
        lexicon: this.lexiconEntries(),
        ...(opts.signal && { signal: opts.signal }),
      });
      return { wav: out.wav, durationMs: out.durationMs, engine: 'espeak-ng', notes: out.notes };
    },
  };

  private lexiconEntries() {
    return this.lexicon.list().map((e) => ({
      term: e.term,
      pinyin: e.pinyin,
      ...(e.respell ? { respell: e.respell } : {}),
    }));
  }

  async stop(): Promise<void> {
    await this.engines.close();
  }
}

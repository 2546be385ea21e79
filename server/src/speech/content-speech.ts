import { rm, writeFile } from 'node:fs/promises';
import type { AreaService } from '../areas/area-service.ts';
import type { Actor } from '../auth/actor.ts';
import type { ContentItem, ContentService } from '../content/content-service.ts';
import { notFound, unprocessable } from '../errors.ts';
import type { FfmpegTools } from '../media/ffmpeg-path.ts';
import { ingestAudio } from '../media/ingest.ts';
import type { MediaStore } from '../media/store.ts';
import type { MediaRecord, MediaRecords } from '../media-library/media-records.ts';
import { type BroadcastRender, renderBroadcastReady } from '../render/broadcast-render.ts';
import type { CountyChimes } from '../render/chime.ts';
import type { Ebur128Loudness } from '../render/ebur128.ts';
import { type Language, languageName } from './languages.ts';
import type { LexiconStore } from './lexicon-store.ts';
import type { ContentVersion, VersionStore } from './version-store.ts';

/** What the speech service (server/src/tts/speech-service.ts) gives back; only what is used here. */
export interface SpokenText {
  wav: Buffer;
  durationMs: number;
  engine: string;
  voice: string;
  fallbackFrom?: string | null | undefined;
  notes: string[];
}

export interface SpeakRequest {
  text: string;
  voice: string;
  rate?: number | undefined;
  pitch?: number | undefined;
}

export interface ContentSpeechDeps {
  content: ContentService;
  versions: VersionStore;
  lexicon: LexiconStore;
  areas: AreaService;
  speak: (req: SpeakRequest) => Promise<SpokenText>;
  chimes: () => Promise<CountyChimes>;
  tools: FfmpegTools;
  store: MediaStore;
  records: MediaRecords;
  maxDurationMs: number;
  renderTimeoutMs: number;
  /** The limit on concurrent ffmpeg work shared with uploads. */
  limit: <T>(task: () => Promise<T>) => Promise<T>;
  now: () => number;
}

export interface RenderInfo {
  order: Language[];
  languages: Language[];
  loudness: Ebur128Loudness;
  withinTarget: boolean;
  trimmedMs: number;
  durationMs: number;
  renderedAt: number;
}

export interface Preview {
  media: MediaRecord;
  engine: string;
  voice: string;
  fallbackFrom: string | null;
  notes: string[];
  loudness: Ebur128Loudness;
  withinTarget: boolean;
}

/**
 * Spoken versions of content items and their broadcast-ready audio: each version is synthesised (or recorded) on
 * its own; the item's audio is the county's opening chime, the versions in the area's order, the closing chime,
 * loudness-normalised, re-rendered whenever a version changes (which sends the item back through review).
 */
export class ContentSpeech {
  constructor(private readonly deps: ContentSpeechDeps) {}

  /** Speaks and renders a text as it would sound on the horns, without making an item. */
  async preview(req: SpeakRequest, actor: Actor): Promise<Preview> {
    const spoken = await this.deps.speak(req);
    const speech = await this.storeWav(spoken.wav, `试听-${req.text}`, actor.id);
    const { media, render } = await this.render([speech.sha256], `试听-${req.text}`, actor.id);
    return {
      media,
      engine: spoken.engine,
      voice: spoken.voice,
      fallbackFrom: spoken.fallbackFrom ?? null,
      notes: spoken.notes,
      loudness: render.loudness,
      withinTarget: render.withinTarget,
    };
  }

  /** A new draft item from text: one TTS version per requested language, rendered together. */
  async createFromText(
    input: {
      title: string;
      scopeCode: string;
      category?: string | null | undefined;
      text: string;
      versions: Array<{ language: Language; voice: string; text?: string | undefined }>;
      rate?: number | undefined;
      pitch?: number | undefined;
    },
    actor: Actor,
  ): Promise<{ item: ContentItem; versions: ContentVersion[] }> {
    // Scope first, so nothing is synthesised for an area the actor may not write to; then every version is
    // spoken before anything is stored, so a text the engine refuses leaves no half-made item behind.
    if (!this.deps.areas.get(input.scopeCode) || !actor.canAt('content.write', input.scopeCode))
      throw notFound('unknown_area', `行政区划 ${input.scopeCode} 不存在或不在您的管辖范围`);
    const spoken: Array<{ language: Language; text: string; out: SpokenText; media: MediaRecord }> = [];
    for (const v of input.versions) {
      const text = v.text ?? input.text;
      const out = await this.deps.speak({ text, voice: v.voice, rate: input.rate, pitch: input.pitch });
      const media = await this.storeWav(out.wav, `${languageName(v.language)}-${text}`, actor.id);
      spoken.push({ language: v.language, text, out, media });
    }
    const item = this.deps.content.create(
      {
        title: input.title,
        scopeCode: input.scopeCode,
        category: input.category ?? null,
        script: input.text,
      },
      actor,
    );
    for (const s of spoken) this.putSpoken(item.id, s.language, s.text, s.out, s.media, actor);
    return { item: await this.rerender(item.id, actor), versions: this.deps.versions.of(item.id) };
  }

  /** Adds or replaces the item's version in a language, spoken from text. */
  async addSpokenVersion(
    contentId: string,
    v: {
      language: Language;
      voice: string;
      text: string;
      rate?: number | undefined;
      pitch?: number | undefined;
    },
    actor: Actor,
  ): Promise<{ item: ContentItem; versions: ContentVersion[] }> {
    this.deps.content.get(contentId, actor); // scope check
    await this.speakVersion(contentId, v, actor);
    return { item: await this.rerender(contentId, actor), versions: this.deps.versions.of(contentId) };
  }

  /** Attaches an uploaded recording (e.g. read in 桂柳话 by township staff) as the item's version in a language. */
  async attachRecording(
    contentId: string,
    v: { language: Language; mediaSha256: string },
    actor: Actor,
  ): Promise<{ item: ContentItem; versions: ContentVersion[] }> {
    this.deps.content.get(contentId, actor); // scope check
    const media = this.deps.records.get(v.mediaSha256);
    if (!media) throw notFound('media_not_found', '找不到这段录音，请先上传音频文件');
    this.deps.versions.put(
      {
        contentId,
        language: v.language,
        source: 'recording',
        voice: null,
        engine: null,
        fallbackFrom: null,
        text: null,
        mediaSha256: media.sha256,
        durationMs: media.durationMs,
      },
      actor.id,
      this.deps.now(),
    );
    return { item: await this.rerender(contentId, actor), versions: this.deps.versions.of(contentId) };
  }

  versionsOf(contentId: string, actor: Actor): { versions: ContentVersion[]; render: RenderInfo | null } {
    this.deps.content.get(contentId, actor);
    return {
      versions: this.deps.versions.of(contentId),
      render: this.deps.versions.renderOf<RenderInfo>(contentId),
    };
  }

  private async speakVersion(
    contentId: string,
    v: {
      language: Language;
      voice: string;
      text: string;
      rate?: number | undefined;
      pitch?: number | undefined;
    },
    actor: Actor,
  ): Promise<void> {
    const out = await this.deps.speak({ text: v.text, voice: v.voice, rate: v.rate, pitch: v.pitch });
    const media = await this.storeWav(out.wav, `${languageName(v.language)}-${v.text}`, actor.id);
    this.putSpoken(contentId, v.language, v.text, out, media, actor);
  }

  private putSpoken(
    contentId: string,
    language: Language,
    text: string,
    out: SpokenText,
    media: MediaRecord,
    actor: Actor,
  ): void {
    this.deps.versions.put(
      {
        contentId,
        language,
        source: 'tts',
        voice: out.voice,
        engine: out.engine,
        fallbackFrom: out.fallbackFrom ?? null,
        text,
        mediaSha256: media.sha256,
        durationMs: media.durationMs,
      },
      actor.id,
      this.deps.now(),
    );
  }

  /** The item's audio again from its versions, in the order its area plays them; the item records how. */
  private async rerender(contentId: string, actor: Actor): Promise<ContentItem> {
    const { item } = this.deps.content.get(contentId, actor);
    const versions = this.deps.versions.of(contentId);
    const order = this.deps.versions.orderFor(this.deps.areas.chainOf(item.scopeCode));
    const chosen = order
      .map((l) => versions.find((v) => v.language === l))
      .filter((v): v is ContentVersion => v !== undefined);
    if (chosen.length === 0)
      throw unprocessable(
        'no_playable_version',
        `此条目没有按本地区播放顺序（${order.map(languageName).join('、')}）可播放的版本`,
      );
    const { media, render } = await this.render(
      chosen.map((v) => v.mediaSha256),
      item.title,
      actor.id,
    );
    const info: RenderInfo = {
      order,
      languages: chosen.map((v) => v.language),
      loudness: render.loudness,
      withinTarget: render.withinTarget,
      trimmedMs: render.trimmedMs,
      durationMs: media.durationMs,
      renderedAt: this.deps.now(),
    };
    const updated =
      item.mediaSha256 === media.sha256
        ? item
        : this.deps.content.update(contentId, { mediaSha256: media.sha256 }, actor);
    this.deps.versions.setRender(contentId, info);
    return updated;
  }

  private async render(
    shas: string[],
    name: string,
    by: number | null,
  ): Promise<{ media: MediaRecord; render: BroadcastRender }> {
    const chimes = await this.deps.chimes();
    return this.deps.limit(async () => {
      const render = await renderBroadcastReady(
        { parts: shas.map((s) => this.deps.store.pathOf(s)), chimes },
        { tools: this.deps.tools, tempDir: this.deps.store.tmpDir(), timeoutMs: this.deps.renderTimeoutMs },
      );
      try {
        const put = await this.deps.store.put(render.path);
        const media = this.deps.records.upsert(
          {
            sha256: put.sha256,
            bytes: put.bytes,
            durationMs: render.durationMs,
            mime: 'audio/mpeg',
            originalName: fileName(`播出版-${name}`),
          },
          by,
        );
        return { media, render };
      } finally {
        await rm(render.path, { force: true });
      }
    });
  }

  /** Stores speech as a media file through the upload pipeline (probe, normalise, terminal format). */
  private async storeWav(wav: Buffer, name: string, by: number | null): Promise<MediaRecord> {
    return this.deps.limit(async () => {
      const temp = this.deps.store.tempPath('.wav');
      try {
        await writeFile(temp, wav, { flag: 'wx' });
      } catch (e) {
        await rm(temp, { force: true });
        throw e;
      }
      const out = await ingestAudio(temp, {
        tools: this.deps.tools,
        store: this.deps.store,
        maxDurationMs: this.deps.maxDurationMs,
      });
      return this.deps.records.upsert(
        {
          sha256: out.sha256,
          bytes: out.bytes,
          durationMs: out.durationMs,
          mime: out.mime,
          originalName: fileName(name),
        },
        by,
      );
    });
  }
}

/** A file name from the start of a text: letters, digits and punctuation only. */
function fileName(text: string): string {
  const head = [...text.replace(/[^\p{L}\p{N}\p{P}\p{Zs}]|[\\/]/gu, '').replace(/\s+/g, ' ')]
    .slice(0, 24)
    .join('')
    .trim();
  return `${head || '语音'}.mp3`;
}

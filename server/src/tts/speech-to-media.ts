import { rm, writeFile } from 'node:fs/promises';
import type { FfmpegTools } from '../media/ffmpeg-path.ts';
import { type IngestDeps, ingestAudio } from '../media/ingest.ts';
import type { MediaStore } from '../media/store.ts';
import { cleanFileName } from '../media/upload.ts';
import type { MediaRecord, MediaRecords } from '../media-library/media-records.ts';
import type { OfflineSpeechEngine } from './espeak-offline.ts';
import { type SpeechRequest, ttsErrors } from './speech-text.ts';

export interface SpeechToMediaDeps {
  engine: Pick<OfflineSpeechEngine, 'synthesise'>;
  tools: FfmpegTools;
  store: Pick<MediaStore, 'put' | 'tempPath'>;
  records: Pick<MediaRecords, 'upsert'>;
  /** As for uploads (config media.maxDurationSec × 1000): 5,000 characters at the default rate is ~29 min. */
  maxDurationMs: number;
  render?: IngestDeps['render'];
  /** Runs the render under the caller's limit on concurrent ffmpeg work (e.g. the media route's Limiter). */
  limit?: <T>(task: () => Promise<T>) => Promise<T>;
  /** Receives the engine's notes (characters stripped from the text), if any. */
  log?: (msg: string) => void;
}

export interface SpeechToMediaRequest extends SpeechRequest {
  /** Shown in the media library; default "语音合成-<start of the text>.mp3". */
  originalName?: string;
  /** The user it is recorded as uploaded by; null for the system (e.g. the drill notice). Default null. */
  createdBy?: number | null;
  /** For the synthesis step (the render has its own ffmpeg timeouts). Default 60 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** A file name from the start of the text: no path separators, control or other odd characters. */
export function speechFileName(text: string): string {
  const head = [...text.replace(/[^\p{L}\p{N}\p{P}\p{Zs}]|[\\/]/gu, '').replace(/\s+/g, ' ')]
    .slice(0, 20)
    .join('')
    .trim();
  return `语音合成-${head || '文字'}.mp3`;
}

/**
 * Speaks `req.text` offline and stores the result through the same pipeline as an uploaded file (probe,
 * loudness normalisation, MP3 for the terminals, content-addressed store), then records it in the media
 * library. The WAV goes to a temp file in the store's temp directory; that file is removed on every path,
 * so neither an empty nor a partial file is ever left behind.
 */
export async function synthesiseToMedia(
  deps: SpeechToMediaDeps,
  req: SpeechToMediaRequest,
): Promise<MediaRecord> {
  const speech = await deps.engine.synthesise(req, {
    ...(req.timeoutMs !== undefined && { timeoutMs: req.timeoutMs }),
    ...(req.signal && { signal: req.signal }),
  });
  for (const note of speech.notes) deps.log?.(`语音合成：${note}`);
  const render = async () => {
    if (req.signal?.aborted) throw ttsErrors.aborted();
    const temp = deps.store.tempPath('.wav');
    try {
      await writeFile(temp, speech.wav, { flag: 'wx' });
    } catch (e) {
      await rm(temp, { force: true });
      throw e;
    }
    // From here ingestAudio owns the temp file and deletes it whatever happens.
    return ingestAudio(temp, {
      tools: deps.tools,
      store: deps.store,
      maxDurationMs: deps.maxDurationMs,
      ...(deps.render && { render: deps.render }),
    });
  };
  const out = deps.limit ? await deps.limit(render) : await render();
  return deps.records.upsert(
    {
      sha256: out.sha256,
      bytes: out.bytes,
      durationMs: out.durationMs,
      mime: out.mime,
      originalName: req.originalName?.trim() ? cleanFileName(req.originalName) : speechFileName(req.text),
    },
    req.createdBy ?? null,
  );
}

import { rm } from 'node:fs/promises';
import type { FfmpegTools } from './ffmpeg-path.ts';
import { checkDecodedDuration, checkRiffComplete } from './integrity.ts';
import { tooLong } from './media-errors.ts';
import { type AudioProbe, probeAudio } from './probe.ts';
import type { MediaStore } from './store.ts';
import { type RenderOptions, renderForTerminals } from './transcode.ts';

export interface IngestedAudio {
  sha256: string;
  bytes: number;
  durationMs: number;
  mime: 'audio/mpeg';
  sourceProbe: AudioProbe;
}

export interface IngestDeps {
  tools: FfmpegTools;
  store: Pick<MediaStore, 'put' | 'tempPath'>;
  maxDurationMs: number;
  render?: Omit<RenderOptions, 'maxDecodeMs'>;
}

/** Rounding and MP3 frame padding must not turn an exactly-at-the-limit file into a refusal. */
const LIMIT_SLACK_MS = 1000;

/**
 * Probe, check limits and integrity, render to the terminal format, store. Ownership: this function owns
 * `tempPath` from the moment it is called and deletes it in every case, success or failure; nothing partial
 * is left in the store or its temp directory.
 */
export async function ingestAudio(tempPath: string, deps: IngestDeps): Promise<IngestedAudio> {
  const { tools, maxDurationMs } = deps;
  const rendered = deps.store.tempPath('.mp3');
  try {
    // Unknown length is allowed here (live-recorded WebM): the render decodes the file and measures it anyway.
    const sourceProbe = await probeAudio(tempPath, tools, { allowUnknownDuration: true });
    await checkRiffComplete(tempPath);
    const stated = sourceProbe.durationSource === 'header';
    if (stated && sourceProbe.durationMs > maxDurationMs) throw tooLong(maxDurationMs);
    // An estimated or missing length is not trusted either way: decode at most a little past the limit and
    // judge by what actually decoded.
    const { decodedMs } = await renderForTerminals(tempPath, rendered, tools, {
      ...deps.render,
      maxDecodeMs: maxDurationMs + 2 * LIMIT_SLACK_MS,
    });
    if (decodedMs > maxDurationMs + LIMIT_SLACK_MS) throw tooLong(maxDurationMs);
    if (stated) checkDecodedDuration(sourceProbe.durationMs, decodedMs);
    const out = await probeAudio(rendered, tools);
    const { sha256, bytes } = await deps.store.put(rendered);
    return { sha256, bytes, durationMs: out.durationMs, mime: 'audio/mpeg', sourceProbe };
  } finally {
    await rm(tempPath, { force: true });
    await rm(rendered, { force: true });
  }
}

import { rm } from 'node:fs/promises';
import { unprocessable } from '../errors.ts';
import type { FfmpegTools } from './ffmpeg-path.ts';
import { checkDecodedDuration, checkRiffComplete } from './integrity.ts';
import { type AudioProbe, probeAudio } from './probe.ts';
import type { MediaStore } from './store.ts';
import { renderForTerminals } from './transcode.ts';

export interface IngestedAudio {
  sha256: string;
  bytes: number;
  durationMs: number;
  mime: 'audio/mpeg';
  sourceProbe: AudioProbe;
}

/**
 * Probe, check limits, render to the terminal format, store. Owns `tempPath`: it is deleted in every case,
 * and nothing partial is left in the store.
 */
export async function ingestAudio(
  tempPath: string,
  deps: { tools: FfmpegTools; store: MediaStore; maxDurationMs: number },
): Promise<IngestedAudio> {
  const rendered = deps.store.tempPath('.mp3');
  try {
    const sourceProbe = await probeAudio(tempPath, deps.tools);
    await checkRiffComplete(tempPath);
    if (sourceProbe.durationMs > deps.maxDurationMs) {
      throw unprocessable('too_long', `音频时长超过上限 ${Math.round(deps.maxDurationMs / 60000)} 分钟`);
    }
    await renderForTerminals(tempPath, rendered, deps.tools);
    const out = await probeAudio(rendered, deps.tools);
    checkDecodedDuration(sourceProbe.durationMs, out.durationMs);
    const { sha256, bytes } = await deps.store.put(rendered);
    return { sha256, bytes, durationMs: out.durationMs, mime: 'audio/mpeg', sourceProbe };
  } finally {
    await rm(tempPath, { force: true });
    await rm(rendered, { force: true });
  }
}

import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import type { FfmpegTools } from '../media/ffmpeg-path.ts';
import { type BroadcastRender, renderBroadcastReady } from './broadcast-render.ts';
import { ensureDefaultChimes } from './chime.ts';
import { makeSpeechLike } from './speech-like.ts';

export interface RenderBenchOptions {
  /** Minutes of speech in total, split evenly over `parts`. */
  minutes: number;
  tools: FfmpegTools;
  /** A scratch directory; everything the benchmark writes goes in a subdirectory that is removed after. */
  tempDir: string;
  /** Default 2 (Mandarin then dialect). */
  parts?: number;
  /** Default true: the default chimes open and close the item. */
  chimes?: boolean;
  timeoutMs?: number;
}

export interface RenderBenchResult {
  /** Length of the rendered item (speech, pauses and chimes). */
  audioMs: number;
  /** Wall time of renderBroadcastReady alone (the input fixtures are made before the clock starts). */
  renderMs: number;
  /** renderMs per minute of rendered audio. */
  msPerAudioMinute: number;
  render: Omit<BroadcastRender, 'path'>;
}

/**
 * Renders `minutes` of speech-like audio (quiet Mandarin-like part, louder dialect-like part, each with silence
 * to trim) into one broadcast-ready item and times it. For a benchmark script, e.g.
 * `await benchRender({ minutes: 1, tools: resolveFfmpegTools(), tempDir: os.tmpdir() })`.
 */
export async function benchRender(o: RenderBenchOptions): Promise<RenderBenchResult> {
  const dir = await mkdtemp(path.join(o.tempDir, 'render-bench-'));
  try {
    const n = Math.max(1, o.parts ?? 2);
    const seconds = (o.minutes * 60) / n;
    const parts: string[] = [];
    for (let i = 0; i < n; i++) {
      const file = path.join(dir, `part-${i}.wav`);
      await makeSpeechLike(o.tools, file, {
        seconds,
        level: { lufs: i % 2 === 0 ? -30 : -20 },
        leadSilenceMs: 500,
        tailSilenceMs: 700,
        seed: i + 1,
      });
      parts.push(file);
    }
    const chimes = o.chimes === false ? undefined : await ensureDefaultChimes(dir, o.tools);
    const started = performance.now();
    const r = await renderBroadcastReady(
      { parts, ...(chimes && { chimes }) },
      { tools: o.tools, tempDir: dir, timeoutMs: o.timeoutMs ?? 30 * 60_000 },
    );
    const renderMs = Math.round(performance.now() - started);
    const { path: _file, ...render } = r;
    return {
      audioMs: r.durationMs,
      renderMs,
      msPerAudioMinute: Math.round(renderMs / (r.durationMs / 60_000)),
      render,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

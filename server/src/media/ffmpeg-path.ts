import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface FfmpegTools {
  ffmpeg: string;
  ffprobe: string;
}

function onPath(name: string): string | null {
  try {
    return execFileSync('which', [name], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

/** Explicit setting, else a system ffmpeg on PATH, else the static build shipped in npm packages. */
export function resolveFfmpegTools(override: { ffmpeg?: string; ffprobe?: string } = {}): FfmpegTools {
  const ffmpeg = override.ffmpeg ?? onPath('ffmpeg') ?? (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
  const ffprobe = override.ffprobe ?? onPath('ffprobe') ?? (require('@ffprobe-installer/ffprobe') as { path: string }).path;
  return { ffmpeg, ffprobe };
}

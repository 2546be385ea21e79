import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The ffmpeg the product itself uses by default (from npm), so tests run on a fresh machine. */
export function ffmpegBinary(): string {
  return (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
}

/** Runs the real ffmpeg quietly: `args` go between the global options and the output file. */
export function ffmpeg(args: string[], output: string): void {
  execFileSync(ffmpegBinary(), ['-v', 'error', '-y', ...args, output]);
}

/** Makes a real audio file with ffmpeg: a tone of `seconds` at `hz`. */
export function makeTone(file: string, seconds: number, hz = 440): void {
  ffmpeg(['-f', 'lavfi', '-i', `sine=frequency=${hz}:duration=${seconds}`, '-ac', '1'], file);
}

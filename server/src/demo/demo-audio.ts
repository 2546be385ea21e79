import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A short three-note chime made with ffmpeg, so the demo needs no audio file of its own. */
export async function makeDemoChime(ffmpeg: string, file: string): Promise<void> {
  const notes = [523.25, 659.25, 783.99].map((f, i) => `sine=frequency=${f}:duration=0.8[n${i}]`).join(';');
  await run(ffmpeg, [
    '-v',
    'error',
    '-y',
    '-filter_complex',
    `${notes};[n0][n1][n2]concat=n=3:v=0:a=1,afade=t=out:st=2:d=0.4`,
    '-ac',
    '1',
    file,
  ]);
}

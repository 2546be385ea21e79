import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDirs, testTools } from './test-support.ts';
import { checkFfmpegTools } from './tool-check.ts';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

describe('checkFfmpegTools', () => {
  it('finds nothing missing in the bundled build', async () => {
    expect(await checkFfmpegTools(testTools())).toEqual([]);
  });

  it('names what a build lacks, and binaries that do not run', async () => {
    const dir = await dirs.make();
    const fake = path.join(dir, 'ffmpeg');
    await writeFile(fake, '#!/bin/sh\necho " A..... aac   AAC"\necho " ... volume  A->A  Change volume"\n');
    await chmod(fake, 0o755);
    const problems = await checkFfmpegTools({ ffmpeg: fake, ffprobe: path.join(dir, 'missing') });
    expect(problems).toContain('ffmpeg lacks the libmp3lame encoder');
    expect(problems).toContain('ffmpeg lacks the loudnorm filter');
    expect(problems.some((p) => p.startsWith('ffprobe does not run'))).toBe(true);
  });
});

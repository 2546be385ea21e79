import { accessSync, constants } from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findOnPath, resolveFfmpegTools } from './ffmpeg-path.ts';
import { tempDirs } from './test-support.ts';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

async function fakeBinaries(names: string[], mode = 0o755): Promise<string> {
  const dir = await dirs.make();
  for (const n of names) {
    await writeFile(path.join(dir, n), '#!/bin/sh\nexit 0\n');
    await chmod(path.join(dir, n), mode);
  }
  return dir;
}

describe('resolveFfmpegTools', () => {
  it('uses an explicit path first', async () => {
    const dir = await fakeBinaries(['ffmpeg', 'ffprobe']);
    expect(resolveFfmpegTools({ ffmpeg: '/opt/ff/ffmpeg', ffprobe: '/opt/ff/ffprobe' }, dir)).toEqual({
      ffmpeg: '/opt/ff/ffmpeg',
      ffprobe: '/opt/ff/ffprobe',
    });
  });

  it('then a system binary on PATH, each tool on its own', async () => {
    const dir = await fakeBinaries(['ffmpeg', 'ffprobe']);
    const envPath = ['/nonexistent', dir].join(path.delimiter);
    expect(resolveFfmpegTools({}, envPath)).toEqual({
      ffmpeg: path.join(dir, 'ffmpeg'),
      ffprobe: path.join(dir, 'ffprobe'),
    });
    expect(resolveFfmpegTools({ ffprobe: '/x/ffprobe', ffmpeg: '' }, envPath)).toEqual({
      ffmpeg: path.join(dir, 'ffmpeg'),
      ffprobe: '/x/ffprobe',
    });
  });

  it('skips a file on PATH that is not executable', async () => {
    const dir = await fakeBinaries(['ffmpeg'], 0o644);
    expect(findOnPath('ffmpeg', dir)).toBeNull();
  });

  it('falls back to the npm installer binaries, which exist and are executable', () => {
    const tools = resolveFfmpegTools({}, '');
    expect(tools.ffmpeg).toMatch(/@ffmpeg-installer/);
    expect(tools.ffprobe).toMatch(/@ffprobe-installer/);
    for (const bin of Object.values(tools)) expect(() => accessSync(bin, constants.X_OK)).not.toThrow();
  });
});

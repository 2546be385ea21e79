import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { badRequest } from '../errors.ts';

const SHA = /^[0-9a-f]{64}$/;

export async function sha256OfFile(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Rendered audio, content-addressed by sha256: root/ab/abcdef….mp3. Temp files live in root/tmp (same filesystem). */
export class MediaStore {
  constructor(private readonly root: string) {}

  tmpDir(): string {
    return path.join(this.root, 'tmp');
  }

  async init(): Promise<void> {
    await mkdir(this.tmpDir(), { recursive: true });
  }

  /** A fresh temp path (the file is not created). */
  tempPath(ext = ''): string {
    return path.join(this.tmpDir(), `${Date.now()}-${randomBytes(6).toString('hex')}${ext}`);
  }

  pathOf(sha256: string): string {
    if (!SHA.test(sha256)) throw badRequest('bad_sha256', 'sha256 格式不对');
    return path.join(this.root, sha256.slice(0, 2), `${sha256}.mp3`);
  }

  async has(sha256: string): Promise<boolean> {
    try {
      await stat(this.pathOf(sha256));
      return true;
    } catch {
      return false;
    }
  }

  /** Moves a finished temp file into the store (dropping it if the same content is already there). */
  async put(tempFile: string): Promise<{ sha256: string; bytes: number }> {
    const sha256 = await sha256OfFile(tempFile);
    const { size } = await stat(tempFile);
    const dest = this.pathOf(sha256);
    if (await this.has(sha256)) {
      await rm(tempFile, { force: true });
    } else {
      await mkdir(path.dirname(dest), { recursive: true });
      await rename(tempFile, dest);
    }
    return { sha256, bytes: size };
  }

  async remove(sha256: string): Promise<void> {
    await rm(this.pathOf(sha256), { force: true });
  }

  /** Removes temp files left by a crash mid-upload or mid-render. */
  async sweepTemp(): Promise<number> {
    await this.init();
    const names = await readdir(this.tmpDir());
    await Promise.all(names.map((n) => rm(path.join(this.tmpDir(), n), { force: true, recursive: true })));
    return names.length;
  }

  async tempFiles(): Promise<string[]> {
    await this.init();
    return readdir(this.tmpDir());
  }
}

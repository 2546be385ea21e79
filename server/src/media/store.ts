import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { badRequest } from '../errors.ts';

const SHA = /^[0-9a-f]{64}$/;

export const isSha256 = (s: string) => SHA.test(s);

/** Hashes and sizes a file in one streaming read. */
export async function hashFile(file: string): Promise<{ sha256: string; bytes: number }> {
  const h = createHash('sha256');
  let bytes = 0;
  const fh = await open(file, 'r');
  try {
    for await (const chunk of fh.createReadStream({ autoClose: false })) {
      h.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
  } finally {
    await fh.close();
  }
  return { sha256: h.digest('hex'), bytes };
}

/** Flushes a file's data to disk, so a power cut after the rename cannot leave a short file under a valid name. */
async function fsyncFile(file: string): Promise<void> {
  const fh = await open(file, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Rendered audio, content-addressed by sha256: root/ab/abcdef….mp3. Temp files (uploads in progress, renders)
 * live in root/tmp, on the same filesystem, so moving a finished file in is an atomic rename.
 */
export class MediaStore {
  constructor(private readonly root: string) {}

  /** The temp directory; created on first use so callers need no set-up step. */
  tmpDir(): string {
    const dir = path.join(this.root, 'tmp');
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  async init(): Promise<void> {
    await mkdir(path.join(this.root, 'tmp'), { recursive: true });
  }

  /** A fresh, unguessable temp path (the file is not created). */
  tempPath(ext = ''): string {
    return path.join(this.tmpDir(), `${Date.now()}-${randomBytes(8).toString('hex')}${ext}`);
  }

  /** Where a file with this hash lives. Refuses anything but 64 lower-case hex digits: no path tricks. */
  pathOf(sha256: string): string {
    if (!isSha256(sha256)) throw badRequest('bad_sha256', '音频编号（sha256）格式不对');
    return path.join(this.root, sha256.slice(0, 2), `${sha256}.mp3`);
  }

  async has(sha256: string): Promise<boolean> {
    if (!isSha256(sha256)) return false;
    try {
      return (await stat(this.pathOf(sha256))).isFile();
    } catch {
      return false;
    }
  }

  /**
   * Moves a finished temp file into the store under its hash and returns it. If the same content is stored
   * already the temp file is dropped. The temp file is gone afterwards either way.
   */
  async put(tempFile: string): Promise<{ sha256: string; bytes: number }> {
    try {
      const { sha256, bytes } = await hashFile(tempFile);
      const dest = this.pathOf(sha256);
      const existing = await stat(dest).catch(() => null);
      // Same hash but another size can only be a damaged copy (e.g. a disk fault): replace it.
      if (existing?.isFile() && existing.size === bytes) return { sha256, bytes };
      await fsyncFile(tempFile);
      await mkdir(path.dirname(dest), { recursive: true });
      await rename(tempFile, dest);
      return { sha256, bytes };
    } finally {
      await rm(tempFile, { force: true });
    }
  }

  /** Deletes a stored file; true if it was there. */
  async remove(sha256: string): Promise<boolean> {
    const file = this.pathOf(sha256);
    const there = await stat(file).then(
      () => true,
      () => false,
    );
    await rm(file, { force: true });
    return there;
  }

  /**
   * Removes temp files left by a crash mid-upload or mid-render. With no age given it removes everything, which
   * is only right at start-up, before uploads are accepted; a periodic sweep must pass `olderThanMs`.
   */
  async sweepTemp(opts: { olderThanMs?: number } = {}): Promise<number> {
    const dir = this.tmpDir();
    const cutoff = Date.now() - (opts.olderThanMs ?? 0);
    let removed = 0;
    for (const name of await readdir(dir)) {
      const p = path.join(dir, name);
      const st = await stat(p).catch(() => null);
      if (!st || (opts.olderThanMs !== undefined && st.mtimeMs > cutoff)) continue;
      await rm(p, { force: true, recursive: true });
      removed += 1;
    }
    return removed;
  }

  /** Names in the temp directory (for checks and tests). */
  async tempFiles(): Promise<string[]> {
    return readdir(this.tmpDir());
  }
}

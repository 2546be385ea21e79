import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';

/** fsync a directory so a rename or create inside it survives a power cut (best effort where unsupported). */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Write a whole file atomically: write `<file>.tmp`, fsync it, rename over the target, fsync the directory.
 * `durable: false` skips both fsyncs for data that may be lost in a power cut without harm (it is still never
 * torn): on an SD card each fsync costs milliseconds on the way to the speaker.
 */
export function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  opts: { durable?: boolean } = {},
): void {
  const durable = opts.durable ?? true;
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true });
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    if (durable) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  if (durable) fsyncDir(dir);
}

export function writeJsonAtomic(file: string, value: unknown, opts: { durable?: boolean } = {}): void {
  writeFileAtomic(file, `${JSON.stringify(value)}\n`, opts);
}

/** The parsed JSON of a file, or `fallback` if it is missing or unreadable (a torn write never gets renamed in). */
export function readJsonOr<T>(file: string, fallback: T): T {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export function unlinkIfExists(file: string): void {
  try {
    unlinkSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

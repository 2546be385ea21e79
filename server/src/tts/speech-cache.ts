import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { EngineName } from './voices.ts';

/**
 * Synthesised speech on disk, by the sha256 of everything that decides the audio, so the same sentence is
 * never synthesised twice. Each entry is `<key>.wav` plus `<key>.json` (written last: an entry exists only once
 * its JSON does). Both are written to a temp name and renamed, so no reader ever sees a partial file. The
 * directory is kept under `maxBytes` by dropping the least recently used entries.
 */

export interface CacheMeta {
  engine: EngineName;
  /** The voice id that actually spoke. */
  voice: string;
  durationMs: number;
  notes: string[];
  sentences: number;
  bytes: number;
  sha256: string;
  createdAt: number;
}

export interface CachedSpeech {
  wav: Buffer;
  meta: CacheMeta;
}

export interface SpeechCacheOptions {
  dir: string;
  /** Default 512 MB. */
  maxBytes?: number;
  now?: () => number;
}

const KEY = /^[0-9a-f]{64}$/;
/** Temp files older than this are left over from a crash. */
const STALE_TEMP_MS = 10 * 60_000;

/** The key: sha256 of a canonical JSON of the parts (object keys sorted). */
export function cacheKey(parts: unknown): string {
  const canonical = JSON.stringify(parts, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
  return createHash('sha256').update(canonical).digest('hex');
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

export class SpeechCache {
  private readonly maxBytes: number;
  private readonly now: () => number;
  private ready: Promise<void> | null = null;

  constructor(private readonly options: SpeechCacheOptions) {
    this.maxBytes = options.maxBytes ?? 512 * 1024 * 1024;
    this.now = options.now ?? Date.now;
  }

  private file(key: string, ext: '.wav' | '.json'): string {
    if (!KEY.test(key)) throw new Error('bad cache key');
    return path.join(this.options.dir, key + ext);
  }

  private ensureDir(): Promise<void> {
    this.ready ??= mkdir(this.options.dir, { recursive: true }).then(() => undefined);
    return this.ready;
  }

  /** The entry, if complete and intact (a damaged one is removed); marks it as recently used. */
  async get(key: string): Promise<CachedSpeech | null> {
    let meta: CacheMeta;
    let wav: Buffer;
    try {
      meta = JSON.parse(await readFile(this.file(key, '.json'), 'utf8')) as CacheMeta;
      wav = await readFile(this.file(key, '.wav'));
    } catch {
      return null;
    }
    if (wav.length !== meta.bytes || sha256(wav) !== meta.sha256) {
      await this.remove(key);
      return null;
    }
    await this.touch(key);
    return { wav, meta };
  }

  /** The JSON's mtime is the entry's last use (by the injected clock). */
  private async touch(key: string): Promise<void> {
    const t = new Date(this.now());
    await utimes(this.file(key, '.json'), t, t).catch(() => {});
  }

  async put(
    key: string,
    wav: Buffer,
    meta: Omit<CacheMeta, 'bytes' | 'sha256' | 'createdAt'>,
  ): Promise<void> {
    await this.ensureDir();
    const full: CacheMeta = { ...meta, bytes: wav.length, sha256: sha256(wav), createdAt: this.now() };
    await this.writeAtomic(this.file(key, '.wav'), wav);
    await this.writeAtomic(this.file(key, '.json'), Buffer.from(JSON.stringify(full)));
    await this.touch(key);
    await this.prune();
  }

  private async writeAtomic(target: string, data: Buffer): Promise<void> {
    const temp = path.join(this.options.dir, `.tmp-${randomBytes(8).toString('hex')}`);
    try {
      await writeFile(temp, data, { flag: 'wx' });
      await rename(temp, target);
    } catch (e) {
      await rm(temp, { force: true });
      throw e;
    }
  }

  private async remove(key: string): Promise<void> {
    await rm(this.file(key, '.json'), { force: true });
    await rm(this.file(key, '.wav'), { force: true });
  }

  /** Total bytes of complete entries. */
  async size(): Promise<number> {
    return (await this.entries()).reduce((n, e) => n + e.bytes, 0);
  }

  private async entries(): Promise<Array<{ key: string; bytes: number; usedAt: number }>> {
    const names = await readdir(this.options.dir).catch(() => [] as string[]);
    const out: Array<{ key: string; bytes: number; usedAt: number }> = [];
    const now = this.now();
    const present = new Set(names);
    for (const name of names) {
      const full = path.join(this.options.dir, name);
      const st = await stat(full).catch(() => null);
      if (!st) continue;
      const key = name.slice(0, -path.extname(name).length);
      if (name.startsWith('.tmp-')) {
        if (now - st.mtimeMs > STALE_TEMP_MS) await rm(full, { force: true });
      } else if (name.endsWith('.json') && KEY.test(key)) {
        const wav = await stat(this.file(key, '.wav')).catch(() => null);
        out.push({ key, bytes: st.size + (wav?.size ?? 0), usedAt: st.mtimeMs });
      } else if (name.endsWith('.wav') && KEY.test(key) && !present.has(`${key}.json`)) {
        // A WAV whose JSON was never written (a crash between the two renames).
        if (now - st.mtimeMs > STALE_TEMP_MS) await rm(full, { force: true });
      }
    }
    return out;
  }

  /** Drops least recently used entries until the cache fits in `maxBytes`. */
  async prune(): Promise<void> {
    const entries = (await this.entries()).sort((a, b) => a.usedAt - b.usedAt);
    let total = entries.reduce((n, e) => n + e.bytes, 0);
    for (const e of entries) {
      if (total <= this.maxBytes) break;
      await this.remove(e.key);
      total -= e.bytes;
    }
  }
}

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { MediaRef } from '@dlb/protocol';
import { fsyncDir, readJsonOr, unlinkIfExists, writeJsonAtomic } from './fs-util.ts';
import { errorText, type Logger, realTimers, silentLogger, sleep, type Timers } from './runtime.ts';

export type MediaFailure = 'download-failed' | 'checksum-mismatch' | 'cache-full';

export class MediaError extends Error {
  constructor(
    readonly reason: MediaFailure,
    message: string,
  ) {
    super(message);
  }
}

interface IndexEntry {
  file: string;
  bytes: number;
  lastUsed: number;
}

export interface MediaCacheOptions {
  dir: string;
  limitBytes: number;
  serverUrl: string;
  /** Value of the Authorization header for media downloads. */
  authorization: string;
  fetch?: typeof fetch;
  now?: () => number;
  timers?: Timers;
  /** Extra attempts after a failed download (default 2), waiting retryDelayMs, then twice that, ... */
  retries?: number;
  retryDelayMs?: number;
  log?: Logger;
}

const INDEX = 'index.json';

/**
 * Content-addressed audio cache: files named by sha256, verified while streaming, written as `.part`
 * then renamed; bounded by size with least-recently-used eviction, never evicting a pinned (queued or
 * playing) file. Concurrent requests for one file share one download.
 */
export class MediaCache {
  private readonly index = new Map<string, IndexEntry>();
  private readonly pins = new Map<string, number>();
  private readonly inflight = new Map<string, Promise<string>>();
  private readonly aborter = new AbortController();
  private reserved = 0;
  private readonly fetchFn: typeof fetch;
  private readonly now: () => number;
  private readonly timers: Timers;
  private readonly log: Logger;
  private readonly retries: number;
  private readonly retryDelayMs: number;

  constructor(private readonly opts: MediaCacheOptions) {
    this.fetchFn = opts.fetch ?? fetch;
    this.now = opts.now ?? Date.now;
    this.timers = opts.timers ?? realTimers;
    this.log = opts.log ?? silentLogger;
    this.retries = opts.retries ?? 2;
    this.retryDelayMs = opts.retryDelayMs ?? 1000;
    mkdirSync(opts.dir, { recursive: true });
    this.load();
  }

  /** Read the index and make it agree with the directory: drop leftovers and entries whose file is gone. */
  private load(): void {
    const stored = readJsonOr<Record<string, IndexEntry>>(join(this.opts.dir, INDEX), {});
    for (const [sha, e] of Object.entries(stored ?? {})) {
      if (!/^[0-9a-f]{64}$/.test(sha) || typeof e?.file !== 'string') continue;
      try {
        if (statSync(join(this.opts.dir, e.file)).size === e.bytes) this.index.set(sha, e);
      } catch {
        // file missing: forget it
      }
    }
    const known = new Set([...this.index.values()].map((e) => e.file));
    for (const name of readdirSync(this.opts.dir)) {
      if (name === INDEX || known.has(name)) continue;
      unlinkIfExists(join(this.opts.dir, name));
    }
    this.persist();
  }

  /** The index is LRU bookkeeping: losing its last update in a power cut costs at most a re-download. */
  private persist(): void {
    writeJsonAtomic(join(this.opts.dir, INDEX), Object.fromEntries(this.index), { durable: false });
  }

  /** Mark a file as in use (queued or playing): it will not be evicted until unpinned as often. */
  pin(sha: string): void {
    this.pins.set(sha, (this.pins.get(sha) ?? 0) + 1);
  }

  unpin(sha: string): void {
    const n = (this.pins.get(sha) ?? 0) - 1;
    if (n > 0) this.pins.set(sha, n);
    else this.pins.delete(sha);
  }

  has(sha: string): boolean {
    return this.index.has(sha);
  }

  pathOf(sha: string): string | null {
    const e = this.index.get(sha);
    return e ? join(this.opts.dir, e.file) : null;
  }

  usage(): { bytes: number; files: number; limitBytes: number } {
    let bytes = 0;
    for (const e of this.index.values()) bytes += e.bytes;
    return { bytes, files: this.index.size, limitBytes: this.opts.limitBytes };
  }

  /** The local path of a cached file that is really there (counted as a use for the LRU), else null. */
  hit(sha: string): string | null {
    const e = this.index.get(sha);
    if (!e || !existsSync(join(this.opts.dir, e.file))) return null;
    e.lastUsed = this.now();
    this.persist();
    return join(this.opts.dir, e.file);
  }

  /** The local path of the media, downloading it first if needed. Rejects with a MediaError. */
  ensure(media: MediaRef): Promise<string> {
    const hit = this.index.get(media.sha256);
    if (hit && existsSync(join(this.opts.dir, hit.file))) {
      hit.lastUsed = this.now();
      this.persist();
      return Promise.resolve(join(this.opts.dir, hit.file));
    }
    if (hit) this.index.delete(media.sha256);
    const running = this.inflight.get(media.sha256);
    if (running) return running;
    const p = this.download(media).finally(() => this.inflight.delete(media.sha256));
    this.inflight.set(media.sha256, p);
    return p;
  }

  /** Abort downloads in progress (on agent stop). */
  stop(): void {
    this.aborter.abort();
  }

  private async download(media: MediaRef): Promise<string> {
    this.makeRoom(media.bytes);
    this.reserved += media.bytes;
    try {
      const ext = /\.[A-Za-z0-9]{1,8}$/.exec(media.path)?.[0] ?? '';
      const file = `${media.sha256}${ext}`;
      let last: MediaError = new MediaError('download-failed', 'no attempt made');
      for (let attempt = 0; attempt <= this.retries; attempt++) {
        if (attempt > 0) await sleep(this.timers, this.retryDelayMs * 2 ** (attempt - 1));
        if (this.aborter.signal.aborted) throw new MediaError('download-failed', '已停止');
        try {
          await this.fetchOnce(media, file);
          this.index.set(media.sha256, { file, bytes: media.bytes, lastUsed: this.now() });
          this.persist();
          return join(this.opts.dir, file);
        } catch (err) {
          if (this.aborter.signal.aborted) throw new MediaError('download-failed', '已停止');
          last = err instanceof MediaError ? err : new MediaError('download-failed', errorText(err));
          this.log.warn(`下载媒体失败 (第${attempt + 1}次): ${last.message}`, { sha256: media.sha256 });
        }
      }
      throw last;
    } finally {
      this.reserved -= media.bytes;
    }
  }

  /** Evict least-recently-used, unpinned files until `bytes` more fit; cache-full if they cannot. */
  private makeRoom(bytes: number): void {
    const limit = this.opts.limitBytes;
    let used = this.usage().bytes + this.reserved;
    if (used + bytes <= limit) return;
    const victims = [...this.index.entries()]
      .filter(([sha]) => !this.pins.has(sha))
      .sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    for (const [sha, e] of victims) {
      if (used + bytes <= limit) break;
      unlinkIfExists(join(this.opts.dir, e.file));
      this.index.delete(sha);
      used -= e.bytes;
      this.log.info('缓存已满，淘汰最久未用的文件', { sha256: sha, bytes: e.bytes });
    }
    this.persist();
    if (used + bytes > limit) {
      throw new MediaError('cache-full', `缓存空间不足: 需要 ${bytes} 字节, 上限 ${limit}, 占用中 ${used}`);
    }
  }

  private async fetchOnce(media: MediaRef, file: string): Promise<void> {
    const url = new URL(media.path, this.opts.serverUrl).toString();
    const res = await this.fetchFn(url, {
      headers: { Authorization: this.opts.authorization },
      signal: this.aborter.signal,
    });
    if (!res.ok || !res.body) {
      await res.body?.cancel().catch(() => {});
      throw new MediaError('download-failed', `HTTP ${res.status} ${url}`);
    }
    const part = join(this.opts.dir, `${file}.part`);
    const hash = createHash('sha256');
    let size = 0;
    const fh = await open(part, 'w');
    try {
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        size += chunk.length;
        if (size > media.bytes)
          throw new MediaError('checksum-mismatch', `文件比声明的 ${media.bytes} 字节大`);
        hash.update(chunk);
        await fh.write(chunk);
      }
      await fh.sync();
    } catch (err) {
      await fh.close().catch(() => {});
      unlinkIfExists(part);
      if (err instanceof MediaError) throw err;
      throw new MediaError('download-failed', errorText(err));
    }
    await fh.close();
    const digest = hash.digest('hex');
    if (digest !== media.sha256 || size !== media.bytes) {
      unlinkIfExists(part);
      throw new MediaError(
        'checksum-mismatch',
        `sha256 不符: 期望 ${media.sha256}, 实际 ${digest} (${size} 字节)`,
      );
    }
    renameSync(part, join(this.opts.dir, file));
    fsyncDir(this.opts.dir);
  }
}

import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  type FSWatcher,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  unlinkSync,
  watch,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { buildCalendar } from './calendar.ts';
import { formatProblem, loadScheduleText, readScheduleText } from './schedule-file.ts';
import type { ScheduleDoc } from './schedule-schema.ts';
import type { ScheduleCalendar, ScheduleProblem } from './schedule-types.ts';

/**
 * The schedule in force, kept from the human-edited file: loaded at start (an invalid file falls back to the
 * last copy that validated, or stops the centre), watched, and reloaded on change. A change that does not
 * validate is refused whole: its problems are logged and kept in status(), the previous calendar stays.
 */

export interface ScheduleSourceOptions {
  /** The schedule file, e.g. schedules/default.yaml. */
  file: string;
  /** Copy of the last text that validated, in the data dir; used when the file is invalid at start. */
  lastGoodFile: string;
  log: (msg: string) => void;
  now?: () => number;
  /** Quiet time after the last change event before reloading. */
  debounceMs?: number;
}

export interface ScheduleStatus {
  file: string;
  /** When the text in force was last loaded successfully (epoch ms). */
  loadedAt: number;
  /** sha256 (hex) of the text in force. */
  hash: string;
  /** The file was invalid at start and the last good copy is in force. */
  usingLastGood: boolean;
  /** Problems of the latest refused attempt; [] after a good load. */
  problems: ScheduleProblem[];
  problemsAt: number | null;
}

export type ScheduleReloadResult =
  | { ok: true; changed: boolean; calendar: ScheduleCalendar }
  | { ok: false; problems: ScheduleProblem[] };

interface Loaded {
  text: string;
  hash: string;
  doc: ScheduleDoc;
}

interface InForce extends Loaded {
  calendar: ScheduleCalendar;
}

type Attempt = ({ ok: true } & Loaded) | { ok: false; problems: ScheduleProblem[] };

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export class ScheduleSource {
  private readonly now: () => number;
  private readonly debounceMs: number;
  private current: InForce | null = null;
  private usingLastGood = false;
  private loadedAt = 0;
  private problems: ScheduleProblem[] = [];
  private problemsAt: number | null = null;
  private lastGoodHash: string | null = null;
  private watcher: FSWatcher | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly listeners = new Set<(cal: ScheduleCalendar) => void>();

  constructor(private readonly opts: ScheduleSourceOptions) {
    this.now = opts.now ?? Date.now;
    this.debounceMs = opts.debounceMs ?? 150;
  }

  /** Loads the file (or the last good copy) and starts watching; throws when neither validates. */
  start(): void {
    if (this.current) {
      // Started before (and maybe stopped): only resume watching.
      if (!this.watcher) this.watch();
      return;
    }
    const { file, lastGoodFile, log } = this.opts;
    const first = this.attempt(file);
    if (first.ok) {
      this.accept(first, false);
    } else {
      this.refuse(first.problems, `排班文件 ${file} 无效`);
      const fallback = existsSync(lastGoodFile) ? this.attempt(lastGoodFile) : null;
      if (!fallback?.ok) {
        const why = fallback
          ? `上次有效的副本 ${lastGoodFile} 也无效：\n${fallback.problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`
          : `且没有上次有效的副本（${lastGoodFile} 不存在）`;
        throw new Error(
          `排班文件 ${file} 无效，控制中心不能启动：\n${first.problems.map((p) => `  ${formatProblem(p)}`).join('\n')}\n${why}`,
        );
      }
      this.lastGoodHash = fallback.hash;
      this.accept(fallback, true);
      log(`排班：改用上次有效的副本 ${lastGoodFile}（sha256 ${fallback.hash.slice(0, 12)}），请修正 ${file}`);
    }
    this.watch();
  }

  /** Re-reads the file; a file that does not validate is refused and the calendar in force is kept. */
  reload(): ScheduleReloadResult {
    const next = this.attempt(this.opts.file);
    if (!next.ok) {
      this.refuse(next.problems, `排班文件 ${this.opts.file} 的修改未生效（继续使用之前的排班）`);
      return { ok: false, problems: next.problems };
    }
    const changed = this.accept(next, false);
    const calendar = this.current!.calendar;
    if (changed) {
      for (const listener of this.listeners) {
        try {
          listener(calendar);
        } catch (e) {
          this.opts.log(`排班变更的处理出错：${(e as Error).message}`);
        }
      }
    }
    return { ok: true, changed, calendar };
  }

  /** Stops watching; the calendar in force stays readable. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.watcher?.close();
    this.watcher = null;
  }

  calendar(): ScheduleCalendar {
    return this.inForce().calendar;
  }

  doc(): ScheduleDoc {
    return this.inForce().doc;
  }

  status(): ScheduleStatus {
    return {
      file: this.opts.file,
      loadedAt: this.loadedAt,
      hash: this.current?.hash ?? '',
      usingLastGood: this.usingLastGood,
      problems: [...this.problems],
      problemsAt: this.problemsAt,
    };
  }

  /** Called after each successful reload that changed the content in force; returns an unsubscribe. */
  onChange(listener: (cal: ScheduleCalendar) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private inForce(): InForce {
    if (!this.current) throw new Error('排班尚未加载：请先调用 ScheduleSource.start()');
    return this.current;
  }

  private attempt(file: string): Attempt {
    const read = readScheduleText(file);
    if (!read.ok) return read;
    const loaded = loadScheduleText(read.text, file);
    if (!loaded.ok) return loaded;
    return { ok: true, text: read.text, hash: sha256Hex(read.text), doc: loaded.doc };
  }

  /** Puts a validated text in force; true when its content differs from the one before. */
  private accept(loaded: Loaded, fromLastGood: boolean): boolean {
    const changed = this.current?.hash !== loaded.hash;
    if (changed) this.current = { ...loaded, calendar: buildCalendar(loaded.doc) };
    this.usingLastGood = fromLastGood;
    this.loadedAt = this.now();
    if (fromLastGood) return changed;
    this.problems = [];
    this.problemsAt = null;
    if (changed) {
      const d = loaded.doc;
      this.opts.log(
        `排班：已加载 ${this.opts.file}（${d.slots.length} 个时段、${d.seasons.length} 个季节、` +
          `${Object.keys(d.townships).length} 个乡镇覆盖，sha256 ${loaded.hash.slice(0, 12)}）`,
      );
    }
    if (this.lastGoodHash !== loaded.hash) this.writeLastGood(loaded);
    return changed;
  }

  private refuse(problems: ScheduleProblem[], headline: string): void {
    this.problems = problems;
    this.problemsAt = this.now();
    this.opts.log(`${headline}，共 ${problems.length} 个问题：`);
    for (const p of problems) this.opts.log(`  ${formatProblem(p)}`);
  }

  /** tmp file in the same directory + rename, so a crash never leaves half a copy. */
  private writeLastGood(loaded: Loaded): void {
    const target = this.opts.lastGoodFile;
    const tmp = join(
      dirname(target),
      `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
    );
    try {
      mkdirSync(dirname(target), { recursive: true });
      const fd = openSync(tmp, 'wx', 0o644);
      try {
        writeSync(fd, loaded.text, null, 'utf8');
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, target);
      this.lastGoodHash = loaded.hash;
    } catch (e) {
      try {
        unlinkSync(tmp);
      } catch {
        // nothing was written
      }
      this.opts.log(`排班：写入上次有效的副本 ${target} 失败：${(e as Error).message}`);
    }
  }

  /** Editors replace files by rename, so the directory is watched, not the file. */
  private watch(): void {
    const dir = dirname(this.opts.file);
    const name = basename(this.opts.file);
    try {
      this.watcher = watch(dir, { persistent: true }, (_event, filename) => {
        if (filename === null || filename === name) this.scheduleReload();
      });
      this.watcher.on('error', (e) => this.opts.log(`排班：监视目录 ${dir} 出错：${e.message}`));
    } catch (e) {
      this.opts.log(
        `排班：无法监视目录 ${dir}（修改排班文件后需重启或调用重新加载）：${(e as Error).message}`,
      );
    }
  }

  private scheduleReload(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      try {
        this.reload();
      } catch (e) {
        this.opts.log(`排班：重新加载出错：${(e as Error).message}`);
      }
    }, this.debounceMs);
  }
}

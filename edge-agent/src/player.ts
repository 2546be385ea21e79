import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { realTimers, type Timers } from './runtime.ts';

export interface PlayRequest {
  commandId: string;
  broadcastId: string;
  file: string;
  durationMs: number;
  /** 0-100. */
  volume: number;
  /** Which part of an alert this is (absent for plain plays). */
  part?: 'attention' | 'notice' | 'message';
}

/** Something that makes sound. */
export interface Player {
  /** Resolves when the audio ends or `signal` aborts it; rejects if playback fails. */
  play(req: PlayRequest, signal: AbortSignal): Promise<void>;
  /** null when ready, otherwise why the player cannot work (the terminal reports a fault). */
  check(): string | null;
}

export interface SinkRecord {
  commandId: string;
  broadcastId: string;
  file: string;
  volume: number;
  startedAt: number;
  stoppedAt?: number;
  aborted?: boolean;
  part?: PlayRequest['part'];
}

/** A player without a sound card: it takes the audio's duration in (injectable) real time and records it. */
export class SilentSink implements Player {
  readonly records: SinkRecord[] = [];
  private readonly timers: Timers;
  private readonly now: () => number;
  /** Keep only the most recent records so a long-running simulator does not grow without bound. */
  private readonly keep: number;
  private readonly onStart: ((rec: SinkRecord) => void) | undefined;

  constructor(
    deps: {
      timers?: Timers;
      now?: () => number;
      keep?: number;
      /** Told the instant (by `now`) each item starts, synchronously inside play(). */
      onStart?: (rec: SinkRecord) => void;
    } = {},
  ) {
    this.timers = deps.timers ?? realTimers;
    this.now = deps.now ?? Date.now;
    this.keep = deps.keep ?? 100;
    this.onStart = deps.onStart;
  }

  check(): string | null {
    return null;
  }

  play(req: PlayRequest, signal: AbortSignal): Promise<void> {
    const rec: SinkRecord = {
      commandId: req.commandId,
      broadcastId: req.broadcastId,
      file: req.file,
      volume: req.volume,
      startedAt: this.now(),
      ...(req.part ? { part: req.part } : {}),
    };
    this.records.push(rec);
    if (this.records.length > this.keep) this.records.shift();
    this.onStart?.(rec);
    return new Promise((resolve) => {
      const finish = (aborted: boolean) => {
        this.timers.clearTimeout(handle);
        signal.removeEventListener('abort', onAbort);
        rec.stoppedAt = this.now();
        rec.aborted = aborted;
        resolve();
      };
      const onAbort = () => finish(true);
      const handle = this.timers.setTimeout(() => finish(false), req.durationMs);
      if (signal.aborted) finish(true);
      else signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

export class PlayerError extends Error {}

/** Where `command` would be found, or null. */
export function findExecutable(command: string, pathEnv = process.env.PATH ?? ''): string | null {
  const candidates =
    isAbsolute(command) || command.includes('/')
      ? [command]
      : pathEnv.split(delimiter).map((d) => join(d, command));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // keep looking
    }
  }
  return null;
}

export type SpawnFn = (command: string, args: string[]) => ChildProcess;

/** Plays through an external program (mpg123, ffplay, aplay ...); `{file}` and `{volume}` in args are replaced. */
export class CommandPlayer implements Player {
  private readonly spawnFn: SpawnFn;
  private readonly timers: Timers;
  private readonly killGraceMs: number;

  constructor(
    private readonly command: string,
    private readonly args: readonly string[],
    deps: { spawn?: SpawnFn; timers?: Timers; killGraceMs?: number } = {},
  ) {
    this.spawnFn = deps.spawn ?? ((cmd, a) => spawn(cmd, a, { stdio: ['ignore', 'ignore', 'pipe'] }));
    this.timers = deps.timers ?? realTimers;
    this.killGraceMs = deps.killGraceMs ?? 2000;
  }

  check(): string | null {
    return findExecutable(this.command) ? null : `播放程序不存在: ${this.command}`;
  }

  play(req: PlayRequest, signal: AbortSignal): Promise<void> {
    const args = this.args.map((a) =>
      a.replaceAll('{file}', req.file).replaceAll('{volume}', String(req.volume)),
    );
    return new Promise((resolve, reject) => {
      if (signal.aborted) return resolve();
      let child: ChildProcess;
      try {
        child = this.spawnFn(this.command, args);
      } catch (err) {
        return reject(new PlayerError(`无法启动播放程序: ${(err as Error).message}`));
      }
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => {
        if (stderr.length < 400) stderr += d.toString('utf8');
      });
      let killTimer: unknown = null;
      const onAbort = () => {
        child.kill('SIGTERM');
        killTimer = this.timers.setTimeout(() => child.kill('SIGKILL'), this.killGraceMs);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      let settled = false;
      const settle = (err: Error | null) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        this.timers.clearTimeout(killTimer);
        if (err && !signal.aborted) reject(err);
        else resolve();
      };
      child.once('error', (err) => settle(new PlayerError(`播放程序出错: ${err.message}`)));
      child.once('close', (code, sig) => {
        if (code === 0) settle(null);
        else
          settle(new PlayerError(`播放程序退出 code=${code} signal=${sig} ${stderr.trim().slice(0, 200)}`));
      });
    });
  }
}

import { spawn } from 'node:child_process';
import { parseProgressMs } from '../media/transcode.ts';

export interface FfmpegJobOptions {
  /** Epoch ms at which the child is SIGKILLed (ffmpeg can ignore SIGTERM while blocked on a bad input). */
  deadline: number;
  signal?: AbortSignal | undefined;
  /** Called with how much audio has been written so far, from `-progress pipe:1` (the args must ask for it). */
  onProgressMs?: ((ms: number) => void) | undefined;
  /** Every stderr line as it arrives: for output that may be too long to keep whole (silencedetect). */
  onStderrLine?: ((line: string) => void) | undefined;
  /** Only the tail of stderr is kept; ffmpeg prints its summaries (loudnorm, ebur128) last. */
  maxStderrBytes?: number;
}

export interface FfmpegJobResult {
  code: number | null;
  stderr: string;
  /** The last progress position, ms; null when ffmpeg printed none. */
  outMs: number | null;
  timedOut: boolean;
  aborted: boolean;
}

/** Splits a stream into lines (\n, \r\n or a bare \r), keeping the unfinished tail for the next chunk. */
function lineSplitter(onLine: (line: string) => void) {
  let rest = '';
  return {
    push(chunk: string) {
      const lines = (rest + chunk).split(/\r\n|\n|\r/);
      rest = lines.pop() ?? '';
      for (const l of lines) onLine(l);
    },
    end() {
      if (rest) onLine(rest);
      rest = '';
    },
  };
}

/**
 * Runs ffmpeg (no shell) like media/run-tool.ts does, plus what a long render needs: progress as it happens,
 * stderr line by line, and a kill on an AbortSignal as well as on the deadline. Resolves whatever the exit
 * status; rejects only when the binary cannot start.
 */
export function runFfmpegJob(
  bin: string,
  args: readonly string[],
  o: FfmpegJobOptions,
): Promise<FfmpegJobResult> {
  return new Promise((resolve, reject) => {
    const maxErr = o.maxStderrBytes ?? 256 * 1024;
    let stderr = '';
    let outMs: number | null = null;
    let timedOut = false;
    let aborted = false;
    let settled = false;
    if (o.signal?.aborted) {
      resolve({ code: null, stderr: '', outMs: null, timedOut: false, aborted: true });
      return;
    }
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    let block = '';
    const progress = lineSplitter((line) => {
      block += `${line}\n`;
      if (!line.startsWith('progress=')) return;
      const ms = parseProgressMs(block);
      block = '';
      if (ms === null) return;
      outMs = ms;
      o.onProgressMs?.(ms);
    });
    const errLines = lineSplitter((line) => o.onStderrLine?.(line));
    child.stdout.setEncoding('utf8').on('data', (d: string) => progress.push(d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      errLines.push(d);
      stderr += d;
      if (stderr.length > 2 * maxErr) stderr = stderr.slice(-maxErr);
    });
    const kill = () => child.kill('SIGKILL');
    const timer = setTimeout(
      () => {
        timedOut = true;
        kill();
      },
      Math.max(0, o.deadline - Date.now()),
    );
    const onAbort = () => {
      aborted = true;
      kill();
    };
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
    };
    child.once('error', (e) => {
      if (settled) return;
      settled = true;
      done();
      reject(e);
    });
    child.once('close', (code) => {
      if (settled) return;
      settled = true;
      done();
      progress.end();
      errLines.end();
      resolve({ code, stderr: stderr.slice(-maxErr), outMs, timedOut, aborted });
    });
  });
}

import { spawn } from 'node:child_process';

export interface RunToolOptions {
  /** The child is SIGKILLed when this elapses (ffmpeg can ignore SIGTERM while blocked on a bad input). */
  timeoutMs: number;
  /** Only the last bytes of each stream are kept, so a chatty tool cannot exhaust memory. */
  maxStdoutBytes?: number;
  maxStderrBytes?: number;
}

export interface ToolResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** True when output was dropped because it exceeded its limit. */
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
}

/** Keeps the tail: ffmpeg prints its summaries (loudnorm JSON, final progress) last. */
class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  truncated = false;

  constructor(private readonly max: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size - (this.chunks[0]?.length ?? 0) >= this.max && this.chunks.length > 1) {
      this.size -= this.chunks.shift()!.length;
      this.truncated = true;
    }
  }

  text(): string {
    const all = Buffer.concat(this.chunks);
    if (all.length > this.max) this.truncated = true;
    return all.subarray(Math.max(0, all.length - this.max)).toString('utf8');
  }
}

/**
 * Runs a binary with arguments (no shell), a time limit and bounded output capture. Resolves with the exit
 * status whatever it is, including after a timeout (`timedOut`); rejects only when the binary cannot start.
 */
export function runTool(bin: string, args: readonly string[], opts: RunToolOptions): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    const out = new TailBuffer(opts.maxStdoutBytes ?? 1024 * 1024);
    const err = new TailBuffer(opts.maxStderrBytes ?? 64 * 1024);
    let timedOut = false;
    let settled = false;
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    child.once('error', (e) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code, signal) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const stdout = out.text();
      const stderr = err.text();
      resolve({
        code,
        signal,
        stdout,
        stderr,
        timedOut,
        stdoutTruncated: out.truncated,
        stderrTruncated: err.truncated,
      });
    });
  });
}

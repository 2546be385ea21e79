import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { isAppError } from '../errors.ts';
import { WORKER_SOURCE } from './espeak-worker-source.ts';
import { checkOptions, cleanText, type SpeechRequest, ttsErrors } from './speech-text.ts';
import { readWav } from './wav-info.ts';

export type { SpeechRequest, SpeechVoice } from './speech-text.ts';
export { MAX_SPEECH_CHARS, SPEECH_VOICES } from './speech-text.ts';

export interface SynthesiseOptions {
  /** For the whole call, waiting in the queue included. Default 60 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface SpeechResult {
  /** 16-bit mono PCM WAV, 22 050 Hz. */
  wav: Buffer;
  durationMs: number;
  engine: 'espeak-ng';
  /** What was changed in the text before speaking it (stripped characters), in Chinese; usually empty. */
  notes: string[];
}

export interface OfflineSpeechEngineOptions {
  defaultTimeoutMs?: number;
  /** The worker (and its compiled WASM, ~100 MB of RSS) is let go after this long without work. Default 60 s. */
  idleMs?: number;
}

/**
 * The worker's own JS heap stays small (audio lives in ArrayBuffers, outside it): a tight limit makes V8 collect
 * each finished instance early, and a leak there kills the worker (the job fails, the next call gets a new one)
 * rather than the server.
 */
const WORKER_LIMITS = { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 8 };

/** Below this peak (about -50 dBFS) the output is silence: espeak found nothing it could say. */
const SILENCE_PEAK = 0.003;

interface Job {
  id: number;
  args: string[];
  text: string;
  resolve: (wav: Uint8Array) => void;
  reject: (e: Error) => void;
}

interface WorkerReply {
  id: number;
  ok: boolean;
  wav?: Uint8Array;
  error?: string;
  status?: number;
  stderr?: string[];
}

function espeakFiles(): { moduleUrl: string; wasmPath: string } {
  const js = createRequire(import.meta.url).resolve('espeak-ng');
  return { moduleUrl: pathToFileURL(js).href, wasmPath: path.join(path.dirname(js), 'espeak-ng.wasm') };
}

/**
 * espeak-ng (WASM build) for Mandarin and Cantonese, fully offline.
 *
 * Isolation: the engine runs in one worker thread, one job at a time (calls queue in order). Each job gets a
 * fresh WASM instance, so no state or memory carries from one call to the next. A timeout or abort of a
 * running job terminates the worker, which stops even a WASM loop that never returns (measured: ~20 ms); the
 * next call starts a new worker (about 1 s: load and compile the 18 MB WASM, then warm up).
 */
export class OfflineSpeechEngine {
  private worker: Worker | null = null;
  private running: Job | null = null;
  private readonly queue: Job[] = [];
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly files = espeakFiles();

  constructor(private readonly options: OfflineSpeechEngineOptions = {}) {}

  async synthesise(req: SpeechRequest, opts: SynthesiseOptions = {}): Promise<SpeechResult> {
    if (this.closed) throw ttsErrors.closed();
    const { voice, rate, pitch } = checkOptions(req);
    const { text, notes } = cleanText(req.text);
    if (opts.signal?.aborted) throw ttsErrors.aborted();
    const args = ['-v', voice, '-s', String(rate), '-p', String(pitch), '-b', '1', '-w', '/out.wav'];
    const timeoutMs = opts.timeoutMs ?? this.options.defaultTimeoutMs ?? 60_000;
    // The text goes in a file, never on the command line, so text starting with "-" cannot act as an option.
    const raw = await this.submit([...args, '-f', '/in.txt'], text, timeoutMs, opts.signal);
    let info: ReturnType<typeof readWav>;
    try {
      info = readWav(raw);
    } catch (e) {
      throw ttsErrors.engineFailed((e as Error).message);
    }
    if (info.peak < SILENCE_PEAK) throw ttsErrors.unspeakable();
    return {
      wav: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength),
      durationMs: info.durationMs,
      engine: 'espeak-ng',
      notes,
    };
  }

  /** Jobs waiting plus the one running, and whether a worker thread exists (for tests and health checks). */
  stats(): { queued: number; running: boolean; workerAlive: boolean } {
    return { queued: this.queue.length, running: this.running !== null, workerAlive: this.worker !== null };
  }

  /** Refuses new calls, fails waiting and running ones, and stops the worker. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(ttsErrors.closed());
    this.running?.reject(ttsErrors.closed());
    this.running = null;
    await this.stopWorker();
  }

  private submit(args: string[], text: string, timeoutMs: number, signal?: AbortSignal): Promise<Uint8Array> {
    return new Promise<Uint8Array>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const job: Job = {
        id: this.nextId++,
        args,
        text,
        resolve: (wav) => {
          settle();
          resolve(wav);
        },
        reject: (e) => {
          settle();
          reject(e);
        },
      };
      const onAbort = () => this.cancel(job, ttsErrors.aborted());
      function settle() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      }
      timer = setTimeout(() => this.cancel(job, ttsErrors.timeout(timeoutMs)), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(job);
      this.pump();
    });
  }

  /** Drops a queued job, or stops the worker under a running one (the only way to stop WASM mid-run). */
  private cancel(job: Job, error: Error): void {
    const i = this.queue.indexOf(job);
    if (i >= 0) {
      this.queue.splice(i, 1);
      job.reject(error);
      return;
    }
    if (this.running !== job) return;
    this.running = null;
    job.reject(error);
    void this.stopWorker();
    this.pump();
  }

  private pump(): void {
    if (this.running || this.closed) return;
    const job = this.queue.shift();
    if (!job) {
      this.armIdle();
      return;
    }
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    this.running = job;
    const w = this.ensureWorker();
    w.ref();
    w.postMessage({ id: job.id, args: job.args, text: job.text });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: this.files,
      resourceLimits: WORKER_LIMITS,
    });
    this.worker = w;
    w.on('message', (m: WorkerReply) => this.onReply(w, m));
    w.on('error', (e) => this.onWorkerGone(w, `worker error: ${e.message}`));
    w.on('exit', (code) => this.onWorkerGone(w, `worker exited with code ${code}`));
    return w;
  }

  private onReply(w: Worker, m: WorkerReply): void {
    const job = this.running;
    if (w !== this.worker || !job || job.id !== m.id) return;
    this.running = null;
    w.unref();
    if (m.ok && m.wav) job.resolve(m.wav);
    else job.reject(ttsErrors.engineFailed(`${m.error ?? 'no output'} ${(m.stderr ?? []).join(' | ')}`));
    this.pump();
  }

  private onWorkerGone(w: Worker, reason: string): void {
    if (w !== this.worker) return;
    this.worker = null;
    const job = this.running;
    this.running = null;
    job?.reject(ttsErrors.engineFailed(reason));
    this.pump();
  }

  private armIdle(): void {
    if (!this.worker || this.idleTimer) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (!this.running && this.queue.length === 0) void this.stopWorker();
    }, this.options.idleMs ?? 60_000);
    this.idleTimer.unref();
  }

  private async stopWorker(): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}

/** True when `e` is one of the engine's refusals of the request itself (not an engine fault). */
export const isSpeechInputError = (e: unknown): boolean =>
  isAppError(e) &&
  [
    'tts_empty_text',
    'tts_text_too_long',
    'tts_unspeakable',
    'tts_unknown_voice',
    'tts_bad_rate',
    'tts_bad_pitch',
  ].includes(e.code);

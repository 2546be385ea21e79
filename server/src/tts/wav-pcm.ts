import { endianness } from 'node:os';
import { readWav } from './wav-info.ts';

/** WAV is little-endian: on such a machine samples are copied as bytes, otherwise one by one. */
const LE = endianness() === 'LE';

/** Mono 16-bit PCM samples and their rate: what pieces of speech are joined as. */
export interface Pcm {
  sampleRate: number;
  samples: Int16Array;
}

/** The samples of a 16-bit mono PCM WAV (copied out, so the result owns aligned memory). */
export function pcmOf(wav: Buffer): Pcm {
  const info = readWav(wav);
  if (info.channels !== 1) throw new Error(`expected mono speech, got ${info.channels} channels`);
  const count = Math.floor(info.dataBytes / 2);
  const samples = new Int16Array(count);
  if (LE) Buffer.from(samples.buffer).set(wav.subarray(info.dataOffset, info.dataOffset + count * 2));
  else for (let i = 0; i < count; i++) samples[i] = wav.readInt16LE(info.dataOffset + i * 2);
  return { sampleRate: info.sampleRate, samples };
}

/** Linear-interpolation resampling; good enough for speech joined from engines of different rates. */
export function resample(pcm: Pcm, sampleRate: number): Pcm {
  if (pcm.sampleRate === sampleRate || pcm.samples.length === 0) return { sampleRate, samples: pcm.samples };
  const ratio = pcm.sampleRate / sampleRate;
  const count = Math.max(1, Math.round(pcm.samples.length / ratio));
  const out = new Int16Array(count);
  const last = pcm.samples.length - 1;
  for (let i = 0; i < count; i++) {
    const pos = i * ratio;
    const at = Math.min(Math.floor(pos), last);
    const next = Math.min(at + 1, last);
    const frac = pos - at;
    out[i] = Math.round(pcm.samples[at]! * (1 - frac) + pcm.samples[next]! * frac);
  }
  return { sampleRate, samples: out };
}

/**
 * Joins pieces in order with `pauseMs` of silence between them, at the first piece's sample rate (others are
 * resampled to it), straight into one WAV file (no intermediate copy of the whole recording).
 */
export function joinToWav(pieces: ReadonlyArray<Pcm>, pauseMs: number): { wav: Buffer; durationMs: number } {
  const first = pieces[0];
  if (!first) throw new Error('nothing to join');
  const rate = first.sampleRate;
  const same = pieces.map((p) => resample(p, rate));
  const gap = Math.round((rate * pauseMs) / 1000);
  const total = same.reduce((n, p) => n + p.samples.length, 0) + gap * (same.length - 1);
  const wav = wavHeader(rate, total);
  let at = 44;
  same.forEach((p, i) => {
    if (i > 0) at += gap * 2; // Buffer.alloc is zero-filled: the gap is silence already
    writeSamples(wav, at, p.samples);
    at += p.samples.length * 2;
  });
  return { wav, durationMs: Math.round((total / rate) * 1000) };
}

export const pcmDurationMs = (pcm: Pcm): number => Math.round((pcm.samples.length / pcm.sampleRate) * 1000);

function writeSamples(b: Buffer, at: number, samples: Int16Array): void {
  if (LE) Buffer.from(samples.buffer, samples.byteOffset, samples.length * 2).copy(b, at);
  else for (let i = 0; i < samples.length; i++) b.writeInt16LE(samples[i]!, at + i * 2);
}

/** A zero-filled canonical WAV of `count` mono 16-bit samples: the 44-byte header written, the data silent. */
function wavHeader(sampleRate: number, count: number): Buffer {
  const dataBytes = count * 2;
  const b = Buffer.alloc(44 + dataBytes);
  b.write('RIFF', 0, 'ascii');
  b.writeUInt32LE(36 + dataBytes, 4);
  b.write('WAVE', 8, 'ascii');
  b.write('fmt ', 12, 'ascii');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20); // PCM
  b.writeUInt16LE(1, 22); // mono
  b.writeUInt32LE(sampleRate, 24);
  b.writeUInt32LE(sampleRate * 2, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36, 'ascii');
  b.writeUInt32LE(dataBytes, 40);
  return b;
}

/** A canonical 44-byte-header RIFF/WAVE file of the samples. */
export function toWav(pcm: Pcm): Buffer {
  const b = wavHeader(pcm.sampleRate, pcm.samples.length);
  writeSamples(b, 44, pcm.samples);
  return b;
}

import type { LoudnessMeasurement } from '../media/loudnorm.ts';
import { SAMPLE_RATE } from './analyse-input.ts';

/**
 * The second pass of the two-pass normalisation: one gain, from what the first pass measured (loudnorm's
 * linear mode, as a plain `volume`), plus a true-peak limiter only where that gain would break the limit.
 *
 * loudnorm's own fallback (its dynamic mode) is not used: with ffmpeg 4.1 it left speech-like material up to
 * 0.9 LU short of the target and, after MP3 encoding, 1.6 dB over its peak limit. A look-ahead limiter run at
 * 192 kHz (where sample peaks are the true peaks ebur128 measures) changes nothing but the peaks, and the
 * loudness it takes off is given back by the next pass, which measures again.
 */

/** alimiter is not a brick wall: it lets dense material through a few tenths of a dB over its limit. */
export const LIMITER_LEAK_DB = 0.5;
const OVERSAMPLED_RATE = 192_000;
const MAX_GAIN_DB = 60;

const dbToLinear = (db: number) => 10 ** (db / 20);
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** The gain, dB, that brings what was measured to `integrated`; by peak for a clip too short to gate. */
export function gainDb(m: LoudnessMeasurement, integrated: number, peakDb: number): number {
  const g = Number.isFinite(m.inputI) ? integrated - m.inputI : peakDb - m.inputTp;
  return clamp(g, -MAX_GAIN_DB, MAX_GAIN_DB);
}

/** True when the gain alone keeps the measured true peak at or under `peakDb`. */
export function linearFits(m: LoudnessMeasurement, integrated: number, peakDb: number): boolean {
  return m.inputTp + gainDb(m, integrated, peakDb) <= peakDb;
}

/** The filter chain (ending at the working rate) that applies the gain and, if needed, the limiter. */
export function gainFilter(m: LoudnessMeasurement, integrated: number, peakDb: number): string {
  const volume = `volume=${gainDb(m, integrated, peakDb).toFixed(2)}dB`;
  if (linearFits(m, integrated, peakDb)) return volume;
  const limit = clamp(dbToLinear(peakDb - LIMITER_LEAK_DB), 0.0625, 1).toFixed(4);
  return (
    `${volume},aresample=${OVERSAMPLED_RATE},` +
    `alimiter=limit=${limit}:attack=5:release=50:level=disabled,aresample=${SAMPLE_RATE}`
  );
}

import { describe, expect, it } from 'vitest';
import type { LoudnessMeasurement } from '../media/loudnorm.ts';
import { silenceTracker } from './analyse-input.ts';
import { assembledSamples, assembleGraph, type Piece } from './assemble.ts';
import { correction, meetsTarget } from './broadcast-render.ts';
import { gainDb, gainFilter, linearFits } from './gain.ts';
import { progressReporter } from './render-progress.ts';

const m = (inputI: number, inputTp: number): LoudnessMeasurement => ({
  inputI,
  inputTp,
  inputLra: 3,
  inputThresh: inputI - 10,
  targetOffset: 0,
});
const target = { integrated: -16, truePeak: -1.5, range: 11 };

describe('silenceTracker', () => {
  const track = (lines: string[]) => {
    const t = silenceTracker();
    for (const l of lines) t.line(`[silencedetect @ 0x1] ${l}`);
    return t;
  };

  it('keeps what lies between leading and trailing silence, not the pauses inside', () => {
    const t = track([
      'silence_start: 0',
      'silence_end: 1.00002 | silence_duration: 1.00002',
      'silence_start: 3.2',
      'silence_end: 3.6 | silence_duration: 0.4',
      'silence_start: 6',
      'silence_end: 7.5 | silence_duration: 1.5',
    ]);
    expect(t.keep(7.5 * 44_100, 44_100)).toEqual({ start: 44_101, end: 6 * 44_100 });
  });

  it('reads a trailing stretch left open at EOF (older ffmpeg), and keeps all when there is none', () => {
    expect(track(['silence_start: 4']).keep(5 * 44_100, 44_100)).toEqual({ start: 0, end: 4 * 44_100 });
    expect(track(['silence_start: 1', 'silence_end: 2']).keep(5 * 44_100, 44_100)).toEqual({
      start: 0,
      end: 5 * 44_100,
    });
  });
});

describe('gain stage', () => {
  it('is one gain where that fits under the peak limit', () => {
    expect(gainDb(m(-20, -8), -16, -2.5)).toBe(4);
    expect(linearFits(m(-20, -8), -16, -2.5)).toBe(true);
    expect(gainFilter(m(-20, -8), -16, -2.5)).toBe('volume=4.00dB');
  });

  it('adds an oversampled look-ahead limiter under the limit where the gain alone would break it', () => {
    const f = gainFilter(m(-35, -15), -16, -2.5);
    expect(f).toMatch(
      /^volume=19\.00dB,aresample=192000,alimiter=limit=0\.7079:.*level=disabled,aresample=44100$/,
    );
  });

  it('brings a clip too short to gate to the peak limit', () => {
    expect(gainDb(m(Number.NEGATIVE_INFINITY, -12), -16, -2.5)).toBe(9.5);
  });
});

describe('correction and target', () => {
  it('lowers the limit by the overshoot plus a margin, and shifts the aim only by a miss over 0.5 LU', () => {
    const peakOnly = correction(
      { integrated: -16, peakDb: -2.5 },
      { integrated: -16.4, truePeak: -1.1, lra: 1 },
      target,
    );
    expect(peakOnly.integrated).toBe(-16);
    expect(peakOnly.peakDb).toBeCloseTo(-2.5 - 0.4 - 0.5, 5);
    const both = correction(
      { integrated: -16, peakDb: -2.5 },
      { integrated: -16.8, truePeak: -1.3, lra: 1 },
      target,
    );
    expect(both.integrated).toBeCloseTo(-15.2, 5);
    expect(both.peakDb).toBeCloseTo(-2.5 - 0.2 - 0.5, 5);
    const loudOnly = correction(
      { integrated: -16, peakDb: -2.5 },
      { integrated: -17.3, truePeak: -3, lra: 1 },
      target,
    );
    expect(loudOnly).toEqual({ integrated: -14.7, peakDb: -2.5 });
  });

  it('is met within ±1 LU and at or under the true-peak limit', () => {
    expect(meetsTarget({ integrated: -16.9, truePeak: -1.5, lra: 3 }, target)).toBe(true);
    expect(meetsTarget({ integrated: -17.1, truePeak: -3, lra: 3 }, target)).toBe(false);
    expect(meetsTarget({ integrated: -16, truePeak: -1.4, lra: 3 }, target)).toBe(false);
  });
});

describe('assembleGraph', () => {
  const input = (keepStart: number, keepEnd: number, totalSamples: number) => ({
    wav: 'x.wav',
    durationMs: (totalSamples / 44_100) * 1000,
    keepStart,
    keepEnd,
    totalSamples,
    measurement: m(-20, -8),
  });

  it('cuts only what is trimmed, pads with exact silence, and concatenates in order', () => {
    const pieces: Piece[] = [
      { kind: 'audio', input: input(0, 1000, 1000) },
      { kind: 'gap', ms: 800 },
      { kind: 'audio', input: input(500, 2000, 3000) },
    ];
    const g = assembleGraph(pieces, { integrated: -16, truePeak: -3.5, range: 11 });
    expect(g).toContain('[0:a:0]volume=4.00dB,');
    expect(g).toContain('atrim=end_sample=35280');
    expect(g).toContain('[1:a:0]atrim=start_sample=500:end_sample=2000,asetpts=PTS-STARTPTS,volume=4.00dB');
    expect(g).toMatch(/\[p0\]\[p1\]\[p2\]concat=n=3:v=0:a=1$/);
    expect(assembledSamples(pieces)).toBe(1000 + 35_280 + 1500);
  });
});

describe('progressReporter', () => {
  it('weights stages, never goes back, and reaches 1 only when done', () => {
    const seen: number[] = [];
    const p = progressReporter((f) => seen.push(f), [1, 3]);
    const a = p.stage(0, 1000);
    a(500);
    a(2000);
    const b = p.stage(1, 1000);
    b(500);
    b(100);
    b(1000);
    p.done();
    expect(seen).toEqual([0, 0.125, 0.25, 0.625, 0.999, 1]);
  });
});

import { describe, expect, it } from 'vitest';
import { readWav } from './wav-info.ts';
import { joinToWav, type Pcm, pcmDurationMs, pcmOf, resample, toWav } from './wav-pcm.ts';

const ramp = (n: number, rate: number): Pcm => ({
  sampleRate: rate,
  samples: Int16Array.from({ length: n }, (_, i) => (i % 200) * 100 - 10_000),
});

describe('wav-pcm', () => {
  it('writes a WAV that reads back the same', () => {
    const pcm = ramp(22_050, 22_050);
    const wav = toWav(pcm);
    expect(readWav(wav)).toMatchObject({
      sampleRate: 22_050,
      channels: 1,
      dataBytes: 44_100,
      durationMs: 1000,
    });
    expect(pcmOf(wav).samples).toEqual(pcm.samples);
  });

  it('joins pieces with silence between them, resampling to the first rate', () => {
    const { wav, durationMs } = joinToWav([ramp(24_000, 24_000), ramp(16_000, 16_000)], 500);
    expect(durationMs).toBe(2500);
    const joined = pcmOf(wav);
    expect(joined.sampleRate).toBe(24_000);
    expect(pcmDurationMs(joined)).toBe(2500);
    expect(Array.from(joined.samples.subarray(0, 24_000))).toEqual(Array.from(ramp(24_000, 24_000).samples));
    expect(joined.samples.subarray(24_000, 36_000).every((s) => s === 0)).toBe(true);
    expect(joined.samples.subarray(36_000).some((s) => s !== 0)).toBe(true);
  });

  it('resamples by interpolation, keeping the signal', () => {
    const r = resample({ sampleRate: 2, samples: Int16Array.from([0, 100, 200, 300]) }, 4);
    expect(Array.from(r.samples)).toEqual([0, 50, 100, 150, 200, 250, 300, 300]);
  });

  it('refuses stereo', () => {
    const wav = toWav(ramp(10, 8000));
    wav.writeUInt16LE(2, 22);
    expect(() => pcmOf(wav)).toThrow('mono');
  });
});

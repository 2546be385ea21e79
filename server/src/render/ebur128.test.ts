import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpeg, sine, tempDirs, testTools } from '../media/test-support.ts';
import { measureEbur128, parseEbur128Summary } from './ebur128.ts';

const tools = testTools();
const dirs = tempDirs('dlb-render-');
let dir = '';
const at = (n: string) => path.join(dir, n);

beforeAll(async () => {
  dir = await dirs.make();
  await Promise.all([
    // A full-scale-relative 1/8 sine: -18.06 dBFS peak; 440 Hz at that level is about -21.7 LUFS (mono).
    ffmpeg(tools, [...sine(4), '-ar', '44100'], at('tone.wav')),
    ffmpeg(tools, [...sine(4), '-af', 'volume=-20dB', '-ac', '2', '-c:a', 'libmp3lame'], at('quiet.mp3')),
    ffmpeg(tools, ['-f', 'lavfi', '-i', 'anullsrc=r=44100:cl=mono', '-t', '2'], at('silent.wav')),
  ]);
  await writeFile(at('text.wav'), 'not audio at all\n');
});
afterAll(() => dirs.cleanup());

const summary = `[Parsed_ebur128_0 @ 0x1] Summary:

  Integrated loudness:
    I:         -16.2 LUFS
    Threshold: -26.4 LUFS

  Loudness range:
    LRA:         3.7 LU
    Threshold:  -36.5 LUFS
    LRA low:    -18.1 LUFS
    LRA high:   -14.4 LUFS

  True peak:
    Peak:       -1.7 dBFS
`;

describe('parseEbur128Summary', () => {
  it('reads integrated loudness, true peak and LRA from the last summary', () => {
    expect(parseEbur128Summary(`t: 0.1 M: -20\n${summary}`)).toEqual({
      integrated: -16.2,
      truePeak: -1.7,
      lra: 3.7,
    });
  });

  it('reads silence (-inf peak) and refuses a cut or missing summary', () => {
    const silent = summary.replace('-16.2 LUFS', '-70.0 LUFS').replace('-1.7 dBFS', '-inf dBFS');
    expect(parseEbur128Summary(silent)).toEqual({
      integrated: -70,
      truePeak: Number.NEGATIVE_INFINITY,
      lra: 3.7,
    });
    expect(parseEbur128Summary(summary.slice(0, 120))).toBeNull();
    expect(parseEbur128Summary('no summary')).toBeNull();
  });
});

describe('measureEbur128 (real ffmpeg)', () => {
  it('measures a sine tone: loudness, true peak and length', async () => {
    const m = await measureEbur128(at('tone.wav'), tools);
    expect(m.integrated).toBeCloseTo(-21.7, 0);
    expect(m.truePeak).toBeCloseTo(-18.1, 0);
    expect(m.lra).toBeLessThan(0.5);
    expect(m.durationMs).toBe(4000);
  });

  it('measures stereo MP3 as the mono that terminals play, 20 dB quieter', async () => {
    const m = await measureEbur128(at('quiet.mp3'), tools);
    // MP3 coding and its padding move the figures by a few tenths.
    expect(Math.abs(m.integrated - -41.7)).toBeLessThanOrEqual(1);
    expect(Math.abs(m.truePeak - -38.1)).toBeLessThanOrEqual(1);
  });

  it('reports digital silence as -70 LUFS and -inf true peak', async () => {
    const m = await measureEbur128(at('silent.wav'), tools);
    expect(m.integrated).toBe(-70);
    expect(m.truePeak).toBe(Number.NEGATIVE_INFINITY);
  });

  it('refuses what is not audio', async () => {
    await expect(measureEbur128(at('text.wav'), tools)).rejects.toMatchObject({ code: 'corrupt_audio' });
  });
});

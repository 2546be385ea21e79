import { describe, expect, it } from 'vitest';
import { applyFilter, isSilent, LOUDNESS, measureFilter, parseMeasurement } from './loudnorm.ts';
import { parseProgressMs } from './transcode.ts';

const stderr = (json: string) =>
  `Input #0, wav, from 'x':\nsize=N/A time=00:00:03.00\n[Parsed_loudnorm_1 @ 0x55] \n${json}\n`;

const measured = `{
\t"input_i" : "-21.75",
\t"input_tp" : "-18.06",
\t"input_lra" : "0.00",
\t"input_thresh" : "-31.75",
\t"output_i" : "-16.05",
\t"output_tp" : "-12.32",
\t"output_lra" : "0.00",
\t"output_thresh" : "-26.05",
\t"normalization_type" : "dynamic",
\t"target_offset" : "-0.05"
}`;

describe('loudnorm measurement', () => {
  it('is read from the end of ffmpeg stderr', () => {
    expect(parseMeasurement(stderr(measured))).toEqual({
      inputI: -21.75,
      inputTp: -18.06,
      inputLra: 0,
      inputThresh: -31.75,
      targetOffset: -0.05,
    });
  });

  it('reads -inf (silence) and refuses garbage', () => {
    const silent = measured
      .replace('"-21.75"', '"-inf"')
      .replace('"-18.06"', '"-inf"')
      .replace('"-0.05"', '"inf"');
    const m = parseMeasurement(stderr(silent));
    expect(m?.inputI).toBe(Number.NEGATIVE_INFINITY);
    expect(m && isSilent(m)).toBe(true);
    expect(parseMeasurement('no json here')).toBeNull();
    expect(parseMeasurement(stderr('{ "input_i": "x" }'))).toBeNull();
    expect(parseMeasurement('[Parsed_loudnorm_0 @ 1] {broken')).toBeNull();
  });

  it('targets -16 LUFS / -1.5 dBTP / LRA 11', () => {
    expect(measureFilter(LOUDNESS)).toBe('loudnorm=I=-16:TP=-1.5:LRA=11:print_format=json');
  });

  it('applies linearly with the measured values, nudging a zero LRA so ffmpeg accepts linear mode', () => {
    const m = parseMeasurement(stderr(measured))!;
    expect(isSilent(m)).toBe(false);
    expect(applyFilter(LOUDNESS, m)).toBe(
      'loudnorm=I=-16:TP=-1.5:LRA=11:measured_I=-21.75:measured_TP=-18.06:measured_LRA=0.10:measured_thresh=-31.75:offset=-0.05:linear=true',
    );
  });

  it('falls back to one-pass dynamic mode for a clip too short to gate', () => {
    const m = {
      inputI: Number.NEGATIVE_INFINITY,
      inputTp: -20,
      inputLra: 0,
      inputThresh: -70,
      targetOffset: Infinity,
    };
    expect(isSilent(m)).toBe(false);
    expect(applyFilter(LOUDNESS, m)).toBe('loudnorm=I=-16:TP=-1.5:LRA=11');
  });
});

describe('ffmpeg -progress', () => {
  it('gives the decoded duration from the last block', () => {
    const block = (us: number, end: string) =>
      `out_time_us=${us}\nout_time_ms=${us}\nout_time=00:00:0${us / 1e6}.000000\nprogress=${end}\n`;
    expect(parseProgressMs(block(1_000_000, 'continue') + block(3_000_000, 'end'))).toBe(3000);
    expect(parseProgressMs('out_time=01:02:03.500000\nprogress=end\n')).toBe(3_723_500);
    expect(parseProgressMs('')).toBeNull();
  });
});

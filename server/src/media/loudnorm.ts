/** EBU R128 targets for outdoor horn speakers. */
export interface LoudnessTarget {
  /** Integrated loudness, LUFS. */
  integrated: number;
  /** Maximum true peak, dBTP. */
  truePeak: number;
  /** Loudness range, LU. */
  range: number;
}

export const LOUDNESS: LoudnessTarget = { integrated: -16, truePeak: -1.5, range: 11 };

/** What the first loudnorm pass measured; -Infinity where the input was silent or too short to gate. */
export interface LoudnessMeasurement {
  inputI: number;
  inputTp: number;
  inputLra: number;
  inputThresh: number;
  targetOffset: number;
}

const target = (t: LoudnessTarget) => `I=${t.integrated}:TP=${t.truePeak}:LRA=${t.range}`;

export function measureFilter(t: LoudnessTarget): string {
  return `loudnorm=${target(t)}:print_format=json`;
}

/** ffmpeg prints ±inf as "inf"/"-inf", which Number() does not read. */
function num(v: unknown): number {
  if (v === 'inf' || v === '+inf') return Number.POSITIVE_INFINITY;
  if (v === '-inf') return Number.NEGATIVE_INFINITY;
  return typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
}

/** Pulls the JSON block loudnorm prints when its filter graph closes out of ffmpeg's stderr. */
export function parseMeasurement(stderr: string): LoudnessMeasurement | null {
  const at = stderr.lastIndexOf('[Parsed_loudnorm');
  if (at < 0) return null;
  const open = stderr.indexOf('{', at);
  const close = stderr.indexOf('}', open);
  if (open < 0 || close < 0) return null;
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(stderr.slice(open, close + 1)) as Record<string, unknown>;
  } catch {
    return null;
  }
  const m = {
    inputI: num(raw.input_i),
    inputTp: num(raw.input_tp),
    inputLra: num(raw.input_lra),
    inputThresh: num(raw.input_thresh),
    targetOffset: num(raw.target_offset),
  };
  return Object.values(m).some(Number.isNaN) ? null : m;
}

/** Below this there is nothing to hear (loudnorm reports digital silence as -inf). */
const SILENT_TP = -90;

export const isSilent = (m: LoudnessMeasurement) => !(m.inputTp > SILENT_TP);

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const fmt = (v: number) => v.toFixed(2);

/**
 * Second pass. With usable measurements loudnorm runs in linear mode: one gain for the whole file, which keeps
 * speech dynamics intact. It falls back to its dynamic mode by itself when one gain would break the peak limit.
 * A clip shorter than one 400 ms gating block has no integrated loudness; it gets one-pass dynamic mode.
 */
export function applyFilter(t: LoudnessTarget, m: LoudnessMeasurement): string {
  const usable = [m.inputI, m.inputTp, m.inputLra, m.inputThresh, m.targetOffset].every(Number.isFinite);
  if (!usable) return `loudnorm=${target(t)}`;
  // ffmpeg 4.x silently refuses linear mode when measured_LRA is exactly 0 (a steady tone): give it a hair.
  const lra = Math.max(m.inputLra, 0.1);
  return (
    `loudnorm=${target(t)}` +
    `:measured_I=${fmt(clamp(m.inputI, -99, 0))}:measured_TP=${fmt(clamp(m.inputTp, -99, 99))}` +
    `:measured_LRA=${fmt(clamp(lra, 0, 99))}:measured_thresh=${fmt(clamp(m.inputThresh, -99, 0))}` +
    `:offset=${fmt(clamp(m.targetOffset, -99, 99))}:linear=true`
  );
}

/**
 * Turns the ffmpeg passes of one render into a single 0..1 figure for operators. Each stage has a share of
 * the whole (roughly its share of the work) and reports how much audio it has processed of how much it
 * expects; the figure only ever goes up, and reaches 1 only through `done()`.
 */
export function progressReporter(onProgress: ((fraction: number) => void) | undefined, shares: number[]) {
  const sum = shares.reduce((a, b) => a + b, 0) || 1;
  let last = 0;
  const emit = (v: number) => {
    const f = Math.min(0.999, Math.max(last, v));
    if (f <= last && last !== 0) return;
    last = f;
    onProgress?.(f);
  };
  return {
    /** A callback for stage `i`'s progress in ms of `expectedMs`. */
    stage(i: number, expectedMs: number): (ms: number) => void {
      const before = shares.slice(0, i).reduce((a, b) => a + b, 0) / sum;
      const share = (shares[i] ?? 0) / sum;
      emit(before);
      return (ms) => emit(before + share * Math.min(1, expectedMs > 0 ? ms / expectedMs : 0));
    },
    done() {
      last = 1;
      onProgress?.(1);
    },
  };
}

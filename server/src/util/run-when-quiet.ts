export interface RunWhenQuietOptions {
  /** Never before this. */
  minMs: number;
  /** Always by this, busy or not. */
  maxMs: number;
  /** How often to look again while busy. */
  stepMs: number;
  busy: () => boolean;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

/**
 * Runs `fn` once `minMs` have passed and `busy()` says no (asked every `stepMs`), or at `maxMs` regardless.
 * Returns a function that cancels it.
 */
export function runWhenQuiet(fn: () => void, o: RunWhenQuietOptions): () => void {
  const setTimer = o.setTimer ?? ((f, ms) => setTimeout(f, ms));
  const clearTimer = o.clearTimer ?? ((h) => clearTimeout(h as NodeJS.Timeout));
  let waited = 0;
  let handle: unknown = null;
  const wait = (ms: number) => {
    handle = setTimer(() => {
      waited += ms;
      if (waited < o.maxMs && o.busy()) wait(Math.min(o.stepMs, o.maxMs - waited));
      else {
        handle = null;
        fn();
      }
    }, ms);
  };
  wait(Math.min(o.minMs, o.maxMs));
  return () => {
    if (handle !== null) clearTimer(handle);
    handle = null;
  };
}

import { type DependencyList, useCallback, useEffect, useRef, useState } from 'react';
import { messageOf } from '../api/client.ts';

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
  reload: () => Promise<void>;
  set: (update: (d: T | null) => T | null) => void;
}

/** Loads data when shown and when `deps` change; keeps the last data while reloading. */
export function useLoad<T>(load: () => Promise<T>, deps: DependencyList): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const gen = useRef(0);
  const loader = useRef(load);
  loader.current = load;
  // The caller lists what the loader depends on (primitives): a change of any reloads.
  const key = JSON.stringify(deps);
  const run = useCallback(async () => {
    const mine = ++gen.current;
    setLoading(true);
    try {
      const d = await loader.current();
      if (mine === gen.current) {
        setData(d);
        setError(null);
      }
    } catch (e) {
      if (mine === gen.current) setError(messageOf(e));
    } finally {
      if (mine === gen.current) setLoading(false);
    }
  }, []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for the caller's dependencies
  useEffect(() => {
    void run();
  }, [run, key]);
  return { data, error, loading, reload: run, set: setData };
}

/** Runs an action, tracking busy and error state (for buttons). */
export function useAction<A extends unknown[], R>(
  fn: (...args: A) => Promise<R>,
): { run: (...args: A) => Promise<R | undefined>; busy: boolean; error: string | null; clear: () => void } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ref = useRef(fn);
  ref.current = fn;
  const run = useCallback(async (...args: A) => {
    setBusy(true);
    setError(null);
    try {
      return await ref.current(...args);
    } catch (e) {
      setError(messageOf(e));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { run, busy, error, clear: () => setError(null) };
}

/** Re-renders every `ms` (for "3 秒前" and live clocks). */
export function useTick(ms: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}

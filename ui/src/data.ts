// A small cache-free data layer: each screen loads what it shows and says what that is made
// of (`Watch`); the backend tells what changed after every local write, every merge and every
// move of this device's own state (`listenEvents`), and a screen reloads only when that
// touches what it watches. Nothing polls.
import { useCallback, useEffect, useRef, useState } from "react";
import type { Event, Table } from "./api";
import { listenEvents } from "./api/transport";

/**
 * What a screen's data is made of: a table (any row of it), one row (by id, in any table),
 * `"device"` (sync status and progress, settings, the acting person) or `"any"` (any change
 * to user data, for screens that summarize everything).
 */
export type Watch = Table | { row: string } | "device" | "any";

/** The events of a short burst, merged: a sync's pages or a write's echo arrive together. */
export interface Touched {
  tables: Set<string>;
  rows: Set<string>;
  everyRow: boolean;
  device: boolean;
  /** When the burst's last event arrived (`performance.now()`). The backend tells after it
   * commits, so a load started later already read all of it. */
  at: number;
}

export function touches(touched: Touched, watch: Watch[]): boolean {
  return watch.some((w) => {
    if (w === "device") return touched.device;
    if (w === "any") return touched.tables.size > 0;
    if (typeof w === "string") return touched.tables.has(w);
    return touched.rows.has(w.row) || (touched.everyRow && touched.tables.size > 0);
  });
}

/** Merges `event` into `into`. */
export function merge(into: Touched, event: Event, at = 0): Touched {
  if (event.kind === "device") return { ...into, device: true, at };
  return {
    tables: new Set([...into.tables, ...event.tables]),
    rows: new Set([...into.rows, ...event.rows]),
    everyRow: into.everyRow || event.every_row,
    device: into.device,
    at,
  };
}

const nothing = (): Touched => ({ tables: new Set(), rows: new Set(), everyRow: false, device: false, at: 0 });

/** Events closer together than this reach the screens as one. */
const BURST_MS = 50;

const listeners = new Set<(touched: Touched) => void>();
let stop: (() => void) | null = null;
let burst: Touched | null = null;

/** Calls `listener` with every burst of events until the returned function is called. */
export function onTouched(listener: (touched: Touched) => void): () => void {
  listeners.add(listener);
  stop ??= listenEvents((event) => {
    if (!burst) {
      burst = nothing();
      window.setTimeout(() => {
        const done = burst ?? nothing();
        burst = null;
        for (const l of [...listeners]) l(done);
      }, BURST_MS);
    }
    burst = merge(burst, event, performance.now());
  });
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && stop) {
      stop();
      stop = null;
    }
  };
}

/** Loads `load()` when `deps` change, and again whenever an event touches `watch`. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[], watch: Watch[]) {
  const [state, setState] = useState<{ data?: T; error?: unknown }>({});
  const [generation, setGeneration] = useState(0);
  // When the current load started: a burst whose last event arrived before it is already read
  // (a screen opened right after the write that it shows).
  const started = useRef(0);
  const key = JSON.stringify(watch);
  useEffect(
    () =>
      onTouched((touched) => {
        if (touched.at > started.current && touches(touched, watch)) setGeneration((g) => g + 1);
      }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [key],
  );
  useEffect(() => {
    let live = true;
    started.current = performance.now();
    load().then(
      (data) => live && setState({ data }),
      (error) => live && setState({ error }),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, generation]);
  return state;
}

/** Runs a write and returns its result, or keeps its error for the form to show. The screens
 * that show what it changed reload when the backend says so. */
export function useAction() {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const run = useCallback(async <T,>(action: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await action();
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { run, error, busy };
}

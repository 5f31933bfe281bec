// A small cache-free data layer: screens load what they show, and every successful write
// bumps a shared version so whatever is on screen re-reads. Simple, and always current.
import { createContext, useCallback, useContext, useEffect, useState } from "react";

export const VersionContext = createContext<{ version: number; bump: () => void }>({
  version: 0,
  bump: () => {},
});

export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const { version } = useContext(VersionContext);
  const [state, setState] = useState<{ data?: T; error?: unknown }>({});
  useEffect(() => {
    let live = true;
    load().then(
      (data) => live && setState({ data }),
      (error) => live && setState({ error }),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, version]);
  return state;
}

/** Runs a write, then refreshes every screen; returns the error for the form to show. */
export function useAction() {
  const { bump } = useContext(VersionContext);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const run = useCallback(
    async <T,>(action: () => Promise<T>): Promise<T | undefined> => {
      setBusy(true);
      setError(null);
      try {
        const result = await action();
        bump();
        return result;
      } catch (e) {
        setError(e);
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [bump],
  );
  return { run, error, busy };
}

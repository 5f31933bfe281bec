// The only door to the backend. Inside the desktop app commands go through Tauri's IPC;
// in a browser (tests, development) they go to the loopback HTTP bridge, whose token arrives
// in the page address as #token=… and is kept for the tab's lifetime.
import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import { EVENT_NAME, TABLES, type ApiError, type ErrorCode, type Event } from "./bindings";

/** A failed command: `code` is what the UI switches on; `message` is the fallback text. */
export class CommandError extends Error {
  readonly code: ErrorCode;
  readonly field: string | null;
  constructor(e: ApiError) {
    super(e.message);
    this.code = e.code;
    this.field = e.field;
  }
}

/** Inside the desktop app (Tauri's IPC is there), not a browser on the bridge. */
export function inTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

export function bridgeToken(): string | null {
  const fromHash = new URLSearchParams(window.location.hash.slice(1)).get("token");
  if (fromHash) {
    sessionStorage.setItem("caucus-bridge-token", fromHash);
    history.replaceState(null, "", window.location.pathname + window.location.search);
    return fromHash;
  }
  return sessionStorage.getItem("caucus-bridge-token");
}

function asApiError(e: unknown): ApiError {
  if (e && typeof e === "object" && "code" in e && "message" in e) {
    const o = e as { code: unknown; message: unknown; field?: unknown };
    return {
      // The backend's codes are the generated `ErrorCode`; `errorText` falls back for any other.
      code: String(o.code) as ErrorCode,
      message: String(o.message),
      field: typeof o.field === "string" ? o.field : null,
    };
  }
  return { code: "transport", message: String(e), field: null };
}

export async function call<T>(name: string, input: unknown): Promise<T> {
  if (inTauri()) {
    try {
      return await invoke<T>(name, { input });
    } catch (e) {
      throw new CommandError(asApiError(e));
    }
  }
  let response: Response;
  try {
    response = await fetch(`/api/${name}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${bridgeToken() ?? ""}`,
      },
      body: JSON.stringify(input ?? {}),
    });
  } catch (e) {
    throw new CommandError({ code: "transport", message: String(e), field: null });
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) throw new CommandError(asApiError(body));
  return body as T;
}

/** What the screens assume when events may have been missed (the bridge's stream broke). A
 * function, not a constant: bindings.ts imports this file, so its values exist only once both
 * modules have loaded. */
const everything = (): Event => ({ kind: "changed", tables: [...TABLES], rows: [], every_row: true });

/**
 * Hands every backend event (what changed on the replica) to `handler` until the returned
 * function is called. In the desktop app they are Tauri events; through the bridge a stream
 * of server-sent events, read with fetch so the token goes in a header, reopened a second
 * after it breaks (and then everything counts as changed, since events may have been lost).
 */
export function listenEvents(handler: (event: Event) => void): () => void {
  if (inTauri()) {
    const stop = listen<Event>(EVENT_NAME, (e) => handler(e.payload));
    return () => void stop.then((unlisten) => unlisten());
  }
  const abort = new AbortController();
  const read = async (reopened: boolean) => {
    try {
      const response = await fetch("/api/events", {
        headers: { authorization: `Bearer ${bridgeToken() ?? ""}` },
        signal: abort.signal,
      });
      if (!response.ok || !response.body) throw new Error(`events: ${response.status}`);
      if (reopened) handler(everything());
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let pending = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        pending += value;
        // One event per blank-line-separated block; its data lines hold the JSON.
        let end: number;
        while ((end = pending.indexOf("\n\n")) >= 0) {
          const block = pending.slice(0, end);
          pending = pending.slice(end + 2);
          const data = block
            .split("\n")
            .filter((line) => line.startsWith("data:"))
            .map((line) => line.slice(5).trimStart())
            .join("\n");
          if (data) handler(JSON.parse(data) as Event);
        }
      }
    } catch {
      // Broken or refused: try again below, unless asked to stop.
    }
    if (!abort.signal.aborted) window.setTimeout(() => void read(true), 1000);
  };
  void read(false);
  return () => abort.abort();
}

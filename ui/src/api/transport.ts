// The only door to the backend. Inside the desktop app commands go through Tauri's IPC;
// in a browser (tests, development) they go to the loopback HTTP bridge, whose token arrives
// in the page address as #token=… and is kept for the tab's lifetime.
import { invoke } from "@tauri-apps/api/core";
import type { ApiError, ErrorCode } from "./bindings";

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

function inTauri(): boolean {
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

// What only the desktop app can do: the system's file pickers and its viewer (Tauri's dialog
// and opener plugins). In a browser (tests, development) there is no such system: each function
// says so by returning null or false, and the screens keep their typed path or hide the button.
import { open, save } from "@tauri-apps/plugin-dialog";
import { openPath, revealItemInDir } from "@tauri-apps/plugin-opener";
import { inTauri as inDesktopApp } from "./api/transport";

export { inDesktopApp };

/** A file type the pickers offer, with its name in the screen's language. */
export type FileKind = { name: string; extensions: string[] };

/** Where to save a file, chosen in the system's dialog; null when cancelled or not in the app. */
export async function chooseSaveFile(defaultPath: string, kind: FileKind): Promise<string | null> {
  if (!inDesktopApp()) return null;
  return save({ defaultPath, filters: [kind] });
}

/** A file to open, chosen in the system's dialog; null when cancelled or not in the app. */
export async function chooseOpenFile(kind: FileKind, folder: string | null): Promise<string | null> {
  if (!inDesktopApp()) return null;
  const chosen = await open({ multiple: false, directory: false, filters: [kind], defaultPath: folder ?? undefined });
  return typeof chosen === "string" ? chosen : null;
}

/** Hands a file the app saved to the system's viewer (the capability allows only those). */
export async function openSaved(path: string): Promise<void> {
  await openPath(path);
}

/** Shows a saved file in the system's file manager. */
export async function showInFolder(path: string): Promise<void> {
  await revealItemInDir(path);
}

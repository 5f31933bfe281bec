// Starts the loopback HTTP bridge on a fresh database and returns its address and token.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

export const root = new URL("../..", import.meta.url).pathname;

export async function startBridge({ demo = true } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "caucus-bridge-"));
  const args = ["--db", join(dir, "caucus.db"), "--ui", join(root, "ui/dist")];
  if (demo) args.push("--demo");
  const child = spawn(join(root, "target/debug/caucus-bridge"), args, {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const line = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the bridge did not start within 30 s")), 30_000);
    child.once("exit", (code) => reject(new Error(`the bridge exited with ${code}`)));
    createInterface({ input: child.stdout }).once("line", (l) => {
      clearTimeout(timer);
      resolve(l);
    });
  });
  const [, url, token] = line.split(" ");
  return { url, token, dir, stop: () => child.kill("SIGTERM") };
}

/** Debian's Chromium, headless, with nothing that reaches beyond this machine. */
export const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
];

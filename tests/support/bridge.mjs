// Starts the loopback HTTP bridge on a fresh database and returns its address and token.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

export const root = new URL("../..", import.meta.url).pathname;

export async function startBridge({ demo = true, env = {}, db = null } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "caucus-bridge-"));
  const args = ["--db", db ?? join(dir, "caucus.db"), "--ui", join(root, "ui/dist")];
  if (demo) args.push("--demo");
  const child = spawn(join(root, "target/debug/caucus-bridge"), args, {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, ...env },
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

/** Starts `caucus-hub serve` on a fresh SQLite database, on loopback. */
export async function startHub() {
  const dir = mkdtempSync(join(tmpdir(), "caucus-hub-"));
  const db = join(dir, "hub.db");
  const child = spawn(join(root, "target/debug/caucus-hub"), ["serve", "--db", db, "--bind", "127.0.0.1:0"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const line = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the hub did not start within 30 s")), 30_000);
    child.once("exit", (code) => reject(new Error(`the hub exited with ${code}`)));
    createInterface({ input: child.stdout }).once("line", (l) => {
      clearTimeout(timer);
      resolve(l);
    });
  });
  const [, url] = line.split(" ");
  return { url, db, stop: () => child.kill("SIGTERM") };
}

/** An invite code for `person`, made by `caucus-hub invite` as an administrator would. */
export function invite(hub, person) {
  const out = execFileSync(join(root, "target/debug/caucus-hub"), ["invite", "--db", hub.db, "--person", person, "--expires", "10m"]);
  return out.toString().trim();
}

/** Calls a command on the bridge directly (to read state the test needs). */
export async function api(bridge, command, input = {}) {
  const res = await fetch(`${bridge.url}/api/${command}`, {
    method: "POST",
    body: JSON.stringify(input),
    headers: { authorization: `Bearer ${bridge.token}`, "content-type": "application/json" },
  });
  if (!res.ok) throw new Error(`${command}: ${res.status} ${await res.text()}`);
  return res.json();
}

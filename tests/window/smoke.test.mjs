// The real desktop window under Xvfb, driven through tauri-driver and WebKitWebDriver: the
// app opens on the demo coalition and lists its teams. Saves test-results/window/demo.png.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { remote } from "webdriverio";

const root = new URL("../..", import.meta.url).pathname;
const shots = join(root, "test-results/window");
const children = [];
let browser;

function run(cmd, args, env) {
  const child = spawn(cmd, args, { stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, ...env } });
  children.push(child);
  return child;
}

async function waitForPort(port, ms) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/status`);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`nothing answered on port ${port} within ${ms} ms`);
}

/** A port nothing listens on right now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts Xvfb on the first free display (it writes the number to fd 3) and returns ":N". */
function startXvfb() {
  const child = spawn("Xvfb", ["-displayfd", "3", "-screen", "0", "1280x900x24", "-nolisten", "tcp"], {
    stdio: ["ignore", "inherit", "inherit", "pipe"],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("Xvfb did not start within 10 s")), 10_000);
    child.once("exit", (code) => reject(new Error(`Xvfb exited with ${code}`)));
    child.stdio[3].once("data", (d) => {
      clearTimeout(timer);
      resolve(`:${String(d).trim()}`);
    });
  });
}

before(async () => {
  mkdirSync(shots, { recursive: true });
  const display = await startXvfb();
  const port = await freePort();
  const nativePort = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "caucus-window-"));
  const driver = [join(homedir(), ".cargo/bin/tauri-driver"), "/usr/local/bin/tauri-driver"].find(existsSync) ?? "tauri-driver";
  run(driver, ["--port", String(port), "--native-port", String(nativePort), "--native-driver", "/usr/bin/WebKitWebDriver"], {
    DISPLAY: display,
    CAUCUS_DB: join(dir, "caucus.db"),
    CAUCUS_DEMO: "1",
    // Software rendering: Xvfb has no GPU.
    WEBKIT_DISABLE_COMPOSITING_MODE: "1",
    LIBGL_ALWAYS_SOFTWARE: "1",
  });
  await waitForPort(port, 20_000);
  browser = await remote({
    hostname: "127.0.0.1",
    port,
    logLevel: "warn",
    capabilities: {
      browserName: "wry",
      "wdio:enforceWebDriverClassic": true,
      "tauri:options": { application: join(root, "target/debug/caucus") },
    },
  });
});

after(async () => {
  await browser?.deleteSession().catch(() => {});
  for (const c of children.reverse()) c.kill("SIGTERM");
});

test("the app opens on My work, then lists the demo coalition's teams", async () => {
  await (await browser.$("h1=My work")).waitForExist({ timeout: 30_000 });
  writeFileSync(join(shots, "my-work.png"), await browser.takeScreenshot(), "base64");
  await (await browser.$("button=Groups")).click();
  const tile = await browser.$("button=Trust funds for victims");
  await tile.waitForExist({ timeout: 30_000 });
  const titles = await browser.$$("button.tile").map((b) => b.getText());
  for (const team of ["Budget and finance", "Gender justice", "ICC and ASP Elections", "Steering Committee"]) {
    assert.ok(titles.includes(team), `the demo lists ${team} (saw ${titles.length} groups)`);
  }
  writeFileSync(join(shots, "demo.png"), await browser.takeScreenshot(), "base64");
  await tile.click();
  await (await browser.$("h1=Trust funds for victims")).waitForExist({ timeout: 10_000 });
});

// The real desktop window under Xvfb: Xvfb on a free display, tauri-driver over
// WebKitWebDriver, and a WebDriver session that starts a Tauri binary. Used by the window
// smoke test and by `make bench` (cold start and memory).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { homedir } from "node:os";
import { join } from "node:path";
import { remote } from "webdriverio";

/** A port nothing listens on right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
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

/** Starts Xvfb on the first free display (it writes the number to fd 3): [":N", child]. */
export function startXvfb() {
  const child = spawn("Xvfb", ["-displayfd", "3", "-screen", "0", "1280x900x24", "-nolisten", "tcp"], {
    stdio: ["ignore", "inherit", "inherit", "pipe"],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("Xvfb did not start within 10 s")), 10_000);
    child.once("exit", (code) => reject(new Error(`Xvfb exited with ${code}`)));
    child.stdio[3].once("data", (d) => {
      clearTimeout(timer);
      resolve([`:${String(d).trim()}`, child]);
    });
  });
}

/**
 * Starts tauri-driver on `display` with `env` for the app it will start, and returns
 * { driver (the child process), open(application) → a WebDriver session }.
 */
export async function startDriver(display, env, stdio = "inherit") {
  const port = await freePort();
  const nativePort = await freePort();
  const bin = [join(homedir(), ".cargo/bin/tauri-driver"), "/usr/local/bin/tauri-driver"].find(existsSync) ?? "tauri-driver";
  const driver = spawn(
    bin,
    ["--port", String(port), "--native-port", String(nativePort), "--native-driver", "/usr/bin/WebKitWebDriver"],
    {
      stdio: ["ignore", stdio, stdio],
      env: {
        ...process.env,
        ...env,
        DISPLAY: display,
        // Software rendering: Xvfb has no GPU.
        WEBKIT_DISABLE_COMPOSITING_MODE: "1",
        LIBGL_ALWAYS_SOFTWARE: "1",
      },
    },
  );
  await waitForPort(port, 20_000);
  const open = (application) =>
    remote({
      hostname: "127.0.0.1",
      port,
      logLevel: "warn",
      capabilities: {
        browserName: "wry",
        "wdio:enforceWebDriverClassic": true,
        "tauri:options": { application },
      },
    });
  return { driver, open };
}

/**
 * The app at `root/target/debug/caucus` in a window on `display`, with `env` (its database,
 * the demo…), in English whatever language an earlier run chose; the driver is pushed onto
 * `children` so the test's `after` stops it. `close` ends the session and the app.
 */
export async function openCaucus(display, env, root, children) {
  const { driver, open } = await startDriver(display, env);
  children.push(driver);
  const browser = await open(join(root, "target/debug/caucus"));
  // The web view keeps the chosen language between runs (ui/src/i18n/index.ts).
  await browser.execute((key) => {
    if (localStorage.getItem(key) !== "en") {
      localStorage.setItem(key, "en");
      location.reload();
    }
  }, "caucus.language");
  return {
    browser,
    async close() {
      await browser.deleteSession().catch(() => {});
      driver.kill("SIGTERM");
      await new Promise((ok) => setTimeout(ok, 500));
    },
  };
}

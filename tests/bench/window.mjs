// make bench's window figures, in the real window under Xvfb (run by caucus-bench):
// - cold start: from asking WebKitWebDriver for a session (which starts the app process) to
//   My work drawn with the records of the dataset: the first list item on screen;
// - resident memory: the app's process and its WebKit processes, idle for IDLE_MS after the
//   first screen, summed from /proc, and the same for an empty Tauri window started the same
//   way in the same run;
// - the empty window's own start, timed the same way: the floor under the app's cold start
//   (WebKit's processes and the webview's first paint);
// - with --encrypted-db and --passphrase, the cold start of the same replica encrypted: to the
//   passphrase screen, plus from the click on Open to My work drawn (the person's typing is
//   not counted; the key's derivation from the passphrase, Argon2id, is).
// Prints one JSON line: {"cold_start_ms": [...], "app_rss_kb": [...], "empty_rss_kb": [...],
// "empty_start_ms": [...], "encrypted_cold_start_ms": [...]}.
//
// node tests/bench/window.mjs --app target/release/caucus --empty target/release/empty-window
//   --db FILE [--encrypted-db FILE --passphrase P] [--runs 3]
import { readdirSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { startDriver, startXvfb } from "../support/window.mjs";

const IDLE_MS = 5_000;
const { values } = parseArgs({
  options: {
    app: { type: "string" },
    empty: { type: "string" },
    db: { type: "string" },
    "encrypted-db": { type: "string" },
    passphrase: { type: "string" },
    runs: { type: "string", default: "3" },
  },
});
if (!values.app || !values.empty || !values.db) {
  console.error("usage: window.mjs --app BIN --empty BIN --db FILE [--runs N]");
  process.exit(2);
}

/** Every process's parent, from /proc. */
function parents() {
  const map = new Map();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // The command name is in parentheses and may hold spaces: read after the last ")".
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      map.set(Number(name), ppid);
    } catch {
      // gone meanwhile
    }
  }
  return map;
}

function descendants(pid, map) {
  const out = [];
  for (const [child, parent] of map) if (parent === pid) out.push(child, ...descendants(child, map));
  return out;
}

function rssKb(pid) {
  try {
    const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmRSS:"));
    return line ? Number(line.split(/\s+/)[1]) : 0;
  } catch {
    return 0;
  }
}

/** The resident memory of the process started from `binary` under the driver, and of every process it started. */
function appRss(driverPid, binary) {
  const map = parents();
  const name = binary.split("/").pop().slice(0, 15);
  const app = descendants(driverPid, map).find((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, "utf8").trim() === name;
    } catch {
      return false;
    }
  });
  if (!app) throw new Error(`no ${name} process under the driver`);
  return [app, ...descendants(app, map)].reduce((sum, pid) => sum + rssKb(pid), 0);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const [display, xvfb] = await startXvfb();
const result = { cold_start_ms: [], app_rss_kb: [], empty_rss_kb: [], empty_start_ms: [], encrypted_cold_start_ms: [] };
try {
  for (let run = 0; run < Number(values.runs); run++) {
    {
      const { driver, open } = await startDriver(display, { CAUCUS_DB: values.db }, "ignore");
      try {
        const started = performance.now();
        const browser = await open(values.app);
        await (await browser.$("[data-testid='changed'] li")).waitForExist({ timeout: 120_000, interval: 10 });
        result.cold_start_ms.push(performance.now() - started);
        await sleep(IDLE_MS);
        result.app_rss_kb.push(appRss(driver.pid, values.app));
        await browser.deleteSession();
      } finally {
        driver.kill("SIGTERM");
      }
    }
    if (values["encrypted-db"]) {
      const { driver, open } = await startDriver(display, { CAUCUS_DB: values["encrypted-db"] }, "ignore");
      try {
        const started = performance.now();
        const browser = await open(values.app);
        const field = await browser.$("[data-testid='unlock-passphrase']");
        await field.waitForExist({ timeout: 120_000, interval: 10 });
        const toScreen = performance.now() - started;
        await field.setValue(values.passphrase);
        const button = await browser.$("button=Open");
        const clicked = performance.now();
        await button.click();
        await (await browser.$("[data-testid='changed'] li")).waitForExist({ timeout: 120_000, interval: 10 });
        result.encrypted_cold_start_ms.push(toScreen + (performance.now() - clicked));
        await browser.deleteSession();
      } finally {
        driver.kill("SIGTERM");
      }
    }
    {
      const { driver, open } = await startDriver(display, {}, "ignore");
      try {
        const started = performance.now();
        const browser = await open(values.empty);
        await (await browser.$("#empty")).waitForExist({ timeout: 60_000, interval: 10 });
        result.empty_start_ms.push(performance.now() - started);
        await sleep(IDLE_MS);
        result.empty_rss_kb.push(appRss(driver.pid, values.empty));
        await browser.deleteSession();
      } finally {
        driver.kill("SIGTERM");
      }
    }
  }
} finally {
  xvfb.kill("SIGTERM");
}
console.log(JSON.stringify(result));
process.exit(0);

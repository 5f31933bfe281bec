// A replica the previous release left, opened by this one in the real window: the app
// upgrades its format as it opens (each field's stamp moves beside its row) and shows the same
// records with the same history, replaced values included, as before. The previous format
// is written by `caucus-bench previous-format` (debug build, made by `make build`).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openCaucus, startXvfb } from "../support/window.mjs";

const root = new URL("../..", import.meta.url).pathname;
const children = [];
let display;
let dir;

function openApp() {
  return openCaucus(display, { CAUCUS_DB: join(dir, "caucus.db"), CAUCUS_DEMO: "1" }, root, children);
}

/** The Gender justice team's page: its mandate and its history, as the window shows them. */
async function teamPage(b) {
  await (await b.$("h1=My work")).waitForExist({ timeout: 60_000 });
  await (await b.$("button=Groups")).click();
  await (await b.$("button=Gender justice")).waitForExist({ timeout: 10_000 });
  await (await b.$("button=Gender justice")).click();
  const history = await b.$('[data-testid="history"]');
  await history.waitForExist({ timeout: 10_000 });
  await b.waitUntil(async () => (await history.$$("tbody tr")).length > 0, { timeout: 10_000 });
  return read(b);
}

async function read(b) {
  return { page: await (await b.$("main")).getText(), history: await (await b.$('[data-testid="history"]')).getText() };
}

before(async () => {
  const [d, xvfb] = await startXvfb();
  display = d;
  children.push(xvfb);
  dir = mkdtempSync(join(tmpdir(), "caucus-upgrade-"));
});

after(async () => {
  for (const c of children.reverse()) c.kill("SIGTERM");
});

test("a replica in the previous format opens upgraded, with the same records and history", async () => {
  const first = await openApp();
  const b = first.browser;
  await teamPage(b);
  // The team's mandate rewritten, so its history holds the words it replaced.
  await (await (await b.$(".actions")).$("summary=Edit")).click();
  const mandate = await b.$(".actions textarea");
  await mandate.waitForExist({ timeout: 10_000 });
  await mandate.setValue("Coordinates the members' work on gender justice before the Court and the Assembly.");
  await (await (await b.$(".actions")).$("button=Save")).click();
  await b.waitUntil(async () => (await b.$$('[data-testid="history"] .text-diff del')).length > 0, {
    timeout: 10_000,
  });
  const before = await read(b);
  await first.close();

  execFileSync(join(root, "target/debug/caucus-bench"), ["previous-format", "--db", join(dir, "caucus.db")], {
    stdio: ["ignore", "inherit", "inherit"],
  });

  const second = await openApp();
  const after = await teamPage(second.browser);
  assert.equal(after.history, before.history);
  assert.equal(after.page, before.page);
  await second.close();
});

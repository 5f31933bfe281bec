// Exports made on the device: a group's recommendations as CSV (Arabic intact, for a
// spreadsheet) and the directory as JSON, written to the person's Downloads folder.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { chromiumArgs, startBridge } from "../support/bridge.mjs";

let bridge;
let browser;
const home = mkdtempSync(join(tmpdir(), "caucus-home-"));

before(async () => {
  mkdirSync(join(home, "Downloads"));
  bridge = await startBridge({ env: { HOME: home } });
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: chromiumArgs });
});

after(async () => {
  await browser?.close();
  bridge?.stop();
});

test("a group's recommendations export to CSV, the directory to JSON", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${bridge.url}/#token=${bridge.token}`);
  await page.getByRole("button", { name: "Gender justice" }).click();
  const recs = page.locator("section", { has: page.getByRole("heading", { name: "Recommendations" }) });
  await recs.getByRole("button", { name: "Export CSV" }).click();
  const saved = await recs.getByTestId("export-saved").textContent();
  const path = saved.match(/to (\/.*\.csv)\./)[1];
  assert.ok(path.startsWith(join(home, "Downloads")), `written to Downloads: ${path}`);
  const csv = readFileSync(path, "utf8");
  assert.ok(csv.startsWith("\ufeff"), "a byte-order mark, so spreadsheets read UTF-8");
  assert.ok(csv.includes("تعزيز التوازن بين الجنسين"), "the Arabic recommendation is intact");
  assert.equal(csv.trim().split("\r\n").length, 2, "a header and the team's one recommendation");

  await page.getByRole("button", { name: "Directory" }).click();
  const orgs = page.locator("section", { has: page.getByRole("heading", { name: "Organizations" }) });
  await orgs.getByRole("button", { name: "Export JSON" }).click();
  const text = await orgs.getByTestId("export-saved").textContent();
  const json = JSON.parse(readFileSync(text.match(/to (\/.*\.json)\./)[1], "utf8"));
  assert.ok(json.length > 10, "every organization");
  assert.ok(json.every((o) => o.name && o.country), "with their fields");
});

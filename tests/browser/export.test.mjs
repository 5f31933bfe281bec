// Exports made on the device: a group's recommendations as CSV (Arabic intact, for a
// spreadsheet), the directory as JSON, and a group's printable PDF report in English and in
// Arabic, written to the person's Downloads folder. Saves test-results/browser/report-<lang>.png
// (the report's first page, drawn by pdf.js).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { chromiumArgs, root, startBridge } from "../support/bridge.mjs";
import { pdfPicture, pdfText } from "../support/pdf.mjs";

let bridge;
let browser;
const home = mkdtempSync(join(tmpdir(), "caucus-home-"));
const shots = join(root, "test-results/browser");

before(async () => {
  mkdirSync(join(home, "Downloads"));
  mkdirSync(shots, { recursive: true });
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
  await page.getByRole("button", { name: "Groups", exact: true }).click();
  await page.getByRole("button", { name: "Gender justice" }).click();
  const recs = page.locator("section", { has: page.getByRole("heading", { name: "Recommendations" }) });
  await recs.getByRole("button", { name: "Export CSV" }).click();
  const saved = await recs.getByTestId("export-saved").textContent();
  const path = saved.match(/(\/[^\u2069]*\.csv)/)[1];
  assert.ok(path.startsWith(join(home, "Downloads")), `written to Downloads: ${path}`);
  const csv = readFileSync(path, "utf8");
  assert.ok(csv.startsWith("\ufeff"), "a byte-order mark, so spreadsheets read UTF-8");
  assert.ok(csv.includes("تعزيز التوازن بين الجنسين"), "the Arabic recommendation is intact");
  assert.equal(csv.trim().split("\r\n").length, 2, "a header and the team's one recommendation");

  await page.getByRole("button", { name: "Directory" }).click();
  const orgs = page.locator("section", { has: page.getByRole("heading", { name: "Organizations" }) });
  await orgs.getByRole("button", { name: "Export JSON" }).click();
  const text = await orgs.getByTestId("export-saved").textContent();
  const json = JSON.parse(readFileSync(text.match(/(\/[^\u2069]*\.json)/)[1], "utf8"));
  assert.ok(json.length > 10, "every organization");
  assert.ok(json.every((o) => o.name && o.country), "with their fields");
});

for (const [language, button, heading] of [
  ["en", "PDF report", "Recommendations and answers"],
  ["ar", "تقرير PDF", "التوصيات والردود"],
]) {
  test(`a group's report is a PDF in ${language}`, async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addInitScript((l) => localStorage.setItem("caucus.language", l), language);
    const page = await context.newPage();
    await page.goto(`${bridge.url}/#token=${bridge.token}`);
    await page.getByRole("button", { name: language === "ar" ? "المجموعات" : "Groups", exact: true }).click();
    await page.getByRole("button", { name: "Gender justice" }).click();
    await page.getByRole("button", { name: button }).click();
    const saved = await page.getByTestId("report-saved").textContent();
    const path = saved.match(/(\/\S*\.pdf)/)[1];
    assert.ok(path.startsWith(join(home, "Downloads")), `written to Downloads: ${path}`);
    assert.ok(readFileSync(path).subarray(0, 5).toString() === "%PDF-", "a PDF file");

    // A PDF reader finds the report's words: the translated heading, the team, and the
    // Arabic recommendation (each word: readers order right-to-left runs their own way).
    const text = (await pdfText(path)).join(" ");
    for (const word of [...heading.split(" "), "Gender", "justice", "التوازن", "الجنسين"]) {
      assert.ok(text.includes(word), `the report says ${word}: ${text.slice(0, 400)}`);
    }
    await pdfPicture(browser, path, join(shots, `report-${language}.png`));
    await context.close();
  });
}

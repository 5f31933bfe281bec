// The search box: instant results across every kind, offline, by keyboard alone; member-
// written text in results stays text. Saves test-results/browser/search-<language>.png.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import AxeBuilder from "@axe-core/playwright";
import { api, chromiumArgs, root, startBridge } from "../support/bridge.mjs";

let bridge;
let browser;
const shots = join(root, "test-results/browser");

before(async () => {
  mkdirSync(shots, { recursive: true });
  bridge = await startBridge();
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: chromiumArgs });
});

after(async () => {
  await browser?.close();
  bridge?.stop();
});

async function pageIn(language) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript((l) => localStorage.setItem("caucus.language", l), language);
  const page = await context.newPage();
  await page.goto(`${bridge.url}/#token=${bridge.token}`);
  await page.getByTestId("nav-groups").click();
  await page.locator(".tiles").first().waitFor();
  return page;
}

test("search finds a recommendation and opens it with the keyboard alone", async () => {
  const page = await pageIn("en");
  const box = page.getByTestId("search");
  await box.focus();
  await page.keyboard.type("trust fund");
  const option = page.getByRole("option").filter({ hasText: "Protect the budget of the Trust Fund for Victims" });
  await option.waitFor();
  assert.ok((await page.locator(".search-results mark").count()) > 0, "matched words are highlighted");
  const result = await new AxeBuilder({ page }).include(".search").analyze();
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad.map((v) => v.id), [], "the search box is accessible");
  await page.screenshot({ path: join(shots, "search-en.png") });
  // French typed without its accents finds the French text.
  await box.fill("etats ratifier");
  await page.getByRole("option").filter({ hasText: "Exhorter les États à ratifier" }).waitFor();
  await box.fill("trust fund");
  await option.waitFor();
  // Move to the hit and open it.
  const options = await page.getByRole("option").allTextContents();
  const index = options.findIndex((o) => o.includes("Protect the budget"));
  for (let i = 0; i < index; i++) await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: "Protect the budget of the Trust Fund for Victims" }).waitFor();
});

test("search in Arabic, and member-written markup in results stays text", async () => {
  const rec = (await api(bridge, "list_recommendations", {}))[0];
  await api(bridge, "create_comment", {
    recommendation_id: rec.id,
    body: 'zanzibar <img src=x onerror="window.__pwned=1"> <b>bold</b>',
  });
  const page = await pageIn("ar");
  await page.getByTestId("search").fill("الجنسين");
  await page.getByRole("option").filter({ hasText: "تعزيز التوازن بين الجنسين" }).waitFor();
  // Without the article, the word is found all the same.
  await page.getByTestId("search").fill("توازن");
  await page.getByRole("option").filter({ hasText: "تعزيز التوازن بين الجنسين" }).waitFor();
  await page.screenshot({ path: join(shots, "search-ar.png") });
  await page.getByTestId("search").fill("zanzibar");
  await page.getByRole("option").first().waitFor();
  assert.equal(await page.locator(".search-results img, .search-results b").count(), 0, "no markup from a comment renders");
  assert.equal(await page.evaluate(() => window.__pwned), undefined, "no script ran");
});

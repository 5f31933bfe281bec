// The directory at size: organizations in 150 countries and their people, created through the
// API (CAUCUS_DIRECTORY_SIZE each, 500 by default: every create is a durable write, so the
// coalition-size run, 2,500 and more, is `CAUCUS_DIRECTORY_SIZE=2500 npm run test:browser`),
// filtered by country, region and theme, with lists that keep only the rows in view in the
// page. Saves test-results/browser/directory-large.png.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { api, chromiumArgs, root, startBridge } from "../support/bridge.mjs";

let bridge;
let browser;
const shots = join(root, "test-results/browser");
const REGIONS = ["africa", "americas", "asia_pacific", "europe", "middle_east_north_africa"];
const THEMES = ["victims", "budget", "gender", "elections", "cooperation"];
const SIZE = Number(process.env.CAUCUS_DIRECTORY_SIZE ?? 500);

before(async () => {
  mkdirSync(shots, { recursive: true });
  bridge = await startBridge();
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: chromiumArgs });
  // 16 requests at a time.
  const made = [];
  for (let i = 0; i < SIZE; i += 16) {
    const batch = [];
    for (let j = i; j < Math.min(i + 16, SIZE); j++) {
      const country = `${String.fromCharCode(65 + (j % 15))}${String.fromCharCode(65 + (Math.floor(j / 15) % 10))}`;
      batch.push(
        api(bridge, "create_organization", {
          name: `Member organization ${String(j).padStart(4, "0")}`,
          country,
          region: REGIONS[j % 5],
          themes: [THEMES[j % 5], THEMES[(j + 2) % 5]],
          status: null,
        }).then((o) => made.push(o.id)),
      );
    }
    await Promise.all(batch);
  }
  for (let i = 0; i < SIZE; i += 16) {
    const batch = [];
    for (let j = i; j < Math.min(i + 16, SIZE); j++) {
      batch.push(api(bridge, "create_person", { name: `Representative ${String(j).padStart(5, "0")}`, organization_id: made[j], secretariat_admin: false }));
    }
    await Promise.all(batch);
  }
});

after(async () => {
  await browser?.close();
  bridge?.stop();
});

test("the directory filters thousands of records and keeps only visible rows in the page", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${bridge.url}/#token=${bridge.token}`);
  await page.getByRole("button", { name: "Directory" }).click();
  const count = page.getByTestId("filter-count");
  const total = await page.getByTestId("filter-count").textContent();
  const shown = () => count.textContent().then((t) => Number(t.match(/Showing (\d+) organizations/)[1]));
  for (let i = 0; i < 50 && (await shown()) < SIZE; i++) await page.waitForTimeout(100);
  assert.ok((await shown()) >= SIZE, `every organization is listed: ${total}`);
  const rows = await page.getByTestId("org-list").locator("li").count();
  assert.ok(rows < 60, `only the rows in view are in the page (${rows} of ${SIZE}+)`);

  // Filter: a region, then a theme, then a country, then a name.
  const started = Date.now();
  await page.getByTestId("filter-region").selectOption("africa");
  for (let i = 0; i < 50 && (await shown()) > SIZE / 4; i++) await page.waitForTimeout(100);
  assert.ok((await shown()) <= SIZE / 5 + 20, "a region is about a fifth");
  await page.getByTestId("filter-theme").selectOption("victims");
  await page.getByTestId("filter-country").selectOption("AA");
  const text = await count.textContent();
  const orgs = Number(text.match(/Showing (\d+) organizations/)[1]);
  assert.ok(orgs > 0 && orgs < SIZE / 10, `country, region and theme narrow it down: ${text}`);
  console.log(`# filtering ${SIZE} organizations took ${Date.now() - started} ms end to end`);
  await page.getByTestId("filter-region").selectOption("");
  await page.getByTestId("filter-theme").selectOption("");
  await page.getByTestId("filter-country").selectOption("");
  const last = String(SIZE - 1).padStart(4, "0");
  await page.getByTestId("filter-text").fill(`organization ${last}`);
  await page.getByTestId("org-list").getByText(`Member organization ${last}`).waitFor();
  await page.getByTestId("filter-text").fill("");

  // Scrolling to the end brings the last rows in.
  await page.getByTestId("people-list").evaluate((el) => (el.scrollTop = el.scrollHeight));
  await page.getByTestId("people-list").getByText(`Representative ${String(SIZE - 1).padStart(5, "0")}`).waitFor();
  await page.screenshot({ path: join(shots, "directory-large.png"), fullPage: true });
});

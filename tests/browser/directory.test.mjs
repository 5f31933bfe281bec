// The directory at coalition size: 2,500 organizations in 150 countries and 10,000 people,
// made by the seeded dataset generator (`caucus-bench dataset --directory --scale 1`, through
// the merge like anything that arrives), filtered by country, region, theme and name, with
// lists that keep only the rows in view in the page. Every count on screen is checked against
// the command API. Saves test-results/browser/directory-large.png.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { api, chromiumArgs, root, startBridge } from "../support/bridge.mjs";

let bridge;
let browser;
const shots = join(root, "test-results/browser");
const ORGANIZATIONS = 2_500;
const PEOPLE = 10_000;

before(async () => {
  mkdirSync(shots, { recursive: true });
  const db = join(mkdtempSync(join(tmpdir(), "caucus-directory-")), "caucus.db");
  execFileSync(join(root, "target/debug/caucus-bench"), ["dataset", "--directory", "--scale", "1", "--db", db], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  bridge = await startBridge({ db, demo: false });
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: chromiumArgs });
});

after(async () => {
  await browser?.close();
  bridge?.stop();
});

test("the directory filters 2,500 organizations and 10,000 people and keeps only visible rows in the page", async () => {
  const orgs = await api(bridge, "list_organizations", {});
  const people = await api(bridge, "list_people", {});
  assert.equal(orgs.length, ORGANIZATIONS);
  assert.equal(people.length, PEOPLE);
  assert.equal(new Set(orgs.map((o) => o.country)).size, 150, "in 150 countries");

  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${bridge.url}/#token=${bridge.token}`);
  await page.getByTestId("nav-directory").click();
  const count = page.getByTestId("filter-count");
  const shown = () => count.textContent().then((t) => Number(t.match(/Showing ([\d,]+) organizations?/)[1].replace(/,/g, "")));
  const until = async (want) => {
    for (let i = 0; i < 100 && (await shown()) !== want; i++) await page.waitForTimeout(50);
    assert.equal(await shown(), want);
  };
  await until(ORGANIZATIONS);
  const rows = await page.getByTestId("org-list").locator("li").count();
  assert.ok(rows < 60, `only the rows in view are in the page (${rows} of ${ORGANIZATIONS})`);

  // Filter: a region, then a theme, then a country, each count as the API counts it.
  const started = Date.now();
  await page.getByTestId("filter-region").selectOption("africa");
  const africa = orgs.filter((o) => o.region === "africa");
  await until(africa.length);
  await page.getByTestId("filter-theme").selectOption("victims");
  await until(africa.filter((o) => o.themes.includes("victims")).length);
  await page.getByTestId("filter-country").selectOption("NG");
  const nigeria = africa.filter((o) => o.themes.includes("victims") && o.country === "NG");
  await until(nigeria.length);
  assert.ok(nigeria.length > 0 && nigeria.length < africa.length, "country, region and theme narrow it down");
  console.log(`# filtering ${ORGANIZATIONS} organizations three times took ${Date.now() - started} ms end to end`);
  await page.getByTestId("filter-region").selectOption("");
  await page.getByTestId("filter-theme").selectOption("");
  await page.getByTestId("filter-country").selectOption("");
  await until(ORGANIZATIONS);

  // A name, typed: the last organization in the list.
  const last = orgs[orgs.length - 1].name;
  await page.getByTestId("filter-text").fill(last);
  await page.getByTestId("org-list").getByText(last, { exact: true }).waitFor();
  await page.getByTestId("filter-text").fill("");

  // Scrolling to the end of 10,000 people brings the last one in.
  const lastPerson = people[people.length - 1].name;
  // (Rows are measured as they render, so the end moves while scrolling: scroll until it stays.)
  const list = page.getByTestId("people-list");
  for (let i = 0; i < 30 && !(await list.locator("li", { hasText: lastPerson }).isVisible()); i++) {
    await list.evaluate((el) => (el.scrollTop = el.scrollHeight));
    await page.waitForTimeout(100);
  }
  await list.locator("li", { hasText: lastPerson }).waitFor();
  const personRows = await page.getByTestId("people-list").locator("li").count();
  assert.ok(personRows < 60, `only the people in view are in the page (${personRows} of ${PEOPLE})`);
  await page.screenshot({ path: join(shots, "directory-large.png"), fullPage: true });
});

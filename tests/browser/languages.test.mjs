// Every screen in English and in Arabic: axe-core finds no serious or critical violation, the
// Arabic layout mirrors (right to left), the language can be switched in Settings, and each
// screen is saved to test-results/browser/<screen>-<language>.png for a person to look at.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import AxeBuilder from "@axe-core/playwright";
import { chromiumArgs, root, startBridge } from "../support/bridge.mjs";

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

async function pageIn(language, theme = "light") {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript(
    ([l, t]) => {
      // Only the first load: a choice made in Settings must survive a reload.
      if (!localStorage.getItem("caucus.language")) localStorage.setItem("caucus.language", l);
      if (!localStorage.getItem("caucus.theme")) localStorage.setItem("caucus.theme", t);
    },
    [language, theme],
  );
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(e.message));
  await page.goto(`${bridge.url}/#token=${bridge.token}`);
  // My work is the first screen.
  await page.getByTestId("awaiting").waitFor();
  return { page, problems };
}

/** axe-core on the page as it is: no serious or critical violation. */
async function checkAccessible(page, where) {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(
    bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`),
    [],
    `${where}: axe-core found serious or critical violations`,
  );
}

for (const language of ["en", "ar"]) {
  test(`every screen in ${language}: accessible, translated, and saved`, async () => {
    const { page, problems } = await pageIn(language);
    const html = page.locator("html");
    assert.equal(await html.getAttribute("lang"), language);
    assert.equal(await html.getAttribute("dir"), language === "ar" ? "rtl" : "ltr");
    const shot = async (name) => {
      await checkAccessible(page, `${name} (${language})`);
      await page.screenshot({ path: join(shots, `${name}-${language}.png`), fullPage: true });
    };
    await shot("my-work");
    await page.getByRole("button", { name: language === "ar" ? "المجموعات" : "Groups", exact: true }).click();
    await page.locator(".tiles").first().waitFor();
    await shot("groups");
    if (language === "ar") {
      const brand = await page.locator(".brand").boundingBox();
      assert.ok(brand.x > 640, "in Arabic the brand sits at the right edge");
      await page.getByRole("heading", { name: "المجموعات" }).first().waitFor();
    }
    await page.getByRole("button", { name: "Budget and finance" }).click();
    await page.getByRole("heading", { name: "Budget and finance" }).waitFor();
    await shot("group");
    await page.getByTestId("rec-link").first().click();
    await page.getByTestId("rec-state").waitFor();
    await shot("recommendation");
    await page.getByRole("button", { name: language === "ar" ? "المجموعات" : "Groups" }).click();
    await page.getByRole("button", { name: "Budget and finance" }).click();
    await page.getByTestId("meeting-link").first().click();
    await page.locator("input[name=agenda-title]").waitFor();
    await shot("meeting");
    await page.getByRole("button", { name: language === "ar" ? "الدليل" : "Directory" }).click();
    await page.getByRole("heading").first().waitFor();
    await shot("directory");
    await page.getByRole("button", { name: language === "ar" ? "المزامنة" : "Sync" }).click();
    await page.getByTestId("sync-status").waitFor();
    await shot("sync");
    await page.getByTestId("nav-notifications").click();
    await page.getByTestId("notification-groups").waitFor();
    await shot("notifications");
    await page.getByRole("button", { name: language === "ar" ? "الإعدادات" : "Settings" }).click();
    await page.getByTestId("language").waitFor();
    await shot("settings");
    assert.deepEqual(problems, [], "no script errors");
  });
}

test("the language is switched in Settings, and the dark theme stays accessible", async () => {
  const { page } = await pageIn("en", "dark");
  assert.equal(await page.locator("html").getAttribute("data-theme"), "dark");
  await page.getByRole("button", { name: "Groups", exact: true }).click();
  await page.locator(".tiles").first().waitFor();
  await checkAccessible(page, "groups (dark)");
  await page.screenshot({ path: join(shots, "groups-dark.png"), fullPage: true });
  await page.getByRole("button", { name: "Settings" }).click();
  await page.getByTestId("language").selectOption("fr");
  await page.getByRole("heading", { name: "Réglages" }).waitFor();
  assert.equal(await page.locator("html").getAttribute("lang"), "fr");
  await page.getByTestId("language").selectOption("ar");
  await page.getByRole("heading", { name: "الإعدادات" }).waitFor();
  assert.equal(await page.locator("html").getAttribute("dir"), "rtl");
  await page.reload();
  await page.getByTestId("awaiting").waitFor();
  assert.equal(await page.locator("html").getAttribute("lang"), "ar", "the choice is remembered");
});

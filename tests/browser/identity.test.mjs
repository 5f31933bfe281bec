// Who a device works as, as a new user meets it: a fresh install offers to start a coalition,
// join one or try the demo; starting one makes this device its first person, for good (no
// "Acting as"); the demo says it is the demo and offers "Acting as". In English and Arabic,
// accessible. Saves test-results/browser/welcome-<language>.png, coalition-<language>.png
// and demo-banner-<language>.png.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import AxeBuilder from "@axe-core/playwright";
import { api, chromiumArgs, root, startBridge } from "../support/bridge.mjs";

let browser;
const bridges = [];
const shots = join(root, "test-results/browser");

before(async () => {
  mkdirSync(shots, { recursive: true });
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: chromiumArgs });
});

after(async () => {
  await browser?.close();
  for (const b of bridges) b.stop();
});

async function open(bridge, language) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript((l) => localStorage.setItem("caucus.language", l), language);
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(e.message));
  await page.goto(`${bridge.url}/#token=${bridge.token}`);
  return { page, problems };
}

async function accessible(page, where) {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`), [], where);
}

for (const language of ["en", "ar"]) {
  test(`a fresh install starts its own coalition and acts only as its person (${language})`, async () => {
    const bridge = await startBridge({ demo: false });
    bridges.push(bridge);
    const { page, problems } = await open(bridge, language);
    await page.getByTestId("welcome").waitFor();
    assert.equal(await page.getByTestId("acting-person").count(), 0, "no Acting as on a fresh install");
    assert.equal(await page.getByTestId("demo-banner").count(), 0, "not the demo");
    await accessible(page, `welcome (${language})`);
    await page.screenshot({ path: join(shots, `welcome-${language}.png`), fullPage: true });

    await page.getByTestId("welcome-organization").fill("Coalition for the International Criminal Court");
    await page.getByTestId("welcome-country").fill("nl");
    await page.getByTestId("welcome-name").fill("Amal Haddad");
    await page.getByTestId("welcome-create").click();
    await page.getByTestId("identity").getByText("Amal Haddad").waitFor();
    assert.equal(await page.getByTestId("welcome").count(), 0, "the welcome is gone");
    assert.equal(await page.getByTestId("acting-person").count(), 0, "a real database has no Acting as");
    const session = await api(bridge, "get_session", {});
    assert.equal(session.admin, true, "its first person is the secretariat");
    assert.equal(session.demo, false);
    // Not even through the API.
    const people = await api(bridge, "list_people", {});
    assert.equal(people.length, 1);
    await page.screenshot({ path: join(shots, `coalition-${language}.png`), fullPage: true });
    // The new coalition has no hub yet: the Sync screen offers to save its key to start one.
    const status = await api(bridge, "sync_status", {});
    assert.equal(status.founding, true);
    assert.ok(status.certified_until, "the laptop certified itself");
    await page.getByTestId("nav-sync").click();
    const founding = page.getByTestId("sync-founding");
    await founding.waitFor();
    const keyPath = join(shots, `coalition-key-${language}.json`);
    await founding.locator("input").fill(keyPath);
    await founding.getByRole("button").click();
    await page.getByTestId("founding-saved").waitFor();
    assert.ok((await page.getByTestId("founding-saved").textContent()).includes("caucus-hub adopt"));
    await page.screenshot({ path: join(shots, `founding-${language}.png`), fullPage: true });
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  test(`the demo says it is the demo and offers Acting as (${language})`, async () => {
    const bridge = await startBridge();
    bridges.push(bridge);
    const { page, problems } = await open(bridge, language);
    await page.getByTestId("demo-banner").waitFor();
    assert.ok((await page.getByTestId("acting-person").count()) === 1, "Acting as is offered");
    await accessible(page, `demo (${language})`);
    await page.screenshot({ path: join(shots, `demo-banner-${language}.png`) });
    assert.deepEqual(problems, []);
    await page.context().close();
  });
}

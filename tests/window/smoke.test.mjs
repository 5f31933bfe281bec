// The real desktop window under Xvfb, driven through tauri-driver and WebKitWebDriver: the
// app opens on the demo coalition and lists its teams, a write reaches the screens as an
// event, and a meeting is planned on the calendar (WebKitGTK's, not Chromium's). Saves
// test-results/window/demo.png and meeting-planned.png.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDriver, startXvfb } from "../support/window.mjs";

const root = new URL("../..", import.meta.url).pathname;
const shots = join(root, "test-results/window");
const children = [];
let browser;

before(async () => {
  mkdirSync(shots, { recursive: true });
  const [display, xvfb] = await startXvfb();
  children.push(xvfb);
  const dir = mkdtempSync(join(tmpdir(), "caucus-window-"));
  const { driver, open } = await startDriver(display, { CAUCUS_DB: join(dir, "caucus.db"), CAUCUS_DEMO: "1" });
  children.push(driver);
  browser = await open(join(root, "target/debug/caucus"));
});

after(async () => {
  await browser?.deleteSession().catch(() => {});
  for (const c of children.reverse()) c.kill("SIGTERM");
});

test("the app opens on My work, then lists the demo coalition's teams", async () => {
  await (await browser.$("h1=My work")).waitForExist({ timeout: 30_000 });
  // The demo says it is the demo, and only the demo offers "Acting as".
  assert.ok(await (await browser.$("[data-testid=demo-banner]")).isExisting(), "the demo says so");
  assert.ok(await (await browser.$("[data-testid=acting-person]")).isExisting(), "the demo offers Acting as");
  writeFileSync(join(shots, "my-work.png"), await browser.takeScreenshot(), "base64");
  await (await browser.$("button=Groups")).click();
  const tile = await browser.$("button=Trust funds for victims");
  await tile.waitForExist({ timeout: 30_000 });
  const titles = await browser.$$("button.tile").map((b) => b.getText());
  for (const team of ["Budget and finance", "Gender justice", "ICC and ASP Elections", "Steering Committee"]) {
    assert.ok(titles.includes(team), `the demo lists ${team} (saw ${titles.length} groups)`);
  }
  writeFileSync(join(shots, "demo.png"), await browser.takeScreenshot(), "base64");
  await tile.click();
  await (await browser.$("h1=Trust funds for victims")).waitForExist({ timeout: 10_000 });
});

test("a write in the window reaches its screens as an event, with no reload asked", async () => {
  // The screens reload when the backend says what changed (a Tauri event): nothing polls and
  // no write refreshes the page by itself.
  await (await browser.$("summary=Track an issue")).click();
  const title = await browser.$("input[name=issue-title]");
  await title.setValue("Heard through an event");
  const form = await title.$("..").$("..");
  await (await form.$("button[type=submit]")).click();
  const card = await browser.$(".issue-card*=Heard through an event");
  await card.waitForExist({ timeout: 10_000, timeoutMsg: "the new issue was not shown: the window missed the event" });
});

test("a meeting is planned on the calendar in the real window", async () => {
  // The calendar (react-day-picker) in WebKitGTK, which the browser tests' Chromium is not.
  await (await browser.$("summary=Plan a meeting")).click();
  await (await browser.$("input[name=meeting-title]")).setValue("Planned in the window");
  const day = await browser.$('[data-testid="meeting-day"] .date-button');
  await day.scrollIntoView({ block: "center" });
  await day.click();
  await (await browser.$(".date-popover .rdp-years_dropdown")).selectByAttribute("value", "2027");
  await (await browser.$(".date-popover .rdp-months_dropdown")).selectByAttribute("value", "2");
  const fifteenth = await browser.$(
    "//div[contains(@class, 'date-popover')]//td[not(@data-outside)]//button[normalize-space() = '15']",
  );
  await fifteenth.click();
  assert.match(await day.getText(), /Mar 15, 2027/, "the chosen day, written by Intl");
  const form = await browser.$("input[name=meeting-title]").$("..").$("..");
  await (await form.$("button[type=submit]")).click();
  const when = await browser.$('[data-testid="meeting-when"]');
  await when.waitForExist({ timeout: 10_000 });
  assert.match(await when.getText(), /Mar 15, 2027/);
  await (await browser.$("p=The group has no members to mark present yet.")).waitForExist({ timeout: 10_000 });
  writeFileSync(join(shots, "meeting-planned.png"), await browser.takeScreenshot(), "base64");
});

// Minutes written together, in a real browser against the HTTP bridge: two windows open on one
// meeting type into its minutes at the same time and both end with the same text holding
// everything typed; a window that only shows the minutes follows them without any click.
// Saves test-results/browser/minutes-together-{en,ar}.png.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { chromiumArgs, root, startBridge } from "../support/bridge.mjs";

let bridge;
let browser;
const shots = join(root, "test-results/browser");
const MEETING = "Budget team briefing before the Assembly of States Parties";

before(async () => {
  mkdirSync(shots, { recursive: true });
  bridge = await startBridge();
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: chromiumArgs });
});

after(async () => {
  await browser?.close();
  bridge?.stop();
});

async function meetingPage(language = "en") {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript((l) => localStorage.setItem("caucus.language", l), language);
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(e.message));
  page.problems = problems;
  await page.goto(`${bridge.url}/#token=${bridge.token}`);
  await page.getByTestId("awaiting").waitFor();
  return page;
}

const GROUPS = { en: "Groups", ar: "المجموعات" };

async function openMeeting(page, groupName, meetingTitle, language = "en") {
  await page.getByRole("button", { name: GROUPS[language], exact: true }).click();
  await page.getByRole("button", { name: groupName }).click();
  await page.getByRole("button", { name: meetingTitle }).click();
  await page.getByRole("heading", { name: meetingTitle }).waitFor();
}

test("two windows type into one meeting's minutes at once; a third follows without a click", async () => {
  const [one, two, watcher] = [await meetingPage(), await meetingPage(), await meetingPage()];
  for (const page of [one, two, watcher]) await openMeeting(page, "Budget and finance", MEETING);
  for (const page of [one, two]) {
    await page.getByRole("button", { name: "Edit the minutes" }).click();
    await page.locator("textarea[name=minutes]").waitFor();
  }
  const typed = { one: [], two: [] };
  // Both type at once, a sentence at a time, each at the end of what their window shows.
  await Promise.all(
    [
      [one, "one"],
      [two, "two"],
    ].map(async ([page, who]) => {
      const box = page.locator("textarea[name=minutes]");
      for (let i = 0; i < 5; i++) {
        const sentence = `Window ${who} records point ${i}. `;
        await box.press("End");
        await box.pressSequentially(sentence, { delay: 5 });
        typed[who].push(sentence);
      }
    }),
  );
  for (const page of [one, two]) await page.getByRole("button", { name: "Done" }).click();
  const expected = [...typed.one, ...typed.two];
  // Every window, the one that never clicked included, shows every sentence, once.
  for (const page of [one, two, watcher]) {
    const minutes = page.locator("section", { has: page.getByRole("heading", { name: "Minutes" }) }).locator(".markdown");
    for (let i = 0; i < 100; i++) {
      const text = (await minutes.textContent()) ?? "";
      if (expected.every((s) => text.includes(s.trim()))) break;
      await page.waitForTimeout(100);
    }
    const text = (await minutes.textContent()) ?? "";
    for (const s of expected) {
      assert.ok(text.includes(s.trim()), `${s.trim()} is shown: ${text}`);
      assert.equal(text.split(s.trim()).length, 2, `${s.trim()} once`);
    }
  }
  const texts = await Promise.all(
    [one, two, watcher].map((p) => p.locator("section", { has: p.getByRole("heading", { name: "Minutes" }) }).locator(".markdown").textContent()),
  );
  assert.equal(texts[0], texts[1], "both writers read the same");
  assert.equal(texts[0], texts[2], "the watcher reads the same");
  for (const page of [one, two, watcher]) assert.deepEqual(page.problems, [], "no error in the page");
  await one.getByRole("button", { name: "Edit the minutes" }).click();
  await one.screenshot({ path: join(shots, "minutes-together-en.png"), fullPage: true });
});

test("the minutes editor in Arabic", async () => {
  const page = await meetingPage("ar");
  await openMeeting(page, "Budget and finance", MEETING, "ar");
  await page.getByRole("button", { name: "تعديل المحضر" }).click();
  await page.locator("textarea[name=minutes]").waitFor();
  await page.getByText("يمكن لكل من يحق له كتابة المحضر").waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.dir), "rtl");
  await page.screenshot({ path: join(shots, "minutes-together-ar.png"), fullPage: true });
});

test("a leader names a member a minute-taker, and the member may then write the minutes", async () => {
  const page = await meetingPage();
  await openMeeting(page, "Budget and finance", MEETING);
  const member = "Representative, The Redress Trust";
  const box = page.getByRole("group", { name: "Minute-takers" }).getByRole("checkbox", { name: member });
  // The box follows the stored record: it turns checked once the naming is saved.
  await box.click();
  for (let i = 0; i < 50 && !(await box.isChecked()); i++) await page.waitForTimeout(100);
  assert.ok(await box.isChecked(), "the naming is stored");
  await page.screenshot({ path: join(shots, "minute-takers-en.png"), fullPage: true });

  // Acting as the member: the minutes are theirs to write now.
  await page.getByTestId("acting-person").selectOption({ label: member });
  await page.getByRole("heading", { name: MEETING }).waitFor();
  await page.getByRole("button", { name: "Edit the minutes" }).click();
  await page.locator("textarea[name=minutes]").pressSequentially("The Redress Trust takes the minutes. ");
  await page.getByRole("status").getByText("Saved").waitFor();
  assert.deepEqual(page.problems, [], "no error in the page");
});

// A group's board of tracked issues: a leader moves a card by dragging it and by keyboard
// alone (the arrow keys follow the reading direction, so in Arabic they are mirrored).
// Saves test-results/browser/board-<language>.png.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
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

async function statusOf(title) {
  const issues = await api(bridge, "list_tracked_issues", {});
  return issues.find((i) => i.title === title)?.status;
}

async function waitForStatus(title, status) {
  for (let i = 0; i < 50; i++) {
    if ((await statusOf(title)) === status) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(await statusOf(title), status, `${title} is ${status}`);
}

async function boardIn(language) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript((l) => localStorage.setItem("caucus.language", l), language);
  const page = await context.newPage();
  await page.goto(`${bridge.url}/#token=${bridge.token}`);
  await page.getByTestId("nav-groups").click();
  await page.getByRole("button", { name: "Budget and finance" }).click();
  await page.getByTestId("issue-board").waitFor();
  return page;
}

test("a leader moves an issue by dragging and by keyboard", async () => {
  const page = await boardIn("en");
  const title = "Arrears of States Parties";
  const card = page.getByTestId("issue-card").filter({ hasText: title });
  assert.equal(await statusOf(title), "monitoring");
  // Drag to "Resolved".
  await card.dragTo(page.locator('section[data-status="resolved"]'));
  await waitForStatus(title, "resolved");
  await page.locator('section[data-status="resolved"]').getByText(title).waitFor();
  // Keyboard: focus the card, arrow left twice → back to "monitoring".
  await page.getByTestId("issue-card").filter({ hasText: title }).focus();
  await page.keyboard.press("ArrowLeft");
  await waitForStatus(title, "action_needed");
  await page.locator('section[data-status="action_needed"]').getByText(title).waitFor();
  await page.keyboard.press("ArrowLeft");
  await waitForStatus(title, "monitoring");
  await page.getByText(`“${title}” moved to Monitoring.`).waitFor();
  await page.screenshot({ path: join(shots, "board-en.png"), fullPage: true });
});

test("in Arabic the arrow keys follow the reading direction", async () => {
  const page = await boardIn("ar");
  const title = "Arrears of States Parties";
  const start = await statusOf(title);
  await page.getByTestId("issue-card").filter({ hasText: title }).focus();
  // Right to left: the left arrow moves toward the end of the line, the next column.
  await page.keyboard.press("ArrowLeft");
  const order = ["open", "monitoring", "action_needed", "resolved"];
  await waitForStatus(title, order[order.indexOf(start) + 1]);
  await page.screenshot({ path: join(shots, "board-ar.png"), fullPage: true });
});

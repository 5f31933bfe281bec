// What the browser tests of a workflow share: one Chromium per test file, a page in a language
// on a bridge, collecting script errors, and axe-core's serious or critical findings in a part
// of it.
import { after, before } from "node:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { chromium } from "playwright-core";
import { chromiumArgs, root } from "./bridge.mjs";

/** Where the browser tests save their screenshots. */
export const shots = join(root, "test-results/browser");

/** Launches Debian's Chromium before the file's tests and closes it after them; returns a
 * getter, since the browser exists only once `before` has run. */
export function sharedBrowser() {
  let browser;
  before(async () => {
    mkdirSync(shots, { recursive: true });
    browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: chromiumArgs });
  });
  after(async () => {
    await browser?.close();
  });
  return () => browser;
}

/** A fresh context in `language` (as the Settings screen stores it) and the app open on
 * `bridge`; `problems` collects uncaught script errors. */
export async function openIn(browser, bridge, language) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript((l) => localStorage.setItem("caucus.language", l), language);
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(e.message));
  await page.goto(`${bridge.url}/#token=${bridge.token}`);
  return { context, page, problems };
}

/** axe-core's serious and critical violations within `selector`, one line each with where. */
export async function seriousViolations(page, selector) {
  const result = await new AxeBuilder({ page }).include(selector).analyze();
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(" ")}`);
}

/** The locale the UI gives `Intl` in `language` by default: Arabic in its own digits, made
 * explicit (the app's `intlLocale`), so a test checks a date or a number against the same. */
export function intlLocale(language) {
  return language === "ar" ? "ar-u-nu-arab" : language;
}

/** A form field's value once it settles on `expected` (or what it holds after five seconds):
 * a form empties when its write returns, and the list that write changes may reload first. */
export async function settledValue(locator, expected) {
  let value = await locator.inputValue();
  for (let i = 0; i < 50 && value !== expected; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await locator.inputValue();
  }
  return value;
}

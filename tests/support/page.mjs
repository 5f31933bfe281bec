// What the browser tests of a workflow share: a page in a language on a bridge, collecting
// script errors, and axe-core's serious or critical findings in a part of it.
import AxeBuilder from "@axe-core/playwright";

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

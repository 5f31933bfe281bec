// The top bar on a laptop: one row at 1280 and 1440 px in all five languages, and still in
// view at the foot of a long team page. Saves test-results/browser/topbar-<language>-<width>.png.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { startBridge } from "../support/bridge.mjs";
import { sharedBrowser, shots } from "../support/page.mjs";

const browser = sharedBrowser();

test("the top bar is one row that stays in view, in every language, at 1280 and 1440 px", async () => {
  const bridge = await startBridge();
  try {
    for (const language of ["en", "fr", "es", "pt", "ar"]) {
      for (const width of [1280, 1440]) {
        const context = await browser().newContext({ viewport: { width, height: 800 } });
        await context.addInitScript((l) => localStorage.setItem("caucus.language", l), language);
        const page = await context.newPage();
        await page.goto(`${bridge.url}/#token=${bridge.token}`);
        const bar = page.locator("header.topbar");
        await page.getByTestId("nav-groups").click();
        await page.locator(".tile").first().click();
        await page.locator("main h1").waitFor();
        const items = await bar.evaluate((b) =>
          [...b.querySelectorAll(".brand, nav, .search, .acting")].map((e) => e.getBoundingClientRect().top),
        );
        const top = Math.min(...items);
        assert.ok(
          items.every((t) => Math.abs(t - top) < 12),
          `${language} at ${width} px: the bar's parts sit on one row (${items.join(", ")})`,
        );
        await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
        const box = await bar.boundingBox();
        assert.ok(box && Math.abs(box.y) < 1, `${language} at ${width} px: the bar stays in view (${box?.y})`);
        if (language === "en" || language === "ar") await bar.screenshot({ path: join(shots, `topbar-${language}-${width}.png`) });
        await context.close();
      }
    }
  } finally {
    bridge.stop();
  }
});

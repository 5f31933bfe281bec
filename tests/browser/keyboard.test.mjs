// Every workflow with the keyboard alone, in English and in Arabic: no click, no fill. The
// test moves focus with Tab (and Shift+Tab), types, and presses Enter, Space and the arrow
// keys; at every stop it checks that the focused control shows a visible focus outline.
// A leader joins nothing and posts a recommendation, takes it under review, comments, records
// a meeting's agenda item, chooses a digest for a group, and makes the PDF report.
// Saves test-results/browser/keyboard-<language>.png.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { api, chromiumArgs, root, startBridge } from "../support/bridge.mjs";

let bridge;
let browser;
const shots = join(root, "test-results/browser");
const home = mkdtempSync(join(tmpdir(), "caucus-home-"));

before(async () => {
  mkdirSync(shots, { recursive: true });
  mkdirSync(join(home, "Downloads"));
  bridge = await startBridge({ env: { HOME: home } });
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: chromiumArgs });
});

after(async () => {
  await browser?.close();
  bridge?.stop();
});

/**
 * Presses Tab until the focused element matches `selector` (and, if given, has `name` in its
 * text, label or value), then checks its focus is visible. Fails after `max` presses.
 */
async function tabTo(page, selector, name, { max = 250, back = false } = {}) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? "Shift+Tab" : "Tab");
    const found = await page.evaluate(
      ([selector, name]) => {
        const el = document.activeElement;
        if (!el || !el.matches(selector)) return null;
        const label = el.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent : "";
        const text = [el.textContent, el.getAttribute("aria-label"), el.closest("label")?.textContent, label, el.name]
          .filter(Boolean)
          .join(" ");
        if (name && !text.includes(name)) return null;
        const style = getComputedStyle(el);
        const sibling = el.nextElementSibling ? getComputedStyle(el.nextElementSibling) : null;
        // A hidden native control shows its focus on the visible element after it.
        const visible = style.outlineStyle !== "none" || (style.opacity === "0" && sibling?.outlineStyle !== "none");
        return { visible, text: text.slice(0, 80) };
      },
      [selector, name ?? null],
    );
    if (found) {
      assert.ok(found.visible, `focus is visible on ${selector} ${name ?? ""} (${found.text})`);
      return;
    }
  }
  assert.fail(`Tab never reached ${selector} ${name ?? ""}`);
}

const words = {
  en: {
    groups: "Groups",
    post: "Post a recommendation",
    create: "Create",
    open: "Open",
    review: "Under review",
    comment: "Comment",
    notifications: "Notifications",
    report: "PDF report",
  },
  ar: {
    groups: "المجموعات",
    post: "نشر توصية",
    create: "إنشاء",
    open: "مفتوحة",
    review: "قيد المراجعة",
    comment: "تعليق",
    notifications: "الإشعارات",
    report: "تقرير PDF",
  },
};

for (const language of ["en", "ar"]) {
  test(`a leader's workflows with the keyboard alone (${language})`, async () => {
    const w = words[language];
    const groups = await api(bridge, "list_groups", {});
    const group = groups.find((g) => g.name === (language === "en" ? "Budget and finance" : "Gender justice"));
    const leader = (await api(bridge, "list_memberships", { group_id: group.id })).find((m) => m.role === "leader");
    await api(bridge, "set_acting_person", { person_id: leader.person_id });

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addInitScript((l) => localStorage.setItem("caucus.language", l), language);
    const page = await context.newPage();
    const problems = [];
    page.on("pageerror", (e) => problems.push(e.message));
    page.on("dialog", (d) => d.accept());
    await page.goto(`${bridge.url}/#token=${bridge.token}`);
    await page.getByTestId("awaiting").waitFor();

    // Groups → the team.
    await tabTo(page, "[data-testid=nav-groups]");
    await page.keyboard.press("Enter");
    await page.locator(".tiles").first().waitFor();
    await tabTo(page, "button.tile", group.name);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: group.name, level: 1 }).waitFor();

    // Post a recommendation.
    const title = language === "en" ? "Publish the Registry's budget annex" : "نشر ملحق ميزانية قلم المحكمة";
    await tabTo(page, "summary", w.post);
    await page.keyboard.press("Enter");
    await tabTo(page, "input[name=rec-title]");
    await page.keyboard.type(title);
    await tabTo(page, "textarea[name=rec-body]");
    await page.keyboard.type(language === "en" ? "Ask the Registry to publish it." : "نطلب من قلم المحكمة نشره.");
    await tabTo(page, "button[type=submit]", w.create);
    await page.keyboard.press("Enter");
    await page.getByTestId("rec-state").getByText(w.open).waitFor();
    await page.getByRole("heading", { name: title }).waitFor();

    // Under review, by keyboard.
    await tabTo(page, "[data-testid=move-under_review]");
    await page.keyboard.press("Enter");
    await page.getByTestId("rec-state").getByText(w.review).waitFor();

    // A comment.
    const comment = language === "en" ? "Figures follow by Friday." : "ستصل الأرقام يوم الجمعة.";
    await tabTo(page, "textarea[name=comment]");
    await page.keyboard.type(comment);
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await page.locator(".comments").getByText(comment).waitFor();

    // Notifications: choose a daily digest for the team with the arrow keys.
    await tabTo(page, "[data-testid=nav-notifications]", null, { back: true });
    await page.keyboard.press("Enter");
    await page.getByTestId("notification-groups").waitFor();
    await tabTo(page, "select", group.name);
    await page.keyboard.press("ArrowDown");
    for (let i = 0; i < 50; i++) {
      const hearing = (await api(bridge, "notifications", { utc_offset_minutes: 0 })).groups.find((g) => g.group_id === group.id)?.hearing;
      if (hearing === "digest") break;
      await page.waitForTimeout(100);
    }
    const hearing = (await api(bridge, "notifications", { utc_offset_minutes: 0 })).groups.find((g) => g.group_id === group.id).hearing;
    assert.equal(hearing, "digest", "the arrow key chose the daily digest");

    // The PDF report of the team.
    await tabTo(page, "[data-testid=nav-groups]", null, { back: true });
    await page.keyboard.press("Enter");
    await tabTo(page, "button.tile", group.name);
    await page.keyboard.press("Enter");
    await tabTo(page, "button", w.report);
    await page.keyboard.press("Enter");
    await page.getByTestId("report-saved").waitFor();
    await page.screenshot({ path: join(shots, `keyboard-${language}.png`), fullPage: true });

    const recs = await api(bridge, "list_recommendations", { group_id: group.id });
    const made = recs.find((r) => r.title === title);
    assert.equal(made?.state, "under_review", "posted and reviewed by keyboard");
    assert.deepEqual(problems, [], "no script errors");
    await context.close();
  });
}

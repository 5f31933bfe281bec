// Notifications in a real browser: a team leader hears that a member commented, sees why,
// switches the team to a daily digest, and marks everything read; an author is told, in so
// many words, that the team adopted their recommendation; in English and in Arabic.
// Saves test-results/browser/notifications-<language>.png and notifications-adopted-<language>.png.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { api, chromiumArgs, root, startBridge } from "../support/bridge.mjs";
import { intlLocale, openIn } from "../support/page.mjs";

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

/** The leader of a demo team, a member's recommendation in it, and its author. */
async function team(name) {
  const group = (await api(bridge, "list_groups", {})).find((g) => g.name === name);
  const members = await api(bridge, "list_memberships", { group_id: group.id });
  const leader = members.find((m) => m.role === "leader").person_id;
  const rec = (await api(bridge, "list_recommendations", { group_id: group.id })).find((r) => r.author_id !== leader);
  return { group, leader, rec, author: rec.author_id };
}

const words = {
  en: {
    why: "Why do I see this?",
    member: "You are a member of",
    digest: "A daily digest",
    held: "tomorrow's digest",
    markRead: "Mark all as read",
    none: "0 unread",
    commented: "new comment by",
    adopted: "adopted by",
  },
  ar: {
    why: "لماذا أرى هذا؟",
    member: "أنت عضو في",
    digest: "ملخص يومي",
    held: "ملخص الغد",
    markRead: "تعليم الكل كمقروء",
    none: "لا إشعارات غير مقروءة",
    commented: "تعليق جديد من",
    adopted: "اعتمدها",
  },
};

for (const language of ["en", "ar"]) {
  test(`a leader hears of a member's comment and chooses a digest (${language})`, async () => {
    const w = words[language];
    const { group, leader, rec, author } = await team(language === "en" ? "Budget and finance" : "Gender justice");
    // The choice of the previous run does not carry over: each language uses its own team.
    await api(bridge, "set_acting_person", { person_id: leader });
    await api(bridge, "mark_notifications_read", { utc_offset_minutes: 0 });
    await api(bridge, "set_acting_person", { person_id: author });
    const body = language === "en" ? "The Committee's figures are attached." : "أرفقنا أرقام اللجنة.";
    await api(bridge, "create_comment", { recommendation_id: rec.id, body });
    await api(bridge, "set_acting_person", { person_id: leader });

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addInitScript((l) => localStorage.setItem("caucus.language", l), language);
    const page = await context.newPage();
    const problems = [];
    page.on("pageerror", (e) => problems.push(e.message));
    await page.goto(`${bridge.url}/#token=${bridge.token}`);

    // The navigation counts the unread notification.
    const nav = page.getByTestId("nav-notifications");
    await nav.locator(".count").waitFor();
    assert.equal((await nav.locator(".count").innerText()).trim(), new Intl.NumberFormat(intlLocale(language)).format(1));
    await nav.click();

    // The comment is listed, leads to its recommendation, and says why it is shown.
    const item = page.locator("[data-testid=notification][data-kind=comment]").filter({ hasText: rec.title });
    await item.waitFor();
    const what = await item.getByTestId("notification-what").innerText();
    const authorName = (await api(bridge, "list_people", {})).find((p) => p.id === author).name;
    assert.ok(what.includes(w.commented) && what.includes(authorName), `the line names what happened: ${what}`);
    await item.getByRole("button", { name: w.why }).click();
    const why = await item.locator(".why").innerText();
    assert.ok(why.includes(w.member) && why.includes(group.name), why);
    await page.screenshot({ path: join(shots, `notifications-${language}.png`), fullPage: true });

    // A daily digest holds today's news for tomorrow.
    await page.getByRole("combobox", { name: group.name }).selectOption({ label: w.digest });
    await page.getByTestId("held-for-digest").filter({ hasText: w.held }).waitFor();
    assert.equal(await page.locator("[data-testid=notification][data-kind=comment]").filter({ hasText: rec.title }).count(), 0);
    const choice = (await api(bridge, "notifications", { utc_offset_minutes: 0 })).groups.find(
      (g) => g.group_id === group.id,
    );
    assert.equal(choice.hearing, "digest", "the choice is kept");

    // Back to every change; opening the item goes to the recommendation.
    await page.getByRole("combobox", { name: group.name }).selectOption("every");
    await page.locator("[data-testid=notification][data-kind=comment]").filter({ hasText: rec.title }).getByRole("button", { name: rec.title }).waitFor();
    await page.getByRole("button", { name: w.markRead }).click();
    await page.getByRole("heading", { name: w.none }).waitFor();
    // The navigation reads its count on its own, on the same event: it may land a moment after.
    await nav.locator(".count").waitFor({ state: "detached" });
    await page.locator("[data-testid=notification][data-kind=comment]").filter({ hasText: rec.title }).getByRole("button", { name: rec.title }).click();
    await page.getByRole("heading", { name: rec.title }).waitFor();
    assert.deepEqual(problems, [], "no script errors");
    await context.close();
  });
}

for (const language of ["en", "ar"]) {
  test(`an author is told the team adopted their recommendation (${language})`, async () => {
    const w = words[language];
    const { group, leader, rec, author } = await team(language === "en" ? "ICC and ASP Elections" : "Budget and finance");
    await api(bridge, "set_acting_person", { person_id: author });
    await api(bridge, "mark_notifications_read", { utc_offset_minutes: 0 });
    await api(bridge, "set_acting_person", { person_id: leader });
    if (rec.state === "open") await api(bridge, "transition_recommendation", { id: rec.id, to: "under_review" });
    await api(bridge, "draft_answer", { id: rec.id, decision: "adopted", text: "Adopted for the Assembly." });
    await api(bridge, "publish_answer", { id: rec.id });
    await api(bridge, "set_acting_person", { person_id: author });

    const { context, page, problems } = await openIn(browser, bridge, language);
    await page.getByTestId("nav-notifications").click();
    const item = page.locator("[data-testid=notification][data-kind=recommendation]").filter({ hasText: rec.title });
    await item.waitFor();
    const what = await item.getByTestId("notification-what").innerText();
    assert.ok(what.includes(w.adopted) && what.includes(group.name), `the author is told it was adopted: ${what}`);
    await item.screenshot({ path: join(shots, `notifications-adopted-${language}.png`) });
    assert.deepEqual(problems, [], "no script errors");
    await context.close();
  });
}

// A tracked issue's page: a team leader opens a card from the board, writes what it is about,
// gives it to a member with a due date and labels, and the member finds it in My work and on
// the board filtered to their own; dates in the screen's language (checked against Intl); in
// English and in Arabic, checked by axe-core. Saves test-results/browser/issue-<language>.png.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { api, startBridge } from "../support/bridge.mjs";
import { openIn, seriousViolations, sharedBrowser, shots, intlLocale } from "../support/page.mjs";

const browser = sharedBrowser();
const TITLE = "Arrears of States Parties";

for (const language of ["en", "ar"]) {
  test(`a leader gives an issue to a member, who finds it in My work (${language})`, async () => {
    const bridge = await startBridge();
    try {
      const team = (await api(bridge, "list_groups", {})).find((g) => g.name === "Budget and finance");
      const members = await api(bridge, "list_memberships", { group_id: team.id });
      const leader = members.find((m) => m.role === "leader");
      const member = members.find((m) => m.role === "member");
      const people = await api(bridge, "list_people", {});
      const memberName = people.find((p) => p.id === member.person_id).name;
      await api(bridge, "set_acting_person", { person_id: leader.person_id });

      const { context, page, problems } = await openIn(browser(), bridge, language);
      await page.getByTestId("nav-groups").click();
      await page.getByRole("button", { name: "Budget and finance" }).click();
      await page.getByTestId("issue-card").filter({ hasText: TITLE }).getByRole("button", { name: TITLE }).click();
      await page.getByTestId("issue-title").getByText(TITLE).waitFor();

      await page.locator(".page details > summary").first().click();
      const form = page.getByTestId("issue-edit");
      await form.locator("textarea").fill("**Forty** States Parties are in arrears.");
      // The due date through the calendar, which speaks the screen's language and digits.
      await form.getByTestId("issue-due-field").locator(".date-button").click();
      const calendar = form.locator(".date-popover");
      await calendar.locator(".rdp-years_dropdown").selectOption("2026");
      await calendar.locator(".rdp-months_dropdown").selectOption("11");
      const december = await page.evaluate((l) => new Intl.DateTimeFormat(l, { month: "long" }).format(new Date(2026, 11, 1)), intlLocale(language));
      assert.match(await calendar.locator(".rdp-months_dropdown option:checked").textContent(), new RegExp(december));
      const twenty = await page.evaluate((l) => new Intl.NumberFormat(l).format(20), intlLocale(language));
      // (The calendar writes even its data-day attribute in those digits.)
      const dayButton = calendar.locator("td:not([data-outside]) button").filter({ hasText: new RegExp(`^${twenty}$`) });
      assert.equal(await dayButton.count(), 1, `day ${twenty} in the screen's digits`);
      assert.equal(await calendar.locator(".rdp-root").getAttribute("dir"), language === "ar" ? "rtl" : "ltr");
      await page.screenshot({ path: join(shots, `issue-calendar-${language}.png`) });
      await dayButton.click();
      await page.getByTestId("issue-assign").getByRole("checkbox", { name: memberName }).check();
      await form.locator("input:not([type])").last().fill("budget, arrears");
      await form.locator("button[type=submit]").click();

      await page.getByTestId("issue-assignees").getByText(memberName).waitFor();
      const day = await page.evaluate((l) => new Intl.DateTimeFormat(l, { dateStyle: "medium" }).format(new Date(2026, 11, 20)), intlLocale(language));
      assert.equal((await page.getByTestId("issue-due").textContent()).trim(), day, "the due date in the screen's language");
      await page.locator(".markdown strong", { hasText: "Forty" }).waitFor();
      await page.getByTestId("issue-labels").getByText("arrears").waitFor();
      // The history names who gave it to whom.
      await page.getByTestId("history").getByText(memberName).first().waitFor();
      const saved = (await api(bridge, "list_tracked_issues", { group_id: team.id })).find((i) => i.title === TITLE);
      assert.deepEqual(saved.assignee_ids, [member.person_id]);
      assert.equal(saved.due_date, "2026-12-20");
      assert.deepEqual(saved.labels, ["budget", "arrears"]);

      assert.deepEqual(await seriousViolations(page, "main"), [], "the issue page is accessible");
      await page.screenshot({ path: join(shots, `issue-${language}.png`), fullPage: true });

      // The leader plans the team's next meeting: the day from the calendar, the time from a list
      // written in the screen's language; the meeting page says it back the same way.
      await page.getByTestId("nav-groups").click();
      await page.getByRole("button", { name: "Budget and finance" }).click();
      const plan = page.locator("details", { has: page.getByText(language === "ar" ? "التخطيط لاجتماع" : "Plan a meeting") });
      await plan.locator("summary").click();
      await plan.locator('input[name="meeting-title"]').fill(`Arrears briefing ${language}`);
      await plan.locator("button[type=submit]").click();
      await plan.getByRole("alert").waitFor(); // no date chosen yet: said, nothing created
      await plan.getByTestId("meeting-day").locator(".date-button").click();
      await plan.locator(".rdp-years_dropdown").selectOption("2027");
      await plan.locator(".rdp-months_dropdown").selectOption("0");
      const fifteen = await page.evaluate((l) => new Intl.NumberFormat(l).format(15), intlLocale(language));
      await plan.locator("td:not([data-outside]) button").filter({ hasText: new RegExp(`^${fifteen}$`) }).click();
      await plan.locator("select").last().selectOption("14:30");
      await plan.screenshot({ path: join(shots, `meeting-plan-${language}.png`) });
      await plan.locator("button[type=submit]").click();
      const when = await page.evaluate(
        (l) => new Intl.DateTimeFormat(l, { dateStyle: "medium", timeStyle: "short" }).format(new Date(2027, 0, 15, 14, 30)),
        intlLocale(language),
      );
      assert.equal((await page.getByTestId("meeting-when").textContent()).trim(), when, "the meeting's time in the screen's language");
      // Rescheduled later the same day, somewhere now known.
      await page.locator("summary", { hasText: language === "ar" ? "تعديل" : "Edit" }).first().click();
      const edit = page.getByTestId("meeting-edit");
      await edit.locator("select").last().selectOption("16:00");
      await edit.locator("input:not([type])").last().fill("The Hague");
      await page.screenshot({ path: join(shots, `meeting-edit-${language}.png`) });
      await edit.locator("button[type=submit]").click();
      const later = await page.evaluate(
        (l) => new Intl.DateTimeFormat(l, { dateStyle: "medium", timeStyle: "short" }).format(new Date(2027, 0, 15, 16, 0)),
        intlLocale(language),
      );
      await page.getByTestId("meeting-when").getByText(later, { exact: true }).waitFor();
      await page.getByText("The Hague").first().waitFor();

      // The member: My work lists it, and it opens the page.
      await api(bridge, "set_acting_person", { person_id: member.person_id });
      await page.reload();
      const assigned = page.getByTestId("assigned");
      await assigned.getByRole("button", { name: TITLE }).click();
      await page.getByTestId("issue-title").getByText(TITLE).waitFor();

      // The board, filtered to their own issues, shows only this one.
      await page.getByTestId("nav-groups").click();
      await page.getByRole("button", { name: "Budget and finance" }).click();
      await page.getByTestId("issue-board").waitFor();
      assert.ok((await page.getByTestId("issue-card").count()) > 1, "the team tracks several issues");
      await page.getByTestId("filter-assignee").selectOption(member.person_id);
      for (let i = 0; i < 50 && (await page.getByTestId("issue-card").count()) !== 1; i++) await page.waitForTimeout(50);
      assert.equal(await page.getByTestId("issue-card").count(), 1, "only the issue given to me");
      await page.getByTestId("issue-card").getByText(day).waitFor();
      await page.getByTestId("filter-due").selectOption("none");
      for (let i = 0; i < 50 && (await page.getByTestId("issue-card").count()) !== 0; i++) await page.waitForTimeout(50);
      assert.equal(await page.getByTestId("issue-card").count(), 0, "mine all have a due date");
      assert.deepEqual(problems, [], "no script errors");
      await context.close();
    } finally {
      bridge.stop();
    }
  });
}

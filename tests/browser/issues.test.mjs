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
      await form.locator("input[type=date]").fill("2026-12-20");
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

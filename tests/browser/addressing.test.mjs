// A member posts a recommendation addressed to a member organization, chosen in the form by a
// fragment of its name; the page says to whom it is addressed, and the organization's
// representative finds it in My work; in English and in Arabic, checked by axe-core. Saves
// test-results/browser/addressed-<language>.png; and one addressed to the steering committee
// reaching a committee member's My work (addressed-committee-<language>.png).
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { api, startBridge } from "../support/bridge.mjs";
import { openIn, seriousViolations, sharedBrowser, shots } from "../support/page.mjs";

const browser = sharedBrowser();

for (const language of ["en", "ar"]) {
  test(`a recommendation addressed to an organization reaches its representative's My work (${language})`, async () => {
    const bridge = await startBridge();
    try {
      const team = (await api(bridge, "list_groups", {})).find((g) => g.name === "Budget and finance");
      const member = (await api(bridge, "list_memberships", { group_id: team.id })).find((m) => m.role === "member");
      const organizations = await api(bridge, "list_organizations", {});
      const amnesty = organizations.find((o) => o.name === "Amnesty International");
      const people = await api(bridge, "list_people", {});
      const representative = people.find((p) => p.organization_id === amnesty.id);
      await api(bridge, "set_acting_person", { person_id: member.person_id });
      const title = `Brief the Committee on Budget and Finance early (${language})`;

      const { context, page, problems } = await openIn(browser(), bridge, language);
      await page.getByTestId("nav-groups").click();
      await page.getByRole("button", { name: "Budget and finance" }).click();
      const form = page.locator("details", { has: page.locator("input[name=rec-title]") });
      await form.locator("summary").first().click();
      await page.locator("input[name=rec-title]").fill(title);
      await page.locator("textarea[name=rec-body]").fill("Member organizations should see the proposal before it meets.");
      await page.getByTestId("rec-addressee").selectOption("organizations");
      await page.getByTestId("org-picker-find").fill("amnesty");
      await page.getByTestId("org-picker").getByRole("button", { name: "Amnesty International" }).click();
      await page.getByTestId("org-picker-chosen").getByText("Amnesty International").waitFor();
      await form.locator("button[type=submit]").click();

      await page.getByTestId("rec-addressee").getByText("Amnesty International").waitFor();
      const posted = (await api(bridge, "list_recommendations", { group_id: team.id })).find((r) => r.title === title);
      assert.equal(posted.addressee, "organizations");
      assert.deepEqual(posted.addressee_ids, [amnesty.id]);
      assert.deepEqual(await seriousViolations(page, "main"), [], "the page is accessible");
      await page.screenshot({ path: join(shots, `addressed-${language}.png`) });

      await api(bridge, "set_acting_person", { person_id: representative.id });
      await page.reload();
      await page.getByTestId("addressed").getByRole("button", { name: title }).click();
      await page.getByTestId("rec-addressee").waitFor();
      assert.deepEqual(problems, [], "no script errors");
      await context.close();
    } finally {
      bridge.stop();
    }
  });
}

for (const language of ["en", "ar"]) {
  test(`a recommendation addressed to the steering committee reaches its members' My work (${language})`, async () => {
    const bridge = await startBridge();
    try {
      const team = (await api(bridge, "list_groups", {})).find((g) => g.name === "Budget and finance");
      const member = (await api(bridge, "list_memberships", { group_id: team.id })).find((m) => m.role === "member");
      const steering = (await api(bridge, "list_groups", { kind: "steering_committee" }))[0];
      const onIt = (await api(bridge, "list_memberships", { group_id: steering.id }))[0];
      await api(bridge, "set_acting_person", { person_id: member.person_id });
      const title = `Put the Court's budget before the steering committee (${language})`;

      const { context, page, problems } = await openIn(browser(), bridge, language);
      await page.getByTestId("nav-groups").click();
      await page.getByRole("button", { name: "Budget and finance" }).click();
      const form = page.locator("details", { has: page.locator("input[name=rec-title]") });
      await form.locator("summary").first().click();
      await page.locator("input[name=rec-title]").fill(title);
      await page.locator("textarea[name=rec-body]").fill("The committee meets before the Assembly.");
      await page.getByTestId("rec-addressee").selectOption("steering_committee");
      await form.locator("button[type=submit]").click();
      await page.locator("h1", { hasText: title }).waitFor();
      const posted = (await api(bridge, "list_recommendations", { group_id: team.id })).find((r) => r.title === title);
      assert.equal(posted.addressee, "steering_committee");

      await api(bridge, "set_acting_person", { person_id: onIt.person_id });
      await page.reload();
      await page.getByTestId("nav-my-work").click();
      const section = page.getByTestId("addressed-committee");
      await section.getByRole("button", { name: title }).waitFor();
      assert.deepEqual(await seriousViolations(page, "main"), [], "My work is accessible");
      await section.screenshot({ path: join(shots, `addressed-committee-${language}.png`) });
      assert.deepEqual(problems, [], "no script errors");
      await context.close();
    } finally {
      bridge.stop();
    }
  });
}

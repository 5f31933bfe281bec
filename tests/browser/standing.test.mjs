// The secretariat keeps the coalition's roll: in the directory it suspends a member
// organization, and that organization's representative, on a recommendation they could
// endorse, is told why they cannot; in English and in Arabic, checked by axe-core. Saves
// test-results/browser/standing-directory-<language>.png and standing-recommendation-<language>.png.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { api, startBridge } from "../support/bridge.mjs";
import { openIn, seriousViolations, sharedBrowser, shots } from "../support/page.mjs";

const browser = sharedBrowser();

for (const language of ["en", "ar"]) {
  test(`a suspended organization's representative cannot endorse, and is told why (${language})`, async () => {
    const bridge = await startBridge();
    try {
      const groups = await api(bridge, "list_groups", {});
      const team = groups.find((g) => g.name === "Budget and finance");
      const recs = await api(bridge, "list_recommendations", { group_id: team.id });
      const rec = recs.find((r) => r.state === "open");
      const endorsed = new Set((await api(bridge, "list_endorsements", { recommendation_id: rec.id })).map((e) => e.organization_id));
      const people = await api(bridge, "list_people", {});
      const rep = people.find((p) => p.organization_id && !p.secretariat_admin && !endorsed.has(p.organization_id));
      const organizations = await api(bridge, "list_organizations", {});
      const org = organizations.find((o) => o.id === rep.organization_id);

      const { context, page, problems } = await openIn(browser(), bridge, language);
      page.on("dialog", (d) => d.accept());
      await page.getByTestId("nav-directory").click();
      await page.getByTestId("filter-text").fill(org.name);
      const row = page.getByTestId("org-list").locator(".actions", { hasText: org.name }).first();
      await row.getByTestId("org-status").selectOption("suspended");
      await page.getByTestId("filter-status").selectOption("suspended");
      await row.waitFor();
      const after = (await api(bridge, "list_organizations", {})).find((o) => o.id === org.id);
      assert.equal(after.status, "suspended", "the secretariat suspended it");
      assert.deepEqual(await seriousViolations(page, "main"), [], "the directory is accessible");
      await page.locator("main").screenshot({ path: join(shots, `standing-directory-${language}.png`) });

      await api(bridge, "set_acting_person", { person_id: rep.id });
      await page.reload();
      await page.getByTestId("nav-groups").click();
      await page.getByRole("button", { name: "Budget and finance" }).click();
      await page.getByRole("button", { name: rec.title }).click();
      await page.getByTestId("cannot-endorse").waitFor();
      const endorseLabel = { en: "Endorse for my organization", ar: null }[language];
      if (endorseLabel) assert.equal(await page.getByRole("button", { name: endorseLabel }).count(), 0, "no endorse button");
      const refused = await fetch(`${bridge.url}/api/endorse_recommendation`, {
        method: "POST",
        body: JSON.stringify({ recommendation_id: rec.id }),
        headers: { authorization: `Bearer ${bridge.token}`, "content-type": "application/json" },
      });
      assert.equal(refused.status, 403, "the command refuses it too");
      assert.deepEqual(await seriousViolations(page, "main"), [], "the recommendation is accessible");
      await page.locator("main").screenshot({ path: join(shots, `standing-recommendation-${language}.png`) });
      assert.deepEqual(problems, [], "no script errors");
      await context.close();
    } finally {
      bridge.stop();
    }
  });
}

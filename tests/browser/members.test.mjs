// A team leader adds people to their team in the UI: three organizations found by name (each
// brings its people), two people pasted as a list with one name the directory does not know,
// all added at once; and a person outside the team asks to join and its leader accepts them. In
// English and in Arabic, checked by axe-core. Saves test-results/browser/members-chosen-<language>.png,
// members-<language>.png, members-asked-<language>.png and members-applicants-<language>.png.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { api, startBridge } from "../support/bridge.mjs";
import { openIn, seriousViolations, settledValue, sharedBrowser, shots } from "../support/page.mjs";

const browser = sharedBrowser();

for (const language of ["en", "ar"]) {
  test(`a team leader adds three organizations and two people to the team (${language})`, async () => {
    const bridge = await startBridge();
    try {
      const groups = await api(bridge, "list_groups", {});
      const team = groups.find((g) => g.name === "Budget and finance");
      const members = await api(bridge, "list_memberships", { group_id: team.id });
      const leader = members.find((m) => m.role === "leader");
      await api(bridge, "set_acting_person", { person_id: leader.person_id });
      const inTeam = new Set(members.map((m) => m.person_id));
      const people = await api(bridge, "list_people", {});
      const organizations = await api(bridge, "list_organizations", {});
      // Three organizations none of whose people is in the team yet; then two more people.
      const outside = organizations.filter((o) => {
        const theirs = people.filter((p) => p.organization_id === o.id);
        return theirs.length > 0 && theirs.every((p) => !inTeam.has(p.id));
      });
      const orgs = outside.slice(0, 3);
      const fromOrgs = people.filter((p) => orgs.some((o) => o.id === p.organization_id));
      const two = people.filter((p) => !inTeam.has(p.id) && !fromOrgs.includes(p)).slice(0, 2);
      assert.equal(orgs.length, 3, "the demo has organizations outside the team");
      assert.equal(two.length, 2, "and people outside it");

      const { context, page, problems } = await openIn(browser(), bridge, language);
      await page.getByTestId("nav-groups").click();
      await page.getByRole("button", { name: "Budget and finance" }).click();
      const panel = page.getByTestId("add-members");
      await panel.waitFor();

      for (const o of orgs) {
        await page.getByTestId("add-members-find").fill(o.name.slice(0, 12));
        await page.getByTestId("add-members-organization").filter({ hasText: o.name }).click();
      }
      await panel.locator("summary").click();
      await page.getByTestId("add-members-paste").fill(`${two[0].name}\n${two[1].email || two[1].name}\nNobody Known`);
      await panel.locator("details button").click();
      await page.getByTestId("add-members-unknown").getByText("Nobody Known").waitFor();
      const chosen = page.getByTestId("add-members-chosen").locator("li");
      assert.equal(await chosen.count(), fromOrgs.length + 2, "every person of the three organizations and the two pasted");

      await panel.screenshot({ path: join(shots, `members-chosen-${language}.png`) });
      await page.getByTestId("add-members-submit").click();
      await page.getByTestId("add-members-done").waitFor();
      const after = await api(bridge, "list_memberships", { group_id: team.id });
      const added = [...fromOrgs, ...two];
      for (const p of added) {
        assert.ok(after.some((m) => m.person_id === p.id && m.role === "member"), `${p.name} is a member now`);
      }
      assert.equal(after.length, members.length + added.length, "nobody else was added");
      // The members list shows them, and the form is ready for the next ones.
      for (const p of added) await page.locator(".card li", { hasText: p.name }).first().waitFor();
      assert.equal(await page.getByTestId("add-members-chosen").count(), 0, "the list of chosen people is emptied");
      assert.equal(await settledValue(page.getByTestId("add-members-find"), ""), "");
      if (language === "en") {
        await page.getByTestId("add-members-done").getByText(`Added ${added.length} people to the group.`).waitFor();
      }

      assert.deepEqual(await seriousViolations(page, "[data-testid=add-members]"), [], "adding people is accessible");
      await panel.screenshot({ path: join(shots, `members-${language}.png`) });
      assert.deepEqual(problems, [], "no script errors");
      await context.close();
    } finally {
      bridge.stop();
    }
  });
}

for (const language of ["en", "ar"]) {
  test(`a person asks to join a team and its leader accepts them (${language})`, async () => {
    const bridge = await startBridge();
    try {
      const groups = await api(bridge, "list_groups", {});
      const team = groups.find((g) => g.name === "Budget and finance");
      const members = await api(bridge, "list_memberships", { group_id: team.id });
      const leader = members.find((m) => m.role === "leader");
      const people = await api(bridge, "list_people", {});
      const asker = people.find((p) => p.organization_id && !p.secretariat_admin && !members.some((m) => m.person_id === p.id));
      await api(bridge, "set_acting_person", { person_id: asker.id });

      const { context, page, problems } = await openIn(browser(), bridge, language);
      await page.getByTestId("nav-groups").click();
      await page.getByRole("button", { name: "Budget and finance" }).click();
      await page.getByTestId("ask-to-join").click();
      await page.getByTestId("asked-to-join").waitFor();
      const asked = (await api(bridge, "list_memberships", { group_id: team.id })).find((m) => m.person_id === asker.id);
      assert.equal(asked?.role, "applicant", "asking makes an applicant, not a member");
      assert.equal(await page.getByTestId("new-recommendation").count(), 0, "an applicant cannot post yet");
      assert.deepEqual(await seriousViolations(page, "main"), [], "asking to join is accessible");
      await page.locator("main").screenshot({ path: join(shots, `members-asked-${language}.png`) });

      // The leader finds the request on the team's page and accepts it.
      await api(bridge, "set_acting_person", { person_id: leader.person_id });
      await page.reload();
      await page.getByTestId("nav-groups").click();
      await page.getByRole("button", { name: "Budget and finance" }).click();
      const request = page.getByTestId("applicants").locator("li", { hasText: asker.name });
      await request.waitFor();
      assert.deepEqual(await seriousViolations(page, "[data-testid=applicants]"), [], "the requests are accessible");
      await page.getByTestId("applicants").screenshot({ path: join(shots, `members-applicants-${language}.png`) });
      await request.getByRole("button").first().click();
      await page.getByTestId("applicants").waitFor({ state: "detached" });
      const accepted = (await api(bridge, "list_memberships", { group_id: team.id })).find((m) => m.person_id === asker.id);
      assert.equal(accepted?.role, "member", "accepted as a member");
      await page.locator(".card li", { hasText: asker.name }).first().waitFor();
      assert.deepEqual(problems, [], "no script errors");
      await context.close();
    } finally {
      bridge.stop();
    }
  });
}

test("a member sees no way to add people, and the command refuses them", async () => {
  const bridge = await startBridge();
  try {
    const groups = await api(bridge, "list_groups", {});
    const team = groups.find((g) => g.name === "Budget and finance");
    const members = await api(bridge, "list_memberships", { group_id: team.id });
    const member = members.find((m) => m.role === "member");
    await api(bridge, "set_acting_person", { person_id: member.person_id });
    const page = await browser().newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${bridge.url}/#token=${bridge.token}`);
    await page.getByTestId("nav-groups").click();
    await page.getByRole("button", { name: "Budget and finance" }).click();
    await page.getByRole("heading", { name: "Budget and finance" }).waitFor();
    assert.equal(await page.getByTestId("add-members").count(), 0, "only leaders and the secretariat add people");
    const people = await api(bridge, "list_people", {});
    const stranger = people.find((p) => !members.some((m) => m.person_id === p.id));
    const res = await fetch(`${bridge.url}/api/join_group`, {
      method: "POST",
      body: JSON.stringify({ group_id: team.id, person_id: stranger.id, role: "member" }),
      headers: { authorization: `Bearer ${bridge.token}`, "content-type": "application/json" },
    });
    assert.equal(res.status, 403, "a member cannot put someone else in the team");
    await page.close();
  } finally {
    bridge.stop();
  }
});

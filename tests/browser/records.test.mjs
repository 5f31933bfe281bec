// The fields every record screen now edits: the secretariat gives a new person an email and an
// organization its themes (found again by the directory's theme filter), a team's region is
// set and shown, and a leader writes an agenda item's notes and moves it up the agenda; in
// English and in Arabic, checked by axe-core. Saves test-results/browser/records-*.png.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { api, startBridge } from "../support/bridge.mjs";
import { openIn, seriousViolations, settledValue, sharedBrowser, shots } from "../support/page.mjs";

const browser = sharedBrowser();
let bridge;
before(async () => {
  bridge = await startBridge();
});
after(() => bridge.stop());

const WORDS = {
  en: { newOrganization: "New organization", newPerson: "New person", edit: "Edit", email: "Email", themes: "Themes (comma separated)", region: "Region", up: "Up", notes: "Notes", save: "Save", create: "Create" },
  ar: { newOrganization: "منظمة جديدة", newPerson: "شخص جديد", edit: "تعديل", email: "البريد الإلكتروني", themes: "المحاور (مفصولة بفواصل)", region: "المنطقة", up: "لأعلى", notes: "ملاحظات", save: "حفظ", create: "إنشاء" },
};

for (const language of ["en", "ar"]) {
  test(`emails, themes, a team's region and the agenda's order and notes, in the UI (${language})`, async () => {
    const w = WORDS[language];
    const { context, page, problems } = await openIn(browser(), bridge, language);

    // A new person with an email; the directory shows it.
    await page.getByTestId("nav-directory").click();
    const newPerson = page.locator("details", { has: page.getByText(w.newPerson, { exact: true }) });
    await newPerson.locator("summary").click();
    await newPerson.getByLabel(w.email).fill(`amina.${language}@example.org`);
    await newPerson.locator("input:not([type])").first().fill(`Amina Diallo ${language}`);
    await newPerson.getByRole("button", { name: w.create }).click();
    await page.getByTestId("filter-text").fill(`Amina Diallo ${language}`);
    await page.getByTestId("people-list").getByText(`amina.${language}@example.org`).waitFor();
    assert.equal(await settledValue(newPerson.getByLabel(w.email), ""), "", "the form is empty again for the next person");
    const person = (await api(bridge, "list_people", {})).find((p) => p.name === `Amina Diallo ${language}`);
    assert.equal(person.email, `amina.${language}@example.org`);

    // A new organization, its country chosen by its name in the screen's language.
    const newOrg = page.locator("details", { has: page.getByText(w.newOrganization, { exact: true }) });
    await newOrg.locator("summary").click();
    await newOrg.locator("input:not([type])").first().fill(`Kenya Human Rights Commission ${language}`);
    const kenya = await page.evaluate((l) => new Intl.DisplayNames([l], { type: "region" }).of("KE"), language);
    await newOrg.getByTestId("country").selectOption({ label: kenya });
    await newOrg.getByRole("button", { name: w.create }).click();
    await page.getByTestId("filter-text").fill(`Kenya Human Rights Commission ${language}`);
    await page.getByTestId("org-list").locator(".muted", { hasText: kenya }).first().waitFor();
    const made = (await api(bridge, "list_organizations", {})).find((o) => o.name === `Kenya Human Rights Commission ${language}`);
    assert.equal(made.country, "KE", "the code is what is stored");

    // An organization's themes, edited by the secretariat, then found by the theme filter.
    const organizations = await api(bridge, "list_organizations", {});
    const org = organizations.find((o) => o.themes.length === 0) ?? organizations[0];
    await page.getByTestId("filter-text").fill(org.name);
    const row = page.getByTestId("org-list").locator(".actions", { hasText: org.name }).first();
    await row.locator("summary", { hasText: w.edit }).click();
    await row.getByLabel(w.themes).fill(`victims ${language}, reparations`);
    await row.getByRole("button", { name: w.save }).click();
    await row.getByText(`victims ${language}, reparations`).waitFor();
    await page.getByTestId("filter-text").fill("");
    await page.getByTestId("filter-theme").selectOption(`victims ${language}`);
    await page.getByTestId("org-list").getByText(org.name).waitFor();
    assert.deepEqual((await api(bridge, "get_organization", { id: org.id })).themes, [`victims ${language}`, "reparations"]);
    assert.deepEqual(await seriousViolations(page, "main"), [], "the directory is accessible");
    await page.locator("main").screenshot({ path: join(shots, `records-directory-${language}.png`) });

    // A team's region, set in its edit form and shown under its name.
    await page.getByTestId("nav-groups").click();
    await page.getByRole("button", { name: "Budget and finance" }).click();
    await page.locator(".card summary", { hasText: w.edit }).first().click();
    await page.getByTestId("group-region").selectOption("africa");
    await page.locator("form", { has: page.getByTestId("group-region") }).getByRole("button", { name: w.save }).click();
    const africa = language === "ar" ? "أفريقيا" : "Africa";
    await page.getByTestId("group-kind").getByText(africa, { exact: false }).waitFor();

    // The agenda: a note on the last item, which then moves up one place.
    const team = (await api(bridge, "list_groups", {})).find((g) => g.name === "Budget and finance");
    const meeting = (await api(bridge, "list_meetings", { group_id: team.id }))[0];
    for (const [position, title] of [[900, `Opening ${language}`], [901, `Arrears ${language}`]]) {
      await api(bridge, "create_agenda_item", { meeting_id: meeting.id, position, title });
    }
    await page.getByRole("button", { name: meeting.title }).first().click();
    const agenda = page.getByTestId("agenda");
    const last = agenda.locator("li", { hasText: `Arrears ${language}` });
    await last.locator("summary", { hasText: w.edit }).click();
    await last.getByLabel(w.notes).fill("Introduced by **the Redress Trust**.");
    await last.getByRole("button", { name: w.save }).click();
    await last.locator(".markdown strong", { hasText: "the Redress Trust" }).waitFor();
    const titles = async () => (await agenda.locator(":scope > li > .actions > bdi").allTextContents());
    const beforeMove = await titles();
    const at = beforeMove.indexOf(`Arrears ${language}`);
    assert.equal(beforeMove[at - 1], `Opening ${language}`);
    await last.locator("button").getByText(w.up, { exact: true }).click();
    for (let i = 0; i < 50 && (await titles()).indexOf(`Arrears ${language}`) !== at - 1; i++) await page.waitForTimeout(50);
    assert.equal((await titles()).indexOf(`Arrears ${language}`), at - 1, "moved up one place");
    const items = await api(bridge, "list_agenda_items", { meeting_id: meeting.id });
    const position = (title) => items.find((a) => a.title === title).position;
    assert.ok(position(`Arrears ${language}`) < position(`Opening ${language}`), "the new order is stored");
    assert.deepEqual(await seriousViolations(page, "main"), [], "the meeting page is accessible");
    await page.locator("main").screenshot({ path: join(shots, `records-agenda-${language}.png`) });
    assert.deepEqual(problems, [], "no script errors");
    await context.close();
  });
}

test("a bundle for a device a bundle came from carries only what it lacks", async () => {
  // Another laptop, given everything by a first bundle, answers with its own; this one then
  // knows what it holds.
  const other = await startBridge({ demo: false });
  try {
    const everything = join(bridge.dir, "everything.caucus");
    await api(bridge, "export_bundle", { path: everything, peer: null });
    await api(other, "import_bundle", { path: everything, content_base64: null });
    const answer = join(other.dir, "answer.caucus");
    const theirs = await api(other, "export_bundle", { path: answer, peer: null });
    await api(bridge, "import_bundle", { path: answer, content_base64: null });

    const { context, page, problems } = await openIn(browser(), bridge, "en");
    await page.getByTestId("nav-sync").click();
    const choice = page.getByTestId("bundle-peer");
    const device = `Device ${theirs.exporter.slice(0, 8)}: only what it lacks`;
    await choice.selectOption({ label: device });
    const path = page.getByLabel("File to write");
    await path.fill(join(bridge.dir, "for-them.caucus"));
    await page.getByRole("button", { name: "Write bundle" }).click();
    await page.getByTestId("bundle-done").getByText("Wrote 0 changes").waitFor();
    assert.deepEqual(await seriousViolations(page, "main"), [], "the sync panel is accessible");
    await page.locator("main").screenshot({ path: join(shots, "records-bundle-for-en.png") });
    assert.deepEqual(problems, [], "no script errors");
    await context.close();
  } finally {
    other.stop();
  }
});

for (const language of ["en", "ar"]) {
  test(`a member drafts a recommendation with a co-author (${language})`, async () => {
    const team = (await api(bridge, "list_groups", {})).find((g) => g.name === "Budget and finance");
    const members = (await api(bridge, "list_memberships", { group_id: team.id })).filter((m) =>
      ["member", "leader", "focal_point"].includes(m.role),
    );
    const people = await api(bridge, "list_people", {});
    const [author, colleague] = members.map((m) => people.find((p) => p.id === m.person_id));
    await api(bridge, "set_acting_person", { person_id: author.id });
    const draft = await api(bridge, "create_recommendation", {
      group_id: team.id,
      title: `Ask for a Registry staffing review ${language}`,
      body: "The Registry's staffing should be reviewed before the next budget.",
      language: "en",
      addressee: null,
      open: false,
    });
    const { context, page, problems } = await openIn(browser(), bridge, language);
    await page.getByTestId("nav-groups").click();
    await page.getByRole("button", { name: "Budget and finance" }).click();
    await page.getByRole("button", { name: draft.title }).click();
    await page.locator("summary", { hasText: WORDS[language].edit }).first().click();
    await page.getByTestId("rec-co-author-choice").getByRole("checkbox", { name: colleague.name }).check();
    await page.getByTestId("rec-co-author-choice").locator("xpath=..").locator("button[type=submit]").click();
    await page.getByTestId("rec-co-authors").getByText(colleague.name).waitFor();
    const saved = await api(bridge, "get_recommendation", { id: draft.id });
    assert.deepEqual(saved.co_author_ids, [colleague.id]);
    assert.deepEqual(await seriousViolations(page, "main"), [], "the recommendation page is accessible");
    await page.locator("main").screenshot({ path: join(shots, `records-co-author-${language}.png`) });
    assert.deepEqual(problems, [], "no script errors");
    await context.close();
  });
}

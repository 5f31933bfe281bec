// After a team adopts a recommendation, its leader notes the follow-up on the recommendation's
// page; each note and comment says when it was posted, in the screen's language (checked
// against Intl). In English and in Arabic, checked by axe-core. Saves
// test-results/browser/followup-<language>.png and settings-digits-ar.png (Latin digits chosen).
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { api, startBridge } from "../support/bridge.mjs";
import { intlLocale, openIn, seriousViolations, settledValue, sharedBrowser, shots } from "../support/page.mjs";

const browser = sharedBrowser();

for (const language of ["en", "ar"]) {
  test(`a leader notes the follow-up of an adopted recommendation (${language})`, async () => {
    const bridge = await startBridge();
    try {
      const team = (await api(bridge, "list_groups", {})).find((g) => g.name === "Budget and finance");
      const leader = (await api(bridge, "list_memberships", { group_id: team.id })).find((m) => m.role === "leader");
      const rec = (await api(bridge, "list_recommendations", { group_id: team.id })).find((r) => r.state === "open");
      await api(bridge, "set_acting_person", { person_id: leader.person_id });
      await api(bridge, "transition_recommendation", { id: rec.id, to: "under_review" });
      await api(bridge, "draft_answer", { id: rec.id, decision: "adopted", text: "Adopted: we raise it with the Committee." });
      await api(bridge, "publish_answer", { id: rec.id });

      const { context, page, problems } = await openIn(browser(), bridge, language);
      await page.getByTestId("nav-groups").click();
      await page.getByRole("button", { name: "Budget and finance" }).click();
      await page.getByRole("button", { name: rec.title }).click();
      const followUp = page.getByTestId("follow-up");
      await followUp.waitFor();
      const text = language === "en" ? "Raised with the Committee's chair on 3 December." : "أُثيرت مع رئيس اللجنة في 3 ديسمبر.";
      await followUp.locator("textarea").fill(text);
      await followUp.locator("button[type=submit]").click();
      const note = page.getByTestId("progress-notes").locator("li", { hasText: text });
      await note.waitFor();
      assert.equal(await settledValue(followUp.locator("textarea"), ""), "", "the form is ready for the next note");
      assert.equal(await page.getByTestId("comments").locator("li", { hasText: text }).count(), 0, "a note is not a comment");
      const time = note.locator("time");
      const iso = await time.getAttribute("datetime");
      const shown = await time.innerText();
      const expected = await page.evaluate(
        ([l, d]) => new Intl.DateTimeFormat(l, { dateStyle: "medium", timeStyle: "short" }).format(new Date(d)),
        [intlLocale(language), iso],
      );
      assert.equal(shown, expected, `the time is the browser's Intl, in ${language}`);
      assert.deepEqual(await seriousViolations(page, "main"), [], "the page is accessible");
      await followUp.screenshot({ path: join(shots, `followup-${language}.png`) });
      if (language === "ar") {
        // Many Arabic-speaking people prefer Latin digits: one choice in Settings, every screen.
        await page.getByTestId("nav-settings").click();
        await page.getByTestId("digits").selectOption("latin");
        assert.deepEqual(await seriousViolations(page, "main"), [], "Settings are accessible");
        await page.locator("main .card").first().screenshot({ path: join(shots, "settings-digits-ar.png") });
        await page.getByTestId("nav-groups").click();
        await page.getByRole("button", { name: "Budget and finance" }).click();
        await page.getByRole("button", { name: rec.title }).click();
        const latin = await page.getByTestId("progress-notes").locator("time").first().innerText();
        assert.equal(
          latin,
          await page.evaluate(
            (d) => new Intl.DateTimeFormat("ar-u-nu-latn", { dateStyle: "medium", timeStyle: "short" }).format(new Date(d)),
            iso,
          ),
          "the time in Latin digits",
        );
        assert.match(latin, /[0-9]/);
      }
      assert.deepEqual(problems, [], "no script errors");
      await context.close();
    } finally {
      bridge.stop();
    }
  });
}

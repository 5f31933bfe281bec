// A guest at a meeting, in a real browser against two HTTP bridges: a team leader hosts a
// meeting from its page, sharing its agenda; a new laptop (nobody of the coalition) asks to
// join by name, waits, is let in by the host by that name, and then sees that agenda and
// nothing else. In English and in Arabic; saves test-results/browser/guests-*.png.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import AxeBuilder from "@axe-core/playwright";
import { api, chromiumArgs, root, startBridge } from "../support/bridge.mjs";

let browser;
const shots = join(root, "test-results/browser");
const lan = (offset) => ({
  CAUCUS_MEETING_BIND: "127.0.0.1",
  CAUCUS_MDNS_LOOPBACK: "1",
  CAUCUS_MDNS_PORT: String(21000 + ((process.pid + offset) % 20000)),
});

before(async () => {
  mkdirSync(shots, { recursive: true });
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: chromiumArgs });
});

after(async () => {
  await browser?.close();
});

async function accessible(page, where) {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`), [], where);
}

const words = {
  en: { groups: "Groups", sync: "Sync", host: "Host this meeting on this laptop", join: "Join", letIn: "Let in" },
  ar: { groups: "المجموعات", sync: "المزامنة", host: "استضافة هذا الاجتماع على هذا الحاسوب", join: "انضمام", letIn: "السماح بالدخول" },
};

for (const [n, language] of ["en", "ar"].entries()) {
  test(`a guest is let in by name and reads the shared agenda (${language})`, async () => {
    const host = await startBridge({ env: lan(n) });
    const guest = await startBridge({ demo: false, env: lan(n + 7) });
    const contexts = [];
    const problems = [];
    const open = async (bridge) => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      await context.addInitScript((l) => localStorage.setItem("caucus.language", l), language);
      contexts.push(context);
      const page = await context.newPage();
      page.on("pageerror", (e) => problems.push(e.message));
      await page.goto(`${bridge.url}/#token=${bridge.token}`);
      return page;
    };
    try {
      const w = words[language];
      // The host opens a meeting of its team and hosts it, sharing its agenda.
      const hostPage = await open(host);
      await hostPage.getByRole("button", { name: w.groups }).click();
      await hostPage.getByRole("button", { name: "Budget and finance" }).click();
      await hostPage.getByTestId("meeting-link").first().click();
      await hostPage.locator("input[name=agenda-title]").waitFor();
      const title = (await hostPage.getByRole("heading", { level: 1 }).textContent()).trim();
      await hostPage.getByTestId("host-here").click();
      const code = (await hostPage.getByTestId("pairing-code").textContent()).trim();
      const hosted = (await api(host, "sync_status")).meeting;
      assert.ok(hosted.public_meeting, "the meeting's agenda is shared");
      const shared = await api(host, "list_agenda_items", { meeting_id: hosted.public_meeting });
      assert.ok(shared.length > 0, "the demo meeting has an agenda");

      // A laptop nobody enrolled: it joins as a guest, from the welcome screen.
      const guestPage = await open(guest);
      await guestPage.getByTestId("welcome-guest").click();
      await guestPage.getByTestId("guest-name").fill("Amal Haddad");
      await guestPage.getByTestId("meeting-url").fill(hosted.url);
      await guestPage.getByTestId("meeting-code").fill(code);
      await guestPage.getByTestId("join-meeting").click();
      await guestPage.getByTestId("guest-waiting").waitFor();
      await guestPage.screenshot({ path: join(shots, `guests-waiting-${language}.png`), fullPage: true });
      await accessible(guestPage, `a guest waiting (${language})`);

      // The host sees the name at once and lets them in.
      const asking = hostPage.getByTestId("meeting-guests").getByText("Amal Haddad");
      await asking.waitFor();
      await hostPage.screenshot({ path: join(shots, `guests-host-${language}.png`), fullPage: true });
      await accessible(hostPage, `the host's guests (${language})`);
      await hostPage.getByRole("button", { name: w.letIn }).click();
      await hostPage.getByTestId("admit-guest").waitFor({ state: "detached" });

      // The guest's next ask is let in: the shared agenda, and nothing of the coalition else.
      const agenda = guestPage.getByTestId("guest-agenda");
      await agenda.getByRole("heading", { name: title }).waitFor({ timeout: 20_000 });
      for (const item of shared) await agenda.getByText(item.title, { exact: true }).waitFor();
      await guestPage.getByTestId("guest-banner").waitFor();
      await guestPage.screenshot({ path: join(shots, `guests-agenda-${language}.png`), fullPage: true });
      // The guest says they are here; the host's meeting record names them as a guest.
      await guestPage.getByTestId("guest-attend").click();
      await guestPage.getByTestId("guest-attending").waitFor();
      await guestPage.screenshot({ path: join(shots, `guests-attending-${language}.png`), fullPage: true });
      await accessible(guestPage, `a guest's agenda (${language})`);
      // The host's laptop exchanges with its own meeting as it syncs (here, at once).
      await api(host, "sync_now");
      await hostPage.getByRole("button", { name: w.groups }).click();
      await hostPage.getByRole("button", { name: "Budget and finance" }).click();
      await hostPage.getByTestId("meeting-link").first().click();
      await hostPage.getByTestId("guests-present").getByText("Amal Haddad").waitFor();
      await hostPage.screenshot({ path: join(shots, `guests-present-${language}.png`), fullPage: true });
      const present = await api(host, "meeting_guests_present", { meeting_id: hosted.public_meeting });
      assert.deepEqual(
        present.map((g) => g.name),
        ["Amal Haddad"],
        "the host's replica holds the guest's attendance, by the name it let in",
      );
      const session = await api(guest, "get_session");
      assert.equal(session.guest, "Amal Haddad");
      assert.equal(session.acting_person, null, "a guest acts as nobody of the coalition");
      assert.equal((await api(guest, "list_people")).length, 0, "no person reached the guest");
      assert.equal((await api(guest, "list_groups")).length, 0, "no group reached the guest");
      assert.equal((await api(guest, "list_recommendations", {})).length, 0, "no recommendation reached the guest");
      assert.deepEqual(problems, [], "no script errors");
    } finally {
      for (const c of contexts) await c.close();
      await api(host, "leave_meeting").catch(() => {});
      host.stop();
      guest.stop();
    }
  });
}

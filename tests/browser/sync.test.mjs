// The sync panel in a real browser against the HTTP bridge and a real hub process: a wrong
// invite code is explained, the right one connects and syncs the demo coalition, and a meeting
// is hosted with a pairing code to show. Saves test-results/browser/sync*.png.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { api, chromiumArgs, invite, root, startBridge, startHub } from "../support/bridge.mjs";

let bridge;
let hub;
let browser;
const shots = join(root, "test-results/browser");

before(async () => {
  mkdirSync(shots, { recursive: true });
  hub = await startHub();
  bridge = await startBridge({
    env: {
      CAUCUS_MEETING_BIND: "127.0.0.1",
      CAUCUS_MDNS_LOOPBACK: "1",
      CAUCUS_MDNS_PORT: String(20000 + (process.pid % 20000)),
    },
  });
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: chromiumArgs });
});

after(async () => {
  await browser?.close();
  bridge?.stop();
  hub?.stop();
});

test("an admin connects the demo coalition to a hub and hosts a meeting", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems = [];
  page.on("pageerror", (e) => problems.push(e.message));
  await page.goto(`${bridge.url}/#token=${bridge.token}`);
  await page.getByRole("button", { name: "Sync" }).click();
  await page.getByText("This device works on its own").waitFor();
  // Never connected: nothing is "waiting to be sent" (the demo's every record would be), and
  // no "last sync" to be "never".
  assert.equal(await page.getByTestId("sync-pending").count(), 0, "no count of changes waiting before a hub");
  assert.equal(await page.getByTestId("sync-last-success").count(), 0, "no last sync before a hub");

  // A wrong code is refused in plain words, and nothing changes.
  await page.getByLabel("Hub address").fill(hub.url);
  await page.getByLabel("Invite code").fill("WRONG-CODE1");
  await page.getByLabel("Name of this device").fill("Secretariat laptop");
  await page.getByRole("button", { name: "Connect", exact: true }).click();
  await page.getByText("That invite code is wrong, already used or expired").waitFor();

  // The right code connects and sends the whole demo coalition.
  const session = await api(bridge, "get_session");
  const code = invite(hub, session.acting_person.id);
  await page.getByLabel("Invite code").fill(code);
  await page.getByRole("button", { name: "Connect", exact: true }).click();
  await page.getByText(`Connected to the hub at ${hub.url}`).waitFor();
  // The hub certified this device as its person, for a year.
  await page.getByTestId("sync-certified").getByText(/^This device acts for you, certified by the coalition's hub until /).waitFor();
  await page.getByTestId("sync-pending").getByText("Nothing: everything has been sent", { exact: true }).waitFor();
  // The panel follows the sync as it runs (events, not a reload when it ends): the outbox is
  // empty once the push is acknowledged, the last success once the pull is done too.
  await page.locator("dl.facts dt", { hasText: "Last synced with the hub" }).waitFor();
  await page.getByTestId("sync-last-success").filter({ hasNotText: "Not yet" }).waitFor();
  const status = await api(bridge, "sync_status");
  assert.equal(status.pending, 0, "the hub acknowledged every change");
  assert.ok(status.last_success_ms, "the last success is recorded");
  const year = 365 * 86_400_000;
  assert.ok(Math.abs(status.certified_until - (Date.now() + year)) < 3_600_000, "certified for a year");
  await page.screenshot({ path: join(shots, "sync.png"), fullPage: true });

  // Sync now works again, and hosting a meeting shows a short pairing code.
  await page.getByRole("button", { name: "Sync now" }).click();
  await page.getByLabel("Meeting name").fill("Budget team, 27 November");
  await page.getByRole("button", { name: "Host this meeting" }).click();
  const pairing = (await page.getByTestId("pairing-code").textContent()).trim();
  assert.match(pairing, /^[A-Z2-9]{6}$/, "a six-character code to read aloud");
  await page.screenshot({ path: join(shots, "sync-meeting.png"), fullPage: true });
  await page.getByRole("button", { name: "Stop hosting" }).click();
  await page.getByRole("button", { name: "Host this meeting" }).waitFor();
  assert.deepEqual(problems, [], "no script errors");
});

// A laptop holding records its person may not write (the demo coalition, enrolled as one of its
// members): the hub refuses them, and the panel says so one line per record, the latest twenty
// first and all of them on request, in English and in Arabic.
for (const language of ["en", "ar"]) {
  test(`the hub's refusals are listed in full (${language})`, async () => {
    const ownHub = await startHub();
    const member = await startBridge();
    try {
      const people = await api(member, "list_people");
      const session = await api(member, "get_session");
      const someone = people.find((p) => !p.secretariat_admin && p.id !== session.acting_person.id);
      // Seed the hub with its admin first, so it is past setting up.
      const admin = await startBridge();
      try {
        const adminSession = await api(admin, "get_session");
        await api(admin, "connect_hub", {
          url: ownHub.url,
          invite_code: invite(ownHub, adminSession.acting_person.id),
          device_name: "Secretariat laptop",
        });
      } finally {
        admin.stop();
      }
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      await context.addInitScript((l) => localStorage.setItem("caucus.language", l), language);
      const page = await context.newPage();
      const problems = [];
      page.on("pageerror", (e) => problems.push(e.message));
      await page.goto(`${member.url}/#token=${member.token}`);
      await api(member, "connect_hub", {
        url: ownHub.url,
        invite_code: invite(ownHub, someone.id),
        device_name: "Member laptop",
      });
      const status = await api(member, "sync_status");
      assert.ok(status.refused_total > 20, `many refusals: ${status.refused_total}`);
      assert.equal(status.refused.length, 20, "twenty shown at first");
      await page.getByRole("button", { name: language === "ar" ? "المزامنة" : "Sync" }).first().click();
      const list = page.getByTestId("sync-refused");
      await list.waitFor();
      assert.equal(await list.locator("li").count(), 20);
      await page.getByTestId("sync-refused-all").click();
      await page.waitForFunction(
        ([n]) => document.querySelectorAll('[data-testid="sync-refused"] li').length === n,
        [status.refused_total],
      );
      assert.equal(await page.getByTestId("sync-refused-all").count(), 0, "the button goes once all are shown");
      const first = (await list.locator("li").first().textContent()) ?? "";
      assert.ok(first.length > 20, `each line says what and why: ${first}`);
      await page.screenshot({ path: join(shots, `sync-refused-${language}.png`), fullPage: true });
      assert.deepEqual(problems, [], "no script errors");
      await context.close();
    } finally {
      member.stop();
      ownHub.stop();
    }
  });
}

// A team leader's whole flow in a real browser against the HTTP bridge: create a team, track
// an issue, post a recommendation, take it through open → under review → adopted, and read
// its history; a comment reloads only what it changed. Saves test-results/browser/flow.png.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { chromiumArgs, root, startBridge } from "../support/bridge.mjs";
import { settledValue } from "../support/page.mjs";

let bridge;
let browser;
const shots = join(root, "test-results/browser");

before(async () => {
  mkdirSync(shots, { recursive: true });
  bridge = await startBridge();
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: chromiumArgs,
  });
});

after(async () => {
  await browser?.close();
  bridge?.stop();
});

test("the bridge refuses requests without its token", async () => {
  const res = await fetch(`${bridge.url}/api/list_groups`, { method: "POST", body: "{}" });
  assert.equal(res.status, 401, "no token, no data");
  const wrong = await fetch(`${bridge.url}/api/list_groups`, {
    method: "POST",
    body: "{}",
    headers: { authorization: "Bearer not-the-token" },
  });
  assert.equal(wrong.status, 401);
  assert.equal((await wrong.json()).code, "unauthorized", "refused in the API's shape");
});

test("a bundle of a few megabytes handed over by contents reaches the import", async () => {
  // 3 MB of bytes that are not a bundle: the bridge reads the whole body and the import
  // refuses it for what it is, in the API's shape (before, a plain-text 413 at 2 MiB).
  const content = Buffer.alloc(3 * 1024 * 1024, 7).toString("base64");
  const res = await fetch(`${bridge.url}/api/import_bundle`, {
    method: "POST",
    body: JSON.stringify({ content_base64: content }),
    headers: { authorization: `Bearer ${bridge.token}`, "content-type": "application/json" },
  });
  const body = await res.json();
  assert.equal(body.code, "sync_bundle_damaged", JSON.stringify(body).slice(0, 200));
});

test("a leader creates a team and answers a recommendation", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems = [];
  page.on("pageerror", (e) => problems.push(e.message));
  await page.goto(`${bridge.url}/#token=${bridge.token}`);
  await page.getByRole("button", { name: "Groups", exact: true }).click();

  // The demo coalition's teams are listed, acting as its convenor.
  await page.getByRole("button", { name: "Trust funds for victims" }).waitFor();
  await page.screenshot({ path: join(shots, "groups.png"), fullPage: true });

  // Create a team and lead it.
  await page.getByText("New group").click();
  await page.locator("input[name=group-name]").fill("Universal ratification campaign");
  await page.locator("textarea[name=group-mandate]").fill("Focus on **one country** each month.");
  await page.getByRole("button", { name: "Create" }).click();
  await page.getByRole("heading", { name: "Universal ratification campaign" }).waitFor();
  await page.getByTestId("join-role").selectOption("leader");
  await page.getByRole("button", { name: "Join this group" }).click();
  await page.getByTestId("group-leader").getByText("Melinda Reed").waitFor();

  // Track an issue.
  await page.getByText("Track an issue").click();
  await page.locator("input[name=issue-title]").fill("Ratification by the country of the month");
  // Exact: the members' "Add to the group" is on this page too.
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await page.getByTestId("issue-card").filter({ hasText: "Ratification by the country of the month" }).waitFor();

  // Post a recommendation, open for comments.
  await page.getByText("Post a recommendation").click();
  await page.locator("input[name=rec-title]").fill("Write to every foreign ministry");
  await page.locator("textarea[name=rec-body]").fill("Members should **write** before the Assembly.");
  await page.getByRole("button", { name: "Create" }).click();
  const state = page.getByTestId("rec-state");
  await state.getByText("Open").waitFor();

  // Open → under review → adopted (drafted, then published).
  await page.getByTestId("move-under_review").click();
  await state.getByText("Under review").waitFor();
  await page.getByTestId("decision").selectOption("adopted");
  await page.locator("textarea[name=answer-text]").fill("Adopted: the secretariat will circulate a model letter.");
  await page.getByTestId("draft-answer").click();
  await page.getByText("Drafted answer (not yet published)").waitFor();
  assert.equal(await state.textContent(), "Under review", "a drafted answer changes no state");
  await page.getByTestId("publish-answer").click();
  await state.getByText("Adopted").waitFor();

  // A comment reloads what shows comments, and only that: the backend says which tables and
  // rows a write touched, and the session, the people and this record's history stay as read.
  const calls = [];
  page.on("request", (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith("/api/") && path !== "/api/events") calls.push(path.slice(5));
  });
  await page.locator("textarea[name=comment]").fill("We will send ours on Monday.");
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await page.locator(".comments").getByText("We will send ours on Monday.").waitFor();
  await page.waitForTimeout(500);
  console.log(`commands after posting a comment: ${calls.join(", ")}`);
  assert.ok(calls.includes("create_comment") && calls.includes("recommendation_page"), calls.join(", "));
  for (const untouched of ["get_session", "list_people", "record_history"]) {
    assert.ok(!calls.includes(untouched), `${untouched} is not read again: ${calls.join(", ")}`);
  }

  // The history shows each state the recommendation came to, from which, by whom.
  const history = page.getByTestId("history");
  await history.getByRole("cell", { name: /^Open$/ }).first().waitFor();
  for (const [from, state] of [["Open", "Under review"], ["Under review", "Adopted"]]) {
    await history.getByRole("cell", { name: new RegExp(`^${from} became ${state}$`) }).first().waitFor();
  }
  assert.ok((await history.getByRole("cell", { name: "Melinda Reed" }).count()) > 0, "history names the actor");
  await page.screenshot({ path: join(shots, "flow.png"), fullPage: true });
  assert.deepEqual(problems, [], "no script errors on the page");
});

test("member-written Markdown renders inert", async () => {
  const page = await browser.newPage();
  await page.goto(`${bridge.url}/#token=${bridge.token}`);
  await page.getByRole("button", { name: "Groups", exact: true }).click();
  await page.getByRole("button", { name: "Gender justice" }).click();
  await page.getByText("Post a recommendation").click();
  await page.locator("input[name=rec-title]").fill("Markup test");
  await page
    .locator("textarea[name=rec-body]")
    .fill('<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>[x](javascript:window.__pwned=3)');
  await page.getByRole("button", { name: "Create" }).click();
  await page.getByTestId("rec-state").waitFor();
  await page.locator(".markdown a").first().click().catch(() => {});
  assert.equal(await page.evaluate(() => window.__pwned), undefined, "no member-written script ran");
  assert.equal(await page.locator(".markdown script, .markdown img").count(), 0);
});

test("a meeting record: agenda, attendance, minutes and a decision linked to an issue", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("dialog", (d) => d.accept());
  await page.goto(`${bridge.url}/#token=${bridge.token}`);
  await page.getByRole("button", { name: "Groups", exact: true }).click();
  await page.getByRole("button", { name: "Budget and finance" }).click();
  await page.getByRole("button", { name: "Budget team briefing before the Assembly of States Parties" }).click();
  await page.getByRole("heading", { name: "Budget team briefing before the Assembly of States Parties" }).waitFor();

  await page.locator("input[name=agenda-title]").fill("Any other business");
  await page.getByRole("button", { name: "Add" }).first().click();
  await page.getByText("Any other business").waitFor();

  const attendee = page.getByRole("checkbox", { name: "William Pace" });
  // The box follows the stored record, so it turns checked once the write is saved.
  await attendee.click();
  for (let i = 0; i < 50 && !(await attendee.isChecked()); i++) await page.waitForTimeout(100);
  assert.ok(await attendee.isChecked(), "attendance is recorded");

  await page.getByRole("button", { name: "Edit the minutes" }).click();
  await page.locator("textarea[name=minutes]").fill("The team agreed to **send the letter**.");
  await page.getByRole("status").getByText("Saved").waitFor();
  await page.getByRole("button", { name: "Done" }).click();
  await page.locator(".markdown strong", { hasText: "send the letter" }).waitFor();

  await page.locator("textarea[name=decision]").fill("Send the joint letter on the programme budget.");
  await page.getByLabel("Concerns the issue").selectOption({ label: "Arrears of States Parties" });
  await page.getByRole("button", { name: "Add" }).last().click();
  await page.locator("li .muted", { hasText: "Arrears of States Parties" }).waitFor();
  assert.equal(await settledValue(page.getByLabel("Concerns the issue"), ""), "", "the next decision is linked to nothing yet");
  assert.equal(await settledValue(page.locator("textarea[name=decision]"), ""), "");
  await page.screenshot({ path: join(shots, "meeting.png"), fullPage: true });

  // Archiving an agenda item removes it from the agenda (the history keeps it).
  const item = page.locator("li", { hasText: "Any other business" });
  await item.getByRole("button", { name: "Archive" }).click();
  await item.waitFor({ state: "detached" });
});

// The locked-down shell, in the real desktop window (Xvfb, tauri-driver, WebKitWebDriver):
// - an XSS corpus written into every member-written field (recommendation titles and bodies,
//   comments, names of people, organizations and groups, mandates, issues, meeting titles,
//   minutes, agenda items, decisions) renders as inert text on every screen that shows it;
// - the window cannot be taken away from the app: neither a link in member-written text nor a
//   direct navigation loads another site (the test's own page on loopback gets no request).
// - the system's file pickers serve bundles, and the system's viewer opens only the files the
//   app saves (the opener's scope refuses any other path a page names).
// Saves test-results/window/xss-*.png.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as Y from "yjs";
import { startDriver, startXvfb } from "../support/window.mjs";

const root = new URL("../..", import.meta.url).pathname;
const shots = join(root, "test-results/window");
const children = [];
let browser;
let lure; // a page of another origin on loopback, which must never be loaded
const lureHits = [];

// Each payload would set window.__xss (or alert, which WebDriver reports as an open dialog)
// if it ran. Together they cover raw HTML, event handlers, SVG, script and javascript: URLs
// through Markdown, template-looking text, and breaking out of attributes and elements.
const CORPUS = [
  `<img src=x onerror="window.__xss=(window.__xss||0)+1">`,
  `<script>window.__xss=1</script>`,
  `<svg onload="window.__xss=1"><circle r=1 /></svg>`,
  `"><iframe src="javascript:top.__xss=1"></iframe>`,
  `</textarea></title><img src=x onerror=window.__xss=1>`,
  `[click me](javascript:window.__xss=1)`,
  `<a href="javascript:window.__xss=1">link</a>`,
  `<details open ontoggle="window.__xss=1">x</details>`,
  `<math><mtext></p><img src=x onerror=window.__xss=1></mtext></math>`,
  `{{constructor.constructor('window.__xss=1')()}} \${window.__xss=1}`,
  `<style>body{display:none}</style><b style="position:fixed;inset:0">cover</b>`,
  `<object data="javascript:window.__xss=1"></object><embed src="javascript:window.__xss=1">`,
  `![x](x" onerror="window.__xss=1)`,
  `<form action="javascript:window.__xss=1"><button>go</button></form>`,
  `<bdo dir=rtl>x</bdo><base href="http://127.0.0.1/"><meta http-equiv="refresh" content="0;url=javascript:window.__xss=1">`,
];
const payload = (marker) => `${marker} ${CORPUS.join(" ")}`;
/** For fields of at most 200 characters (names, titles): as many payloads as fit, from `from`. */
function short(marker, from) {
  let text = marker;
  for (let i = 0; i < CORPUS.length; i++) {
    const next = `${text} ${CORPUS[(from + i) % CORPUS.length]}`;
    if ([...next].length <= 200) text = next;
  }
  return text;
}

async function invoke(name, input) {
  const answer = await browser.executeAsync(
    (name, input, done) => {
      window.__TAURI_INTERNALS__
        .invoke(name, { input })
        .then((ok) => done({ ok }))
        .catch((err) => done({ err: typeof err === "string" ? err : JSON.stringify(err) }));
    },
    name,
    input,
  );
  assert.ok(!answer.err, `${name} failed: ${answer.err}`);
  return answer.ok;
}

/** Nothing ran and nothing active was added to the page. */
async function assertInert(where) {
  const found = await browser.execute(() => {
    const main = document.querySelector("main") ?? document.body;
    const active = [...main.querySelectorAll("*")].filter(
      (e) =>
        ["SCRIPT", "IFRAME", "OBJECT", "EMBED", "STYLE", "BASE", "META"].includes(e.tagName) ||
        (e.tagName === "IMG" && e.getAttribute("src") === "x") ||
        [...e.attributes].some(
          (a) =>
            a.name.startsWith("on") ||
            (["href", "src", "action", "formaction", "data"].includes(a.name) && /^\s*javascript:/i.test(a.value)),
        ),
    );
    // Rendered Markdown holds only what Markdown writes.
    const markdown = new Set(["P", "BR", "HR", "STRONG", "EM", "DEL", "CODE", "PRE", "BLOCKQUOTE", "UL", "OL", "LI",
      "H1", "H2", "H3", "H4", "H5", "H6", "A", "TABLE", "THEAD", "TBODY", "TR", "TH", "TD"]);
    for (const e of main.querySelectorAll(".markdown *")) if (!markdown.has(e.tagName)) active.push(e);
    return {
      xss: window.__xss ?? null,
      active: active.map((e) => e.outerHTML.slice(0, 120)),
      shown: getComputedStyle(document.body).display,
    };
  });
  assert.equal(found.xss, null, `${where}: a payload ran`);
  assert.deepEqual(found.active, [], `${where}: active content reached the page`);
  assert.notEqual(found.shown, "none", `${where}: a payload's style applied`);
}

/** The element whose own text contains `marker`. */
const textIn = (marker) => `//*[contains(text(), "${marker}")]`;

/** Saves a picture; WebKitWebDriver's screenshot sometimes never answers (see below), so one
 * that does not come within 20 s is skipped with a warning. */
async function screenshot(name) {
  const timeout = new Promise((resolve) => setTimeout(() => resolve(null), 20_000));
  const png = await Promise.race([browser.takeScreenshot().catch(() => null), timeout]);
  if (png) writeFileSync(join(shots, `${name}.png`), png, "base64");
  else console.warn(`no screenshot ${name}: the driver did not answer within 20 s`);
}

before(async () => {
  mkdirSync(shots, { recursive: true });
  lure = createServer((req, res) => {
    lureHits.push(req.url);
    res.end("<script>window.__lured=1</script>not Caucus");
  });
  await new Promise((ok) => lure.listen(0, "127.0.0.1", ok));
  const [display, xvfb] = await startXvfb();
  children.push(xvfb);
  const dir = mkdtempSync(join(tmpdir(), "caucus-shell-"));
  const { driver, open } = await startDriver(display, { CAUCUS_DB: join(dir, "caucus.db"), CAUCUS_DEMO: "1" });
  children.push(driver);
  browser = await open(join(root, "target/debug/caucus"));
  await (await browser.$("h1=My work")).waitForExist({ timeout: 30_000 });
});

after(async () => {
  await browser?.deleteSession().catch(() => {});
  for (const c of children.reverse()) c.kill("SIGTERM");
  lure?.close();
});

test("member-written text from an XSS corpus renders inert on every screen", async () => {
  const lureUrl = `http://127.0.0.1:${lure.address().port}/`;
  const groups = await invoke("list_groups", {});
  const group = groups.find((g) => g.name === "Gender justice");
  assert.ok(group, "the demo has the Gender justice team");
  const people = await invoke("list_people", {});
  const admin = people.find((p) => p.secretariat_admin) ?? people[0];
  await invoke("set_acting_person", { person_id: admin.id });

  await invoke("update_person", { id: admin.id, name: short("XSS-PERSON", 0) });
  await invoke("create_organization", {
    name: short("XSS-ORG", 3),
    country: "KE",
    region: "africa",
    status: null,
  });
  await invoke("update_group", { id: group.id, mandate: `${payload("XSS-MANDATE")} [a lure](${lureUrl})` });
  await invoke("create_tracked_issue", {
    group_id: group.id,
    title: short("XSS-ISSUE", 6),
    description: payload("XSS-ISSUE-TEXT"),
    status: null,
    priority: null,
    due_date: null,
  });
  const rec = await invoke("create_recommendation", {
    group_id: group.id,
    title: short("XSS-REC", 0),
    body: `${payload("XSS-BODY")}\n\n[a lure](${lureUrl})`,
    language: "en",
    addressee: null,
  });
  await invoke("create_comment", { recommendation_id: rec.id, body: payload("XSS-COMMENT"), kind: null });
  const meeting = await invoke("create_meeting", {
    group_id: group.id,
    title: short("XSS-MEETING", 9),
    starts_at: "2026-12-01T09:00",
    place: short("XSS-PLACE", 12),
  });
  // Minutes are written together: an edit is a Yjs update of the text, as the screen sends it.
  const minutes = new Y.Doc();
  minutes.getText("text").insert(0, payload("XSS-MINUTES"));
  const edit = Buffer.from(Y.encodeStateAsUpdateV2(minutes)).toString("base64");
  await invoke("edit_minutes", { meeting_id: meeting.id, edit, known: null });
  await invoke("create_agenda_item", { meeting_id: meeting.id, position: 1, title: short("XSS-AGENDA", 4) });
  await invoke("create_decision", { meeting_id: meeting.id, text: payload("XSS-DECISION") });

  // The group: its mandate, issues, recommendations and meetings.
  await (await browser.$("button=Groups")).click();
  await (await browser.$("button=Gender justice")).click();
  await (await browser.$("h1=Gender justice")).waitForExist({ timeout: 10_000 });
  await (await browser.$(textIn("XSS-REC"))).waitForExist({ timeout: 10_000 });
  await assertInert("the group");
  await screenshot("xss-group");
  // A link in member-written text does not take the window away.
  const link = await browser.$("a=a lure");
  await link.click();
  await browser.pause(1_000);
  await assertInert("the group after the link was followed");

  // The recommendation: title, body and comments; the author's name.
  await (await browser.$("button*=XSS-REC")).click();
  await (await browser.$(textIn("XSS-COMMENT"))).waitForExist({ timeout: 10_000 });
  const heading = await (await browser.$("h1")).getText();
  assert.ok(heading.includes("<img src=x onerror="), `the title shows its text as text: ${heading.slice(0, 80)}`);
  await assertInert("the recommendation");
  await screenshot("xss-recommendation");

  // The meeting: title, place, agenda, minutes, decisions.
  await (await browser.$("button=Groups")).click();
  await (await browser.$("button=Gender justice")).click();
  await (await browser.$("button*=XSS-MEETING")).click();
  try {
    await (await browser.$(textIn("XSS-DECISION"))).waitForExist({ timeout: 10_000 });
  } catch {
    // Seen in about one run in three, not understood yet (the driver's screenshot then does not
    // answer either): what the screen showed is kept, and the meeting is opened once more.
    await screenshot("xss-meeting-failed");
    console.warn("the meeting's decision did not show within 10 s; opening the meeting again");
    await (await browser.$("button=Groups")).click();
    await (await browser.$("button=Gender justice")).click();
    await (await browser.$("button*=XSS-MEETING")).click();
    await (await browser.$(textIn("XSS-DECISION"))).waitForExist({ timeout: 30_000 });
  }
  await assertInert("the meeting");
  await screenshot("xss-meeting");

  // The directory: people and organizations.
  await (await browser.$("button=Directory")).click();
  await (await browser.$(textIn("XSS-ORG"))).waitForExist({ timeout: 10_000 });
  await assertInert("the directory");

  // My work and notifications list what changed, by title.
  await (await browser.$("button=My work")).click();
  await (await browser.$("h1=My work")).waitForExist({ timeout: 10_000 });
  await browser.pause(500);
  await assertInert("My work");

  assert.deepEqual(lureHits, [], "no page of another origin was ever requested");
  assert.match(await browser.getUrl(), /^(tauri:\/\/localhost|http:\/\/tauri\.localhost)/);
});

test("the window refuses to leave the app for another site", async () => {
  const lureUrl = `http://127.0.0.1:${lure.address().port}/`;
  await (await browser.$("button=My work")).click();
  await (await browser.$("h1=My work")).waitForExist({ timeout: 10_000 });
  const before = await browser.getUrl();
  // The refused navigation never loads; do not wait the default five minutes for it.
  await browser.setTimeout({ pageLoad: 1_500 });
  await browser.url(lureUrl).catch(() => {});
  await browser.pause(1_000);
  assert.equal(await browser.getUrl(), before, "the window still shows Caucus");
  assert.deepEqual(lureHits, [], "the other site was never requested");
  assert.equal(await browser.execute(() => window.__lured ?? null), null);
  await (await browser.$("h1=My work")).waitForExist({ timeout: 10_000 });
});

test("the system's pickers and viewer: bundles by dialog, and only the app's own files open", async () => {
  // The Sync panel offers the system's dialogs rather than a typed path.
  await (await browser.$("button=Sync")).click();
  await (await browser.$("button=Save a bundle…")).waitForExist({ timeout: 10_000 });
  assert.ok(await (await browser.$("button=Open a bundle…")).isExisting());
  assert.equal(await (await browser.$("label=File to write")).isExisting(), false, "no typed path in the app");
  await (await browser.$("button=Save a bundle…")).scrollIntoView({ block: "center" });
  await screenshot("sync-bundles-en");

  // Opening hands a file to whatever program the system picks: a page may not choose the file.
  const refused = [];
  for (const path of ["/etc/passwd", `${process.env.HOME}/Downloads/caucus-report.sh`, `${process.env.HOME}/.bashrc`]) {
    const answer = await browser.executeAsync((path, done) => {
      window.__TAURI_INTERNALS__
        .invoke("plugin:opener|open_path", { path })
        .then(() => done({ ok: true }))
        .catch((err) => done({ err: String(err) }));
    }, path);
    if (answer.err) refused.push(path);
  }
  assert.equal(refused.length, 3, "every path outside the app's saved files is refused");

  // A saved report offers to open it or show it in its folder (not clicked: that would start
  // the system's viewer on the test machine).
  await (await browser.$("button=Groups")).click();
  await (await browser.$("button=Gender justice")).click();
  // Centred first: scrolled to the top edge, the button would sit under the sticky top bar.
  const report = await browser.$("button=PDF report");
  await report.scrollIntoView({ block: "center" });
  await report.click();
  const saved = await browser.$('[data-testid="report-saved"]');
  await saved.waitForExist({ timeout: 60_000 });
  assert.ok(await (await browser.$("button=Open")).isExisting());
  assert.ok(await (await browser.$("button=Show in folder")).isExisting());
  await screenshot("report-saved-en");

  // The same in Arabic.
  await (await browser.$('[data-testid="nav-settings"]')).click();
  await (await browser.$('[data-testid="language"]')).selectByAttribute("value", "ar");
  await (await browser.$('[data-testid="nav-sync"]')).click();
  await (await browser.$("button=حفظ حزمة…")).waitForExist({ timeout: 10_000 });
  await (await browser.$("button=حفظ حزمة…")).scrollIntoView({ block: "center" });
  await screenshot("sync-bundles-ar");
  await (await browser.$('[data-testid="nav-settings"]')).click();
  await (await browser.$('[data-testid="language"]')).selectByAttribute("value", "en");
  await (await browser.$("button=My work")).waitForExist({ timeout: 10_000 });
});

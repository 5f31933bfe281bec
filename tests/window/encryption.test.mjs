// The encrypted database in the real window: Settings encrypts the demo database; started
// again, the app shows only the passphrase screen; a wrong passphrase is refused with a
// translated message and changes nothing; the right one opens every record. The database file
// then holds no plaintext of a record. Saves test-results/window/unlock-{en,ar}.png.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openCaucus, startXvfb } from "../support/window.mjs";

const root = new URL("../..", import.meta.url).pathname;
const shots = join(root, "test-results/window");
const children = [];
// Where the UI keeps the chosen language (ui/src/i18n/index.ts).
const STORED = "caucus.language";
let display;
let dir;

function openApp() {
  return openCaucus(display, { CAUCUS_DB: join(dir, "caucus.db"), CAUCUS_DEMO: "1" }, root, children);
}

before(async () => {
  mkdirSync(shots, { recursive: true });
  const [d, xvfb] = await startXvfb();
  display = d;
  children.push(xvfb);
  dir = mkdtempSync(join(tmpdir(), "caucus-encrypted-"));
});

after(async () => {
  for (const c of children.reverse()) c.kill("SIGTERM");
});

test("Settings encrypts the database; the app then opens only with the passphrase", async () => {
  const first = await openApp();
  const b = first.browser;
  await (await b.$("h1=My work")).waitForExist({ timeout: 30_000 });
  await (await b.$("button=Settings")).click();
  const card = await b.$('[data-testid="encryption"]');
  await card.waitForExist({ timeout: 10_000 });
  assert.match(await card.getText(), /not encrypted/);
  await (await b.$('[data-testid="new-passphrase"]')).setValue("our coalition 2026");
  // Half the repeat typed: nothing is said yet (the person is still typing it).
  // (addValue types into the empty field; setValue would clear it first, which leaves it.)
  await (await b.$('[data-testid="new-passphrase-again"]')).addValue("our coal");
  assert.doesNotMatch(await card.getText(), /passphrases differ/, "no mismatch while the repeat is being typed");
  // As long as the passphrase and different: said.
  await (await b.$('[data-testid="new-passphrase-again"]')).setValue("our coalition 2027");
  await (await b.$("p=The two passphrases differ.")).waitForExist({ timeout: 10_000 });
  await (await b.$('[data-testid="new-passphrase-again"]')).setValue("our coalition 2026");
  await (await b.$("button=Encrypt this database")).click();
  await (await b.$("p=Done. Caucus will ask for this passphrase when it starts.")).waitForExist({ timeout: 60_000 });
  assert.match(await (await b.$('[data-testid="encryption"]')).getText(), /is encrypted/);
  await (await b.$('[data-testid="encryption"]')).scrollIntoView();
  writeFileSync(join(shots, "encryption-settings.png"), await b.takeScreenshot(), "base64");
  // Still working after the switch.
  await (await b.$("button=Groups")).click();
  await (await b.$("button=Gender justice")).waitForExist({ timeout: 10_000 });
  await first.close();

  const files = readdirSync(dir).filter((f) => f.startsWith("caucus.db"));
  for (const f of files) {
    const bytes = readFileSync(join(dir, f));
    for (const plain of ["Gender justice", "SQLite format 3"]) {
      assert.equal(bytes.indexOf(Buffer.from(plain)), -1, `${f} holds "${plain}" in clear`);
    }
  }

  const second = await openApp();
  const c = second.browser;
  const field = await c.$('[data-testid="unlock-passphrase"]');
  await field.waitForExist({ timeout: 30_000 });
  assert.equal(await (await c.$("h1")).getText(), "This database is encrypted");
  writeFileSync(join(shots, "unlock-en.png"), await c.takeScreenshot(), "base64");
  await field.setValue("not our passphrase");
  await (await c.$("button=Open")).click();
  const alert = await c.$('[role="alert"]');
  await alert.waitForExist({ timeout: 30_000 });
  assert.match(await alert.getText(), /does not open this database/);
  // The same screen in Arabic, right to left (the language a person chose is kept).
  await c.execute((key) => {
    localStorage.setItem(key, "ar");
    location.reload();
  }, STORED);
  const arabic = await c.$("h1=قاعدة البيانات هذه مشفّرة");
  await arabic.waitForExist({ timeout: 30_000 });
  assert.equal(await c.execute(() => document.documentElement.dir), "rtl");
  writeFileSync(join(shots, "unlock-ar.png"), await c.takeScreenshot(), "base64");
  await (await c.$('[data-testid="unlock-passphrase"]')).setValue("wrong again");
  await (await c.$("button=فتح")).click();
  await (await c.$('[role="alert"]')).waitForExist({ timeout: 30_000 });
  await c.execute((key) => {
    localStorage.setItem(key, "en");
    location.reload();
  }, STORED);
  await (await c.$("h1=This database is encrypted")).waitForExist({ timeout: 30_000 });
  await (await c.$('[data-testid="unlock-passphrase"]')).setValue("our coalition 2026");
  await (await c.$("button=Open")).click();
  await (await c.$("h1=My work")).waitForExist({ timeout: 30_000 });
  await (await c.$("button=Groups")).click();
  await (await c.$("button=Gender justice")).waitForExist({ timeout: 10_000 });
  await second.close();
});

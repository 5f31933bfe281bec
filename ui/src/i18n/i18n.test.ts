import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { keyPaths, locales, requiredKeys } from "./index";

const dir = fileURLToPath(new URL(".", import.meta.url));
const load = (f: string) => JSON.parse(readFileSync(`${dir}/${f}`, "utf8")) as object;

describe("translation catalogues", () => {
  const english = keyPaths(load("en.json"));

  it("offers five languages, each with a catalogue file", () => {
    const files = readdirSync(dir).filter((f) => f.endsWith(".json")).map((f) => f.replace(".json", ""));
    expect(files.sort()).toEqual([...locales].sort());
    expect(locales.length).toBe(5);
  });

  it("every language has every key English has, in every plural form it uses", () => {
    for (const locale of locales) {
      const keys = new Set(keyPaths(load(`${locale}.json`)));
      const missing = requiredKeys(english, locale).filter((k) => !keys.has(k));
      expect(missing, `${locale}.json lacks keys`).toEqual([]);
    }
  });

  it("no language keeps a key English no longer has", () => {
    const known = new Set(english.map((k) => k.replace(/_(zero|one|two|few|many|other)$/, "")));
    for (const locale of locales) {
      const stale = keyPaths(load(`${locale}.json`)).filter(
        (k) => !known.has(k.replace(/_(zero|one|two|few|many|other)$/, "")),
      );
      expect(stale, `${locale}.json has keys English lacks`).toEqual([]);
    }
  });

  it("translations keep every placeholder of the English text", () => {
    const flat = (o: object) => Object.fromEntries(keyPaths(o).map((k) => [k, k.split(".").reduce((v: any, p) => v[p], o)]));
    const en = flat(load("en.json"));
    for (const locale of locales) {
      const other = flat(load(`${locale}.json`));
      for (const [key, text] of Object.entries(other)) {
        const base = key.replace(/_(zero|one|two|few|many|other)$/, "_other");
        const source = (en[key] ?? en[base]) as string | undefined;
        if (!source) continue;
        const need = [...source.matchAll(/{{(\w+)}}/g)].map((m) => m[1]).filter((p) => p !== "count");
        for (const p of need) expect(String(text), `${locale}: ${key} keeps {{${p}}}`).toContain(`{{${p}}}`);
      }
    }
  });

  it("every error code the backend sends has a sentence", () => {
    const bindings = readFileSync(`${dir}/../api/bindings.ts`, "utf8");
    const block = bindings.split("export type ErrorCode =")[1].split(";\n")[0];
    const codes = [...block.matchAll(/"([a-z_]+)"/g)].map((m) => m[1]);
    expect(codes.length).toBeGreaterThan(20);
    const keys = new Set(english);
    for (const c of codes) expect(keys.has(`errors.${c}`), c).toBe(true);
  });

  it("every enum value the backend sends has a label", () => {
    // The state names come from the generated bindings; a new state needs a translation.
    const bindings = readFileSync(`${dir}/../api/bindings.ts`, "utf8");
    const block = bindings.split("export type RecommendationState =")[1].split(";")[0];
    const states = [...block.matchAll(/"([a-z_]+)"/g)].map((m) => m[1]);
    expect(states.length).toBeGreaterThan(5);
    const keys = new Set(english);
    for (const s of states) expect(keys.has(`recommendation.states.${s}`), s).toBe(true);
  });
});

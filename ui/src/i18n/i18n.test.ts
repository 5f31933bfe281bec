import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { keyPaths } from "./index";

const dir = fileURLToPath(new URL(".", import.meta.url));
const load = (f: string) => JSON.parse(readFileSync(`${dir}/${f}`, "utf8")) as object;

describe("translation catalogues", () => {
  const english = new Set(keyPaths(load("en.json")));

  it("every language has every key English has", () => {
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".json") && f !== "en.json")) {
      const keys = new Set(keyPaths(load(file)));
      const missing = [...english].filter((k) => !keys.has(k));
      expect(missing, `${file} lacks keys`).toEqual([]);
    }
  });

  it("every enum value the backend sends has a label", () => {
    // The state names come from the generated bindings; a new state needs a translation.
    const bindings = readFileSync(`${dir}/../api/bindings.ts`, "utf8");
    const block = bindings.split("export type RecommendationState =")[1].split(";")[0];
    const states = [...block.matchAll(/"([a-z_]+)"/g)].map((m) => m[1]);
    expect(states.length).toBeGreaterThan(5);
    for (const s of states) expect(english.has(`recommendation.states.${s}`), s).toBe(true);
  });
});

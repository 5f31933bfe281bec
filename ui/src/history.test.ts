import { describe, expect, it } from "vitest";
import { byWrite } from "./screens/History";
import type { HistoryEntry } from "./api";

const entry = (at_ms: number, column: string, value: unknown, current = true, site = "a"): HistoryEntry => ({
  at_ms,
  site,
  actor_id: null,
  actor_name: "Melinda Reed",
  column,
  value,
  current,
});

describe("a record's history, one write at a time", () => {
  it("groups a write's fields and says what each replaced", () => {
    const writes = byWrite([
      entry(1, "$row", null),
      entry(1, "title", "Draft title"),
      entry(1, "state", "draft"),
      entry(2, "state", "open"),
      entry(2, "title", "Better title"),
      entry(3, "state", "under_review"),
    ]);
    expect(writes.map((w) => w.changes.length)).toEqual([3, 2, 1]);
    const second = writes[1].changes;
    expect(second.map((c) => [c.entry.column, c.before, c.entry.value, c.first])).toEqual([
      ["state", "draft", "open", false],
      ["title", "Draft title", "Better title", false],
    ]);
  });

  it("says which value a concurrent change won over", () => {
    const writes = byWrite([
      entry(1, "title", "First", false),
      entry(2, "title", "Won", true, "a"),
      entry(2, "title", "Lost", false, "b"),
    ]);
    expect(writes.map((w) => w.changes[0].lost)).toEqual([false, false, true]);
    expect(writes[1].changes[0].before).toBe("First");
  });
});

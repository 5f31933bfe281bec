import { describe, expect, it } from "vitest";
import { merge, touches, type Touched } from "./data";

const none: Touched = { tables: new Set(), rows: new Set(), everyRow: false, device: false, at: 0 };
const rec = "0190e8a0-0000-7000-8000-000000000001";
const other = "0190e8a0-0000-7000-8000-000000000002";

describe("which screens an event reloads", () => {
  it("a comment reloads the screens that show comments, not the directory", () => {
    const t = merge(none, { kind: "changed", tables: ["comment"], rows: [other], every_row: false });
    expect(touches(t, ["comment", "person"])).toBe(true);
    expect(touches(t, ["person", "organization"])).toBe(false);
    expect(touches(t, ["any"])).toBe(true);
    expect(touches(t, ["device"])).toBe(false);
  });

  it("a row is watched in whatever table it is", () => {
    const t = merge(none, { kind: "changed", tables: ["recommendation"], rows: [rec], every_row: false });
    expect(touches(t, [{ row: rec }])).toBe(true);
    expect(touches(t, [{ row: other }])).toBe(false);
  });

  it("a batch too big to list its rows reloads every screen showing its tables", () => {
    const t = merge(none, { kind: "changed", tables: ["recommendation"], rows: [], every_row: true });
    expect(touches(t, [{ row: rec }])).toBe(true);
  });

  it("the device's own state reloads only what watches it", () => {
    const t = merge(none, { kind: "device" });
    expect(touches(t, ["device"])).toBe(true);
    expect(touches(t, ["any", "comment"])).toBe(false);
  });

  it("a burst merges its events", () => {
    let t = merge(none, { kind: "changed", tables: ["comment"], rows: [other], every_row: false });
    t = merge(t, { kind: "device" });
    t = merge(t, { kind: "changed", tables: ["endorsement"], rows: [rec], every_row: false });
    expect([...t.tables].sort()).toEqual(["comment", "endorsement"]);
    expect(t.device && !t.everyRow && t.rows.has(rec) && t.rows.has(other)).toBe(true);
  });
});

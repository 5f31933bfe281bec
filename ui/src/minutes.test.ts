import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { splice } from "./screens/Minutes";

describe("a keystroke in the minutes as one splice of the shared text", () => {
  const apply = (before: string, after: string) => {
    const doc = new Y.Doc();
    const text = doc.getText("text");
    text.insert(0, before);
    const { at, removed, inserted } = splice(before, after);
    if (removed) text.delete(at, removed);
    if (inserted) text.insert(at, inserted);
    return text.toString();
  };

  it("typing, deleting and replacing anywhere give the box's new value", () => {
    for (const [before, after] of [
      ["", "T"],
      ["The Bureau met.", "The Bureau met. It agreed."],
      ["The Bureau met.", "The Bureau has met."],
      ["The Bureau met.", "Bureau met."],
      ["aaa", "aa"],
      ["abcabc", "abXabc"],
      ["اجتمع المكتب.", "اجتمع المكتب اليوم."],
      ["⚖️ court", "⚖️👩🏽‍⚖️ court"],
      ["whole text", ""],
    ]) {
      expect(apply(before, after)).toBe(after);
    }
  });

  it("a change in the middle removes only what changed", () => {
    expect(splice("The Bureau met.", "The Board met.")).toEqual({ at: 5, removed: 5, inserted: "oard" });
  });
});

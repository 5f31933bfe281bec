// Which screen a record opens: a comment or a translation opens its recommendation, a tracked
// issue its page (the core says which in `target_kind`), people and organizations the directory.
import type { Route } from "./App";

export function routeTo(targetKind: string, targetId: string): Route {
  switch (targetKind) {
    case "group":
      return { view: "group", id: targetId };
    case "recommendation":
      return { view: "recommendation", id: targetId };
    case "meeting":
      return { view: "meeting", id: targetId };
    case "tracked_issue":
      return { view: "issue", id: targetId };
    default:
      return { view: "directory" };
  }
}

import { describe, expect, it } from "vitest";
import type { Recommendation, Session } from "./api";
import { canAnswer, movesFor } from "./rights";

const person = (id: string) => ({ id, archived: false, name: id, email: "", organization_id: null, secretariat_admin: false });
const session = (id: string, role: "leader" | "member" | null): Session => ({
  site_id: "s",
  acting_person: person(id),
  memberships: role ? [{ id: "m", archived: false, group_id: "g", person_id: id, role }] : [],
  steering: false,
  empty: false,
});
const rec = (state: Recommendation["state"]): Recommendation => ({
  id: "r", archived: false, group_id: "g", author_id: "author", co_author_ids: [], addressee: "group",
  addressee_ids: [], title: "t", body: "b", language: "en", state, answer_draft: "",
  answer_draft_decision: null, answer: "", duplicate_of: null,
});

describe("rights mirrored in the UI", () => {
  it("offers the author opening and withdrawing, the leader reviewing", () => {
    expect(movesFor(session("author", "member"), rec("draft"))).toEqual(["open", "withdrawn"]);
    expect(movesFor(session("lead", "leader"), rec("open"))).toEqual(["under_review"]);
    expect(movesFor(session("other", "member"), rec("open"))).toEqual([]);
  });
  it("lets only the team answer what is under review", () => {
    expect(canAnswer(session("lead", "leader"), rec("under_review"))).toBe(true);
    expect(canAnswer(session("other", "member"), rec("under_review"))).toBe(false);
    expect(canAnswer(session("lead", "leader"), rec("referred"))).toBe(false);
  });
});

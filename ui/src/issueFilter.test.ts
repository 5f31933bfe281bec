import { describe, expect, it } from "vitest";
import type { TrackedIssue } from "./api";
import { filterIssues, NO_FILTER, today } from "./issueFilter";

const issue = (id: string, over: Partial<TrackedIssue>): TrackedIssue => ({
  id,
  archived: false,
  group_id: "g",
  title: id,
  description: "",
  status: "open",
  priority: "normal",
  due_date: null,
  assignee_ids: [],
  labels: [],
  recommendation_ids: [],
  ...over,
});

const issues = [
  issue("late", { due_date: "2026-12-01", assignee_ids: ["amal"], labels: ["URC"] }),
  issue("late-but-resolved", { due_date: "2026-12-01", status: "resolved" }),
  issue("this-week", { due_date: "2026-12-10", assignee_ids: ["amal", "sam"] }),
  issue("later", { due_date: "2027-01-20", labels: ["URC", "budget"] }),
  issue("undated", {}),
];
const ids = (list: TrackedIssue[]) => list.map((i) => i.id);
const on = "2026-12-07";

describe("filtering a group's issues", () => {
  it("keeps everything with no filter", () => {
    expect(ids(filterIssues(issues, NO_FILTER, on))).toEqual(ids(issues));
  });
  it("by assignee, and the unassigned", () => {
    expect(ids(filterIssues(issues, { ...NO_FILTER, assignee: "amal" }, on))).toEqual(["late", "this-week"]);
    expect(ids(filterIssues(issues, { ...NO_FILTER, assignee: "nobody" }, on))).toEqual(["late-but-resolved", "later", "undated"]);
  });
  it("by label", () => {
    expect(ids(filterIssues(issues, { ...NO_FILTER, label: "URC" }, on))).toEqual(["late", "later"]);
  });
  it("by when it is due: overdue and open, within a week, or never", () => {
    expect(ids(filterIssues(issues, { ...NO_FILTER, due: "overdue" }, on))).toEqual(["late"]);
    expect(ids(filterIssues(issues, { ...NO_FILTER, due: "week" }, on))).toEqual(["this-week"]);
    expect(ids(filterIssues(issues, { ...NO_FILTER, due: "none" }, on))).toEqual(["undated"]);
  });
  it("combines them", () => {
    expect(ids(filterIssues(issues, { assignee: "amal", label: "URC", due: "overdue" }, on))).toEqual(["late"]);
  });
  it("knows today as a calendar day, across a month's end", () => {
    expect(today(new Date(2026, 11, 31, 23, 59))).toBe("2026-12-31");
    expect(ids(filterIssues([issue("jan", { due_date: "2027-01-03" })], { ...NO_FILTER, due: "week" }, "2026-12-30"))).toEqual(["jan"]);
  });
});

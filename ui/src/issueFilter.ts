// Narrowing a group's tracked issues by who owns them, a label and when they are due.
import type { TrackedIssue } from "./api";
import { dateOf, dayOf } from "./dates";

export type DueFilter = "" | "overdue" | "week" | "none";

export type IssueFilter = {
  /** "" anyone, "nobody" unassigned, else a person id. */
  assignee: string;
  /** "" any label. */
  label: string;
  due: DueFilter;
};

export const NO_FILTER: IssueFilter = { assignee: "", label: "", due: "" };

/** Today where the person is, as due dates are kept (`YYYY-MM-DD`). */
export function today(now = new Date()): string {
  return dayOf(now);
}

/** The day `days` after `day` (both `YYYY-MM-DD`). */
function plusDays(day: string, days: number): string {
  const date = dateOf(day) ?? new Date(NaN);
  date.setDate(date.getDate() + days);
  return dayOf(date);
}

/** The issues the filter keeps; an issue resolved or archived is never overdue. */
export function filterIssues(issues: TrackedIssue[], filter: IssueFilter, on: string = today()): TrackedIssue[] {
  const week = plusDays(on, 7);
  return issues.filter((i) => {
    if (filter.assignee === "nobody" && i.assignee_ids.length > 0) return false;
    if (filter.assignee && filter.assignee !== "nobody" && !i.assignee_ids.includes(filter.assignee)) return false;
    if (filter.label && !i.labels.includes(filter.label)) return false;
    const open = i.status !== "resolved" && i.status !== "archived";
    switch (filter.due) {
      case "overdue":
        return open && !!i.due_date && i.due_date < on;
      case "week":
        return open && !!i.due_date && i.due_date >= on && i.due_date <= week;
      case "none":
        return !i.due_date;
      default:
        return true;
    }
  });
}

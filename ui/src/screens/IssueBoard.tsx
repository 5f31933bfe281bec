// A group's tracked issues as a board, one column per status. A leader moves a card by
// dragging it, or with the keyboard: focus the card and press the arrow keys (toward the
// line's start or end, so they follow the reading direction in Arabic too).
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { commands, type IssueStatus, type TrackedIssue } from "../api";
import { useAction } from "../data";
import { direction } from "../i18n";
import { ErrorLine, formatDay } from "./parts";

const COLUMNS: IssueStatus[] = ["open", "monitoring", "action_needed", "resolved"];

export function IssueBoard({
  issues,
  lead,
  onOpen,
}: {
  issues: TrackedIssue[];
  lead: boolean;
  /** Opens an issue's page (its title, or Enter on the card). */
  onOpen: (issue: TrackedIssue) => void;
}) {
  const { t, i18n } = useTranslation();
  const action = useAction();
  const [announce, setAnnounce] = useState("");
  const [dragging, setDragging] = useState<string | null>(null);
  const [over, setOver] = useState<IssueStatus | null>(null);
  // The card to give the keyboard back to once the board shows it in its new column.
  const [refocus, setRefocus] = useState<{ id: string; status: IssueStatus } | null>(null);
  useEffect(() => {
    if (!refocus) return;
    const moved = issues.find((i) => i.id === refocus.id);
    if (moved?.status === refocus.status) {
      document.getElementById(`issue-card-${refocus.id}`)?.focus();
      setRefocus(null);
    }
  }, [issues, refocus]);

  // Where each card was last sent: a second key press before the board redraws moves on from
  // there, not from the stale column.
  const sent = useRef(new Map<string, IssueStatus>());
  const current = (issue: TrackedIssue) => sent.current.get(issue.id) ?? issue.status;
  useEffect(() => {
    // Once the board shows a card where it was sent, its data is current again.
    for (const i of issues) if (sent.current.get(i.id) === i.status) sent.current.delete(i.id);
  }, [issues]);

  const move = async (issue: TrackedIssue, status: IssueStatus) => {
    if (current(issue) === status) return;
    sent.current.set(issue.id, status);
    const done = await action.run(() => commands.updateTrackedIssue({ id: issue.id, status }));
    if (!done) sent.current.delete(issue.id);
    if (done) {
      setAnnounce(t("issue.moved", { title: issue.title, status: t(`issue.statuses.${status}`) }));
      setRefocus({ id: issue.id, status });
    }
  };

  const step = (issue: TrackedIssue, key: string) => {
    const rtl = direction(i18n.language) === "rtl";
    const forward = key === (rtl ? "ArrowLeft" : "ArrowRight");
    const backward = key === (rtl ? "ArrowRight" : "ArrowLeft");
    if (!forward && !backward) return false;
    const at = Math.max(0, COLUMNS.indexOf(current(issue)));
    const next = COLUMNS[at + (forward ? 1 : -1)];
    if (next) void move(issue, next);
    return true;
  };

  return (
    <div>
      {lead && (
        <p className="muted" id="board-help">
          {t("issue.boardHelp")}
        </p>
      )}
      <div className="board" data-testid="issue-board">
        {COLUMNS.map((status) => {
          const cards = issues.filter((i) => i.status === status);
          return (
            <section
              key={status}
              className={over === status ? "column over" : "column"}
              aria-label={t(`issue.statuses.${status}`)}
              data-status={status}
              onDragOver={(e) => {
                if (!lead || !dragging) return;
                e.preventDefault();
                setOver(status);
              }}
              onDragLeave={() => setOver(null)}
              onDrop={(e) => {
                e.preventDefault();
                setOver(null);
                const issue = issues.find((i) => i.id === dragging);
                setDragging(null);
                if (issue) void move(issue, status);
              }}
            >
              <h3>
                {t(`issue.statuses.${status}`)} <span className="muted">({cards.length})</span>
              </h3>
              <ul>
                {cards.map((issue) => (
                  <li key={issue.id}>
                    <div
                      id={`issue-card-${issue.id}`}
                      className="issue-card"
                      tabIndex={0}
                      role="group"
                      aria-label={issue.title}
                      aria-describedby={lead ? "board-help" : undefined}
                      draggable={lead}
                      data-testid="issue-card"
                      onDragStart={(e) => {
                        setDragging(issue.id);
                        e.dataTransfer.setData("text/plain", issue.id);
                        e.dataTransfer.effectAllowed = "move";
                      }}
                      onDragEnd={() => setDragging(null)}
                      onKeyDown={(e) => {
                        if (e.key === "Enter" && e.target === e.currentTarget) {
                          e.preventDefault();
                          onOpen(issue);
                        } else if (lead && step(issue, e.key)) e.preventDefault();
                      }}
                    >
                      <button type="button" className="link card-title" dir="auto" tabIndex={-1} onClick={() => onOpen(issue)}>
                        {issue.title}
                      </button>
                      <span className="muted">
                        {t(`issue.priorities.${issue.priority}`)}
                        {issue.due_date ? ` · ${formatDay(issue.due_date, i18n.language)}` : ""}
                      </span>
                    </div>
                  </li>
                ))}
              </ul>
            </section>
          );
        })}
      </div>
      <p className="visually-hidden" aria-live="polite">
        {announce}
      </p>
      <ErrorLine error={action.error} />
    </div>
  );
}

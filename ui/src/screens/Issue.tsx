// A tracked issue's own page: what it is about (Markdown), who owns it, when it is due, its
// labels and the recommendations it follows, and its history; the group's leaders edit it
// here. The board's cards and the list's titles open it.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import {
  commands,
  type IssueStatus,
  type Person,
  type Priority,
  type Recommendation,
  type Session,
  type TrackedIssue,
} from "../api";
import { useAction, useLoad } from "../data";
import type { Navigate } from "../App";
import type { DueFilter, IssueFilter } from "../issueFilter";
import { History } from "./History";
import { ArchiveButton, CheckList, Editor, ErrorLine, formatDay, Markdown, Options, Unreadable } from "./parts";
import { DateField } from "./DateField";

const STATUSES: IssueStatus[] = ["open", "monitoring", "action_needed", "resolved", "archived"];
const PRIORITIES: Priority[] = ["low", "normal", "high", "urgent"];

async function loadIssue(id: string) {
  const issue = await commands.getTrackedIssue({ id });
  const [group, memberships, people, recommendations] = await Promise.all([
    commands.getGroup({ id: issue.group_id }),
    commands.listMemberships({ group_id: issue.group_id }),
    commands.listPeople({}),
    commands.listRecommendations({ group_id: issue.group_id }),
  ]);
  const byId = new Map(people.map((p) => [p.id, p]));
  // Whom an issue can be given to: the group's members (not who only asked to join), and
  // whoever holds it already.
  const members = memberships.filter((m) => m.role !== "applicant");
  const assignable = [
    ...new Set([...members.map((m) => m.person_id), ...issue.assignee_ids]),
  ].flatMap((pid) => byId.get(pid) ?? []);
  return { issue, group, byId, assignable, recommendations };
}

export function IssueScreen({ id, navigate, session }: { id: string; navigate: Navigate; session: Session }) {
  const { t, i18n } = useTranslation();
  const action = useAction();
  const data = useLoad(() => loadIssue(id), [id], [{ row: id }, "membership", "person", "recommendation"]);
  if (data.error) return <ErrorLine error={data.error} />;
  if (!data.data) return <p className="loading">{t("app.loading")}</p>;
  const { issue, group, byId, assignable, recommendations } = data.data;
  const lead = session.powers.find((p) => p.group_id === issue.group_id)?.keep ?? false;
  const locale = i18n.language;
  const linked = recommendations.filter((r) => issue.recommendation_ids.includes(r.id));
  // The history shows the group, people and recommendations an issue names by their names.
  const names = new Map([
    ...[...byId].map(([k, p]) => [k, p.name] as [string, string]),
    ...recommendations.map((r) => [r.id, r.title] as [string, string]),
    [group.id, group.name],
  ]);

  return (
    <div className="page">
      <button className="link" onClick={() => navigate({ view: "group", id: issue.group_id })}>
        {t("issue.backTo", { group: group.name })}
      </button>
      <h1 dir="auto" data-testid="issue-title">
        {issue.title}
      </h1>
      <Unreadable record={issue} />
      <section className="card">
        <dl className="facts">
          <dt>{t("issue.status")}</dt>
          <dd data-testid="issue-status">{t(`issue.statuses.${issue.status}`)}</dd>
          <dt>{t("issue.priority")}</dt>
          <dd>{t(`issue.priorities.${issue.priority}`)}</dd>
          <dt>{t("issue.due")}</dt>
          <dd data-testid="issue-due">{issue.due_date ? formatDay(issue.due_date, locale) : t("issue.noDue")}</dd>
          <dt>{t("issue.assignees")}</dt>
          <dd data-testid="issue-assignees">
            {issue.assignee_ids.length === 0
              ? t("issue.nobodyAssigned")
              : issue.assignee_ids.map((a, i) => (
                  <span key={a}>
                    {i > 0 && ", "}
                    <bdi>{byId.get(a)?.name ?? "?"}</bdi>
                  </span>
                ))}
          </dd>
          <dt>{t("issue.labelsShort")}</dt>
          <dd data-testid="issue-labels">
            {issue.labels.length === 0
              ? t("common.none")
              : issue.labels.map((l) => (
                  <span key={l} className="badge">
                    <bdi>{l}</bdi>
                  </span>
                ))}
          </dd>
          <dt>{t("issue.recommendations")}</dt>
          <dd>
            {linked.length === 0 ? (
              t("common.none")
            ) : (
              <ul className="plain">
                {linked.map((r) => (
                  <li key={r.id}>
                    <button className="link" dir="auto" onClick={() => navigate({ view: "recommendation", id: r.id })}>
                      {r.title}
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </dd>
        </dl>
        <h2>{t("issue.description")}</h2>
        {issue.description ? <Markdown source={issue.description} /> : <p className="muted">{t("issue.noDescription")}</p>}
        {lead && (
          <div className="actions">
            <Editor summary={t("common.edit")}>
              {(close) => (
                <IssueEditForm issue={issue} assignable={assignable} recommendations={recommendations} onSaved={close} />
              )}
            </Editor>
            <ArchiveButton
              onArchive={async () => {
                if (await action.run(() => commands.archiveTrackedIssue({ id }))) navigate({ view: "group", id: issue.group_id });
              }}
            />
          </div>
        )}
        <ErrorLine error={action.error} />
      </section>
      <History kind="tracked_issue" id={id} names={names} session={session} />
    </div>
  );
}

/** Every field a leader sets, in one form; only what changed is written (one change each). */
function IssueEditForm({
  issue,
  assignable,
  recommendations,
  onSaved,
}: {
  issue: TrackedIssue;
  assignable: Person[];
  recommendations: Recommendation[];
  onSaved: () => void;
}) {
  const { t } = useTranslation();
  const action = useAction();
  const [draft, setDraft] = useState({
    title: issue.title,
    description: issue.description,
    status: issue.status,
    priority: issue.priority,
    due_date: issue.due_date ?? "",
    assignee_ids: issue.assignee_ids,
    labels: issue.labels.join(", "),
    recommendation_ids: issue.recommendation_ids,
  });
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));
  return (
    <form
      data-testid="issue-edit"
      onSubmit={async (e) => {
        e.preventDefault();
        const labels = draft.labels
          .split(",")
          .map((l) => l.trim())
          .filter(Boolean);
        const saved = await action.run(() =>
          commands.updateTrackedIssue({
            id: issue.id,
            title: draft.title !== issue.title ? draft.title : null,
            description: draft.description !== issue.description ? draft.description : null,
            status: draft.status !== issue.status ? draft.status : null,
            priority: draft.priority !== issue.priority ? draft.priority : null,
            // "" clears a due date that was set; null leaves it as it is.
            due_date: draft.due_date !== (issue.due_date ?? "") ? draft.due_date : null,
            assignee_ids: same(draft.assignee_ids, issue.assignee_ids) ? null : draft.assignee_ids,
            labels: same(labels, issue.labels) ? null : labels,
            recommendation_ids: same(draft.recommendation_ids, issue.recommendation_ids) ? null : draft.recommendation_ids,
          }),
        );
        if (saved) onSaved();
      }}
    >
      <label>
        {t("common.title")}
        <input value={draft.title} onChange={(e) => setDraft({ ...draft, title: e.target.value })} required />
      </label>
      <label>
        {t("issue.descriptionMarkdown")}
        <textarea rows={6} value={draft.description} onChange={(e) => setDraft({ ...draft, description: e.target.value })} />
      </label>
      <div className="row">
        <label>
          {t("issue.status")}{" "}
          <select value={draft.status} onChange={(e) => setDraft({ ...draft, status: e.target.value as IssueStatus })}>
            <Options values={STATUSES} labels="issue.statuses" />
          </select>
        </label>
        <label>
          {t("issue.priority")}{" "}
          <select value={draft.priority} onChange={(e) => setDraft({ ...draft, priority: e.target.value as Priority })}>
            <Options values={PRIORITIES} labels="issue.priorities" />
          </select>
        </label>
        <DateField
          label={t("issue.due")}
          value={draft.due_date}
          onChange={(due_date) => setDraft({ ...draft, due_date })}
          optional
          testId="issue-due-field"
        />
      </div>
      <CheckList
        legend={t("issue.assignees")}
        testId="issue-assign"
        items={assignable.map((p) => ({ id: p.id, label: p.name }))}
        chosen={draft.assignee_ids}
        onChange={(assignee_ids) => setDraft({ ...draft, assignee_ids })}
      />
      <label>
        {t("issue.labels")}
        <input value={draft.labels} onChange={(e) => setDraft({ ...draft, labels: e.target.value })} />
      </label>
      {recommendations.length > 0 && (
        <CheckList
          legend={t("issue.recommendations")}
          items={recommendations.map((r) => ({ id: r.id, label: r.title }))}
          chosen={draft.recommendation_ids}
          onChange={(recommendation_ids) => setDraft({ ...draft, recommendation_ids })}
        />
      )}
      <ErrorLine error={action.error} />
      <button type="submit" disabled={action.busy}>
        {t("common.save")}
      </button>
    </form>
  );
}

/** A set of records chosen by checkboxes (ids), each labelled by member-written text. */

/** The board's and the list's filters: who owns an issue (me first), a label, when it is due. */
export function IssueFilters({
  issues,
  people,
  me,
  filter,
  onChange,
}: {
  issues: TrackedIssue[];
  people: Map<string, Person>;
  me: string | undefined;
  filter: IssueFilter;
  onChange: (filter: IssueFilter) => void;
}) {
  const { t } = useTranslation();
  const owners = [...new Set(issues.flatMap((i) => i.assignee_ids))].filter((p) => p !== me);
  const labels = [...new Set(issues.flatMap((i) => i.labels))].sort();
  return (
    <div className="row filters" role="group" aria-label={t("issue.filters")} data-testid="issue-filters">
      <label>
        {t("issue.assignees")}{" "}
        <select value={filter.assignee} onChange={(e) => onChange({ ...filter, assignee: e.target.value })} data-testid="filter-assignee">
          <option value="">{t("issue.anyone")}</option>
          {me && <option value={me}>{t("issue.me")}</option>}
          <option value="nobody">{t("issue.nobodyAssigned")}</option>
          {owners.map((p) => (
            <option key={p} value={p}>
              {people.get(p)?.name ?? "?"}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t("issue.labelsShort")}{" "}
        <select value={filter.label} onChange={(e) => onChange({ ...filter, label: e.target.value })} data-testid="filter-label">
          <option value="">{t("issue.anyLabel")}</option>
          {labels.map((l) => (
            <option key={l} value={l}>
              {l}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t("issue.due")}{" "}
        <select value={filter.due} onChange={(e) => onChange({ ...filter, due: e.target.value as DueFilter })} data-testid="filter-due">
          <option value="">{t("issue.dueAny")}</option>
          <option value="overdue">{t("issue.dueOverdue")}</option>
          <option value="week">{t("issue.dueWeek")}</option>
          <option value="none">{t("issue.noDue")}</option>
        </select>
      </label>
    </div>
  );
}

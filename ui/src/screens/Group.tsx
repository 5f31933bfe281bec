import { useState } from "react";
import { useTranslation } from "react-i18next";
import { IssueBoard } from "./IssueBoard";
import { GroupDashboard } from "./Dashboard";
import {
  commands,
  type Addressee,
  type IssueStatus,
  type Language,
  type Organization,
  type Person,
  type Priority,
  type Region,
  type Role,
  type Session,
} from "../api";
import { useAction, useLoad } from "../data";
import type { Navigate } from "../App";
import { AddMembers } from "./AddMembers";
import { OrganizationPicker } from "./OrganizationPicker";
import { IssueFilters } from "./Issue";
import { filterIssues, NO_FILTER } from "../issueFilter";
import { History } from "./History";
import { NewMeetingForm } from "./Meeting";
import { ArchiveButton, Editor, ErrorLine, ExportButtons, formatDay, formatMoment, Markdown, Options, RegionSelect, ReportButton, TextEdit, Unreadable } from "./parts";
import { DateField } from "./DateField";

export const ISSUE_STATUSES: IssueStatus[] = ["open", "monitoring", "action_needed", "resolved", "archived"];
const PRIORITIES: Priority[] = ["low", "normal", "high", "urgent"];
export const LANGUAGES: Language[] = ["en", "fr", "es", "ar", "pt"];
const ROLES: Role[] = ["member", "observer", "leader", "focal_point"];
const ADDRESSEES: Addressee[] = ["group", "coalition", "steering_committee", "organizations"];

async function loadGroup(id: string) {
  const [group, memberships, people, organizations, issues, recommendations, endorsements, meetings] = await Promise.all([
    commands.getGroup({ id }),
    commands.listMemberships({ group_id: id }),
    commands.listPeople({}),
    commands.listOrganizations({}),
    commands.listTrackedIssues({ group_id: id }),
    commands.listRecommendations({ group_id: id }),
    commands.listEndorsements({}),
    commands.listMeetings({ group_id: id }),
  ]);
  const byId = new Map(people.map((p) => [p.id, p]));
  return { group, memberships, people, organizations, byId, issues, recommendations, endorsements, meetings };
}

export function GroupScreen({ id, navigate, session }: { id: string; navigate: Navigate; session: Session }) {
  const [issueView, setIssueView] = useState<"board" | "list">("board");
  const { t, i18n } = useTranslation();
  const data = useLoad(() => loadGroup(id), [id], [
    { row: id },
    "membership",
    "person",
    "organization",
    "tracked_issue",
    "recommendation",
    "endorsement",
    "meeting",
  ]);
  const action = useAction();
  const [joinRole, setJoinRole] = useState<Role>("member");
  const [issueFilter, setIssueFilter] = useState(NO_FILTER);
  if (data.error) return <ErrorLine error={data.error} />;
  if (!data.data) return <p className="loading">{t("app.loading")}</p>;
  const { group, memberships, people, organizations, byId, issues, recommendations, endorsements, meetings } = data.data;
  const me = session.acting_person?.id;
  const shownIssues = filterIssues(issues, issueFilter);
  const mine = memberships.find((m) => m.person_id === me);
  // What the acting person may do here, as the core's rights table answers it.
  const powers = session.powers.find((p) => p.group_id === id);
  const lead = powers?.keep ?? false;
  const admin = session.admin;
  // People who asked to join are not members yet: their leaders answer them apart.
  const members = memberships.filter((m) => m.role !== "applicant");
  const applicants = memberships.filter((m) => m.role === "applicant");
  const named = (role: Role) =>
    memberships
      .filter((m) => m.role === role)
      .map((m) => byId.get(m.person_id)?.name ?? "?")
      .join(", ") || t("common.none");

  return (
    <div className="page">
      <button className="link" onClick={() => navigate({ view: "groups" })}>
        {t("nav.back")}
      </button>
      <h1>{group.name}</h1>
      <Unreadable record={group} />
      <p className="muted" data-testid="group-kind">
        {t(`groupKindOne.${group.kind}`)}
        {group.region && ` · ${t(`region.${group.region}`)}`}
      </p>
      <section className="card">
        <h2>{t("groups.mandate")}</h2>
        <Markdown source={group.mandate} />
        <dl className="facts">
          <dt>{t("groups.leader")}</dt>
          <dd data-testid="group-leader">{named("leader")}</dd>
          <dt>{t("groups.focalPoint")}</dt>
          <dd>{named("focal_point")}</dd>
        </dl>
        {me && mine && mine.role === "applicant" && (
          <div className="row">
            <p className="notice" data-testid="asked-to-join">{t("groups.asked", { name: group.name })}</p>
            <button
              className="secondary"
              onClick={() => {
                if (window.confirm(t("groups.confirmWithdraw", { name: group.name })))
                  action.run(() => commands.leaveGroup({ group_id: id, person_id: null }));
              }}
            >
              {t("groups.withdrawRequest")}
            </button>
          </div>
        )}
        {me && mine && mine.role !== "applicant" && (
          // Leaving is rare and takes one's rights in the group with it: a quiet button, confirmed.
          <button
            className="secondary"
            onClick={() => {
              if (window.confirm(t("groups.confirmLeave", { name: group.name })))
                action.run(() => commands.leaveGroup({ group_id: id, person_id: null }));
            }}
          >
            {t("groups.leave")}
          </button>
        )}
        {me && !mine && !lead && (
          // The coalition's teams are open to everyone: anyone asks, a leader accepts; following
          // as an observer needs nobody's answer.
          <div className="row">
            <button
              data-testid="ask-to-join"
              onClick={() => action.run(() => commands.joinGroup({ group_id: id, person_id: null, role: "applicant" }))}
            >
              {t("groups.askToJoin")}
            </button>
            <button
              className="secondary"
              onClick={() => action.run(() => commands.joinGroup({ group_id: id, person_id: null, role: "observer" }))}
            >
              {t("groups.follow")}
            </button>
          </div>
        )}
        {me && !mine && lead && (
          <div className="row">
            <label>
              {t("groups.joinAs")}{" "}
              <select data-testid="join-role" value={joinRole} onChange={(e) => setJoinRole(e.target.value as Role)}>
                <Options values={ROLES} labels="role" />
              </select>
            </label>
            <button onClick={() => action.run(() => commands.joinGroup({ group_id: id, person_id: null, role: joinRole }))}>
              {t("groups.join")}
            </button>
          </div>
        )}
        {lead && (
        <div className="actions">
          <Editor summary={t("common.edit")}>
            {(close) => <GroupEditForm id={id} name={group.name} mandate={group.mandate} region={group.region} onSaved={close} />}
          </Editor>

        </div>
        )}
        <ErrorLine error={action.error} />
      </section>

      <section className="card">
        <h2>{t("groups.membersHeading")}</h2>
        <p className="muted">{t("groups.members", { count: members.length })}</p>
        {lead && applicants.length > 0 && (
          <div className="applicants" data-testid="applicants">
            <h3>{t("groups.applicantsHeading", { count: applicants.length })}</h3>
            <ul className="plain">
              {applicants.map((m) => {
                const name = byId.get(m.person_id)?.name ?? "?";
                return (
                  <li key={m.id} className="actions">
                    <span dir="auto">{name}</span>
                    <button
                      aria-label={t("groups.acceptName", { name })}
                      onClick={() => action.run(() => commands.updateMembership({ id: m.id, role: "member" }))}
                    >
                      {t("groups.accept")}
                    </button>
                    <button
                      className="secondary"
                      aria-label={t("groups.declineName", { name })}
                      onClick={() => {
                        if (window.confirm(t("groups.confirmDecline", { name, group: group.name })))
                          action.run(() => commands.leaveGroup({ group_id: id, person_id: m.person_id }));
                      }}
                    >
                      {t("groups.decline")}
                    </button>
                  </li>
                );
              })}
            </ul>
          </div>
        )}
        <ul className="plain">
          {members.map((m) => {
            const name = byId.get(m.person_id)?.name ?? "?";
            return (
              <li key={m.id} className="actions">
                {name}
                {!lead && <span className="badge">{t(`role.${m.role}`)}</span>}
                {lead && (
                <select
                  aria-label={t("groups.changeRole", { name })}
                  value={m.role}
                  onChange={(e) => action.run(() => commands.updateMembership({ id: m.id, role: e.target.value as Role }))}
                >
                  <Options values={ROLES} labels="role" />
                </select>
                )}
                {lead && (
                <button
                  className="secondary"
                  onClick={() => {
                    if (window.confirm(t("groups.confirmRemove", { name, group: group.name })))
                      action.run(() => commands.leaveGroup({ group_id: id, person_id: m.person_id }));
                  }}
                >
                  {t("common.remove")}
                </button>
                )}
              </li>
            );
          })}
        </ul>
        {lead && (
          <AddMembers
            groupId={id}
            people={people}
            organizations={organizations}
            memberIds={new Set(memberships.map((m) => m.person_id))}
          />
        )}
      </section>

      <section className="card">
        <h2>{t("dashboard.title")}</h2>
        <GroupDashboard id={id} />
      </section>

      <section className="card">
        <h2>{t("groups.issuesHeading")}</h2>
        <ExportButtons kind="tracked_issue" groupId={id} />
        {lead && <NewIssueForm groupId={id} />}
        {issues.length === 0 && <p className="muted">{t("common.noItems")}</p>}
        <div className="view-switch" role="group" aria-label={t("issue.view")}>
          <button className="secondary" aria-pressed={issueView === "board"} onClick={() => setIssueView("board")}>
            {t("issue.board")}
          </button>
          <button className="secondary" aria-pressed={issueView === "list"} onClick={() => setIssueView("list")}>
            {t("issue.list")}
          </button>
        </div>
        <IssueFilters issues={issues} people={byId} me={me} filter={issueFilter} onChange={setIssueFilter} />
        {issueView === "board" && (
          <IssueBoard
            issues={shownIssues}
            lead={lead}
            onOpen={(issue) => navigate({ view: "issue", id: issue.id })}
          />
        )}
        {issueView === "list" && (
        <table className="list">
          <thead>
            <tr>
              <th>{t("common.title")}</th>
              <th>{t("issue.status")}</th>
              <th>{t("issue.priority")}</th>
              <th>{t("issue.due")}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {shownIssues.map((issue) => (
              <tr key={issue.id}>
                <td>
                  <button className="link" dir="auto" data-testid="issue-link" onClick={() => navigate({ view: "issue", id: issue.id })}>
                    {issue.title}
                  </button>
                </td>
                <td>
                  <select
                    disabled={!lead}
                    aria-label={t("issue.status")}
                    value={issue.status}
                    onChange={(e) =>
                      action.run(() =>
                        commands.updateTrackedIssue({ id: issue.id, status: e.target.value as IssueStatus }),
                      )
                    }
                  >
                    <Options values={ISSUE_STATUSES} labels="issue.statuses" />
                  </select>
                </td>
                <td>{t(`issue.priorities.${issue.priority}`)}</td>
                <td>{issue.due_date ? formatDay(issue.due_date, i18n.language) : ""}</td>
                <td className="actions">
                  {lead && (<>
                  <TextEdit label={t("common.title")} value={issue.title} save={(title) => commands.updateTrackedIssue({ id: issue.id, title })} />
                  <ArchiveButton onArchive={() => action.run(() => commands.archiveTrackedIssue({ id: issue.id }))} />
                  </>)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        )}
      </section>

      <section className="card">
        <h2>{t("groups.recommendationsHeading")}</h2>
        <div className="actions">
          <ExportButtons kind="recommendation" groupId={id} />
          <ReportButton groupId={id} groupName={group.name} />
        </div>
        {powers?.post && <NewRecommendationForm groupId={id} organizations={organizations} navigate={navigate} />}
        {recommendations.length === 0 && <p className="muted">{t("common.noItems")}</p>}
        <ul className="plain">
          {recommendations.map((r) => (
            <li key={r.id}>
              <button
                className="link"
                data-testid="rec-link"
                lang={r.language}
                dir={r.language === "ar" ? "rtl" : "auto"}
                onClick={() => navigate({ view: "recommendation", id: r.id })}
              >
                {r.title}
              </button>{" "}
              <span className="badge">{t(`recommendation.states.${r.state}`)}</span>{" "}
              <span className="muted">
                {t("recommendation.endorsements", {
                  count: endorsements.filter((e) => e.recommendation_id === r.id).length,
                })}
              </span>
            </li>
          ))}
        </ul>
      </section>

      <section className="card">
        <h2>{t("groups.meetingsHeading")}</h2>
        {lead && <NewMeetingForm groupId={id} navigate={navigate} />}
        <ul className="plain">
          {meetings.map((m) => (
            <li key={m.id}>
              <button className="link" data-testid="meeting-link" onClick={() => navigate({ view: "meeting", id: m.id })}>
                {m.title}
              </button>{" "}
              <span className="muted">
                {formatMoment(m.starts_at, i18n.language)} · {m.place}
              </span>
            </li>
          ))}
        </ul>
      </section>

      <History kind="group" id={id} names={new Map([...byId].map(([k, p]) => [k, p.name]))} session={session} />
      {admin && (
        // Archiving a whole group is rare and the secretariat's: apart from the daily work, at the foot.
        <section className="card danger-zone" data-testid="archive-group">
          <h2>{t("groups.archiveHeading")}</h2>
          <p className="muted">{t("groups.archiveHelp")}</p>
          <ArchiveButton
            label={t("groups.archive", { name: group.name })}
            onArchive={async () => {
              if (await action.run(() => commands.archiveGroup({ id }))) navigate({ view: "groups" });
            }}
          />
        </section>
      )}
    </div>
  );
}

function GroupEditForm({
  id,
  name,
  mandate,
  region,
  onSaved,
}: {
  id: string;
  name: string;
  mandate: string;
  region: Region | null;
  onSaved: () => void;
}) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState({ name, mandate, region });
  const action = useAction();
  return (
    <form
      onSubmit={async (e) => {
        e.preventDefault();
        if (await action.run(() => commands.updateGroup({ id, name: draft.name, mandate: draft.mandate, region: draft.region }))) onSaved();
      }}
    >
      <label>
        {t("common.name")}
        <input value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} required />
      </label>
      <label>
        {t("groups.mandate")}
        <textarea value={draft.mandate} onChange={(e) => setDraft({ ...draft, mandate: e.target.value })} />
      </label>
      <RegionSelect value={draft.region} onChange={(region) => setDraft({ ...draft, region })} fixed />
      <ErrorLine error={action.error} />
      <button type="submit">{t("common.save")}</button>
    </form>
  );
}

function NewIssueForm({ groupId }: { groupId: string }) {
  const { t } = useTranslation();
  const [title, setTitle] = useState("");
  const [priority, setPriority] = useState<Priority>("normal");
  const [due, setDue] = useState("");
  const [labels, setLabels] = useState("");
  const action = useAction();
  return (
    <details>
      <summary>{t("issue.new")}</summary>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          const created = await action.run(() =>
            commands.createTrackedIssue({
              group_id: groupId,
              title,
              status: null,
              priority,
              due_date: due || null,
              labels: labels
                .split(",")
                .map((l) => l.trim())
                .filter(Boolean),
            }),
          );
          if (created) setTitle("");
        }}
      >
        <label>
          {t("common.title")}
          <input name="issue-title" value={title} onChange={(e) => setTitle(e.target.value)} required />
        </label>
        <label>
          {t("issue.priority")}
          <select value={priority} onChange={(e) => setPriority(e.target.value as Priority)}>
            <Options values={PRIORITIES} labels="issue.priorities" />
          </select>
        </label>
        <DateField label={t("issue.due")} value={due} onChange={setDue} optional testId="new-issue-due" />
        <label>
          {t("issue.labels")}
          <input value={labels} onChange={(e) => setLabels(e.target.value)} />
        </label>
        <ErrorLine error={action.error} />
        <button type="submit" disabled={action.busy}>
          {t("common.add")}
        </button>
      </form>
    </details>
  );
}

function NewRecommendationForm({
  groupId,
  organizations,
  navigate,
}: {
  groupId: string;
  organizations: Organization[];
  navigate: Navigate;
}) {
  const { t } = useTranslation();
  const [title, setTitle] = useState("");
  const [body, setBody] = useState("");
  const [language, setLanguage] = useState<Language>("en");
  const [open, setOpen] = useState(true);
  const [addressee, setAddressee] = useState<Addressee>("group");
  const [addresseeIds, setAddresseeIds] = useState<string[]>([]);
  const action = useAction();
  return (
    <details>
      <summary>{t("recommendation.new")}</summary>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          const rec = await action.run(() =>
            commands.createRecommendation({
              group_id: groupId,
              title,
              body,
              language,
              addressee,
              addressee_ids: addressee === "organizations" ? addresseeIds : [],
              open,
            }),
          );
          if (rec) navigate({ view: "recommendation", id: rec.id });
        }}
      >
        <label>
          {t("common.title")}
          <input name="rec-title" value={title} onChange={(e) => setTitle(e.target.value)} required />
        </label>
        <label>
          {t("common.body")}
          <textarea name="rec-body" value={body} onChange={(e) => setBody(e.target.value)} required />
        </label>
        <label>
          {t("common.language")}
          <select value={language} onChange={(e) => setLanguage(e.target.value as Language)}>
            <Options values={LANGUAGES} labels="languages" />
          </select>
        </label>
        <label>
          {t("addressee.to")}
          <select value={addressee} onChange={(e) => setAddressee(e.target.value as Addressee)} data-testid="rec-addressee">
            <Options values={ADDRESSEES} labels="addressee" />
          </select>
        </label>
        {addressee === "organizations" && (
          <OrganizationPicker
            label={t("addressee.organizations")}
            organizations={organizations}
            chosen={addresseeIds}
            onChange={setAddresseeIds}
          />
        )}
        <label className="check">
          <input type="checkbox" checked={open} onChange={(e) => setOpen(e.target.checked)} />
          {t("recommendation.openNow")}
        </label>
        <ErrorLine error={action.error} />
        <button type="submit" disabled={action.busy}>
          {t("common.create")}
        </button>
      </form>
    </details>
  );
}

export function personName(byId: Map<string, Person>, id: string | null | undefined, fallback: string) {
  return (id && byId.get(id)?.name) || fallback;
}

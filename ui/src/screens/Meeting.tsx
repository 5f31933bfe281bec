import { useState } from "react";
import { useTranslation } from "react-i18next";
import { commands, type AgendaItem, type Meeting, type Session } from "../api";
import { useAction, useLoad } from "../data";
import type { Navigate } from "../App";
import { ArchiveButton, EditForm, ErrorLine, formatMoment, Markdown, TextEdit, Unreadable } from "./parts";
import { DateField, TimeField } from "./DateField";
import { MinutesEditor } from "./Minutes";
import { History } from "./History";

async function loadMeeting(id: string) {
  const meeting = await commands.getMeeting({ id });
  const [group, agenda, attendance, decisions, memberships, people, issues, recommendations, takers] = await Promise.all([
    commands.getGroup({ id: meeting.group_id }),
    commands.listAgendaItems({ meeting_id: id }),
    commands.listAttendance({ meeting_id: id }),
    commands.listDecisions({ meeting_id: id }),
    commands.listMemberships({ group_id: meeting.group_id }),
    commands.listPeople({}),
    commands.listTrackedIssues({ group_id: meeting.group_id }),
    commands.listRecommendations({ group_id: meeting.group_id }),
    commands.listMinuteTakers({ meeting_id: id }),
  ]);
  return {
    meeting,
    group,
    agenda,
    attendance,
    decisions,
    // Who asked to join is not a member yet: not on the roll of a meeting.
    memberships: memberships.filter((m) => m.role !== "applicant"),
    people: new Map(people.map((p) => [p.id, p])),
    issues,
    recommendations,
    takers,
  };
}

/** A meeting's record, made to be kept during the meeting with no network. */
export function MeetingScreen({ id, navigate, session }: { id: string; navigate: Navigate; session: Session }) {
  const { t, i18n } = useTranslation();
  const data = useLoad(() => loadMeeting(id), [id], [
    { row: id },
    "agenda_item",
    "attendance",
    "decision",
    "minute_taker",
    "membership",
    "person",
    "tracked_issue",
    "recommendation",
    "coalition_group",
  ]);
  const action = useAction();
  const [item, setItem] = useState("");
  const [decision, setDecision] = useState("");
  const [linkedIssue, setLinkedIssue] = useState("");
  const [linkedRec, setLinkedRec] = useState("");
  if (data.error) return <ErrorLine error={data.error} />;
  if (!data.data) return <p className="loading">{t("app.loading")}</p>;
  const { meeting, group, agenda, attendance, decisions, memberships, people, issues, recommendations, takers } = data.data;
  const keeps = session.powers.find((p) => p.group_id === group.id)?.keep ?? false;
  const ordered = inAgendaOrder(agenda);
  // The history names the group and the people who wrote by their names.
  const names = new Map<string, string>([...[...people].map(([k, p]) => [k, p.name] as [string, string]), [group.id, group.name]]);
  const present = new Map(attendance.map((a) => [a.person_id, a.present]));

  return (
    <div className="page">
      <button className="link" onClick={() => navigate({ view: "group", id: group.id })}>
        {group.name}
      </button>
      <h1>{meeting.title}</h1>
      <Unreadable record={meeting} />
      <div className="muted actions">
        <span data-testid="meeting-when">{formatMoment(meeting.starts_at, i18n.language)}</span>
        {meeting.place && <bdi> · {meeting.place}</bdi>}
        <MeetingEdit meeting={meeting} />
        <ArchiveButton
          onArchive={async () => {
            if (await action.run(() => commands.archiveMeeting({ id }))) navigate({ view: "group", id: group.id });
          }}
        />
      </div>
      <ErrorLine error={action.error} />
      <HostHere id={id} title={meeting.title} navigate={navigate} />

      <section className="card">
        <h2>{t("meeting.agenda")}</h2>
        <AgendaList items={ordered} />
        <form
          className="row"
          onSubmit={async (e) => {
            e.preventDefault();
            const ok = await action.run(() =>
              commands.createAgendaItem({ meeting_id: id, position: (ordered.at(-1)?.position ?? 0) + 1, title: item }),
            );
            if (ok) setItem("");
          }}
        >
          <label>
            {t("meeting.newItem")}
            <input name="agenda-title" value={item} onChange={(e) => setItem(e.target.value)} required />
          </label>
          <button type="submit">{t("common.add")}</button>
        </form>
      </section>

      <section className="card">
        <h2>{t("meeting.attendance")}</h2>
        {memberships.length === 0 && <p className="muted">{t("meeting.noMembers")}</p>}
        <ul className="plain">
          {memberships.map((m) => (
            <li key={m.person_id} className="actions">
              <label className="check">
                <input
                  type="checkbox"
                  checked={present.get(m.person_id) ?? false}
                  onChange={(e) =>
                    action.run(() =>
                      commands.recordAttendance({ meeting_id: id, person_id: m.person_id, present: e.target.checked }),
                    )
                  }
                />
                {people.get(m.person_id)?.name ?? "?"}
              </label>
              {attendance.some((a) => a.person_id === m.person_id && !a.present) && (
                <button
                  className="secondary"
                  onClick={() => {
                    const record = attendance.find((a) => a.person_id === m.person_id);
                    if (record) action.run(() => commands.archiveAttendance({ id: record.id }));
                  }}
                >
                  {t("meeting.clearAttendance")}
                </button>
              )}
            </li>
          ))}
        </ul>
        <GuestsPresent id={id} />
      </section>

      <section className="card">
        <h2>{t("meeting.minutes")}</h2>
        {/* A copy per meeting: moving to another meeting starts a new one. */}
        <MinutesEditor key={id} meetingId={id} />
        {keeps && memberships.length > 0 && (
          <fieldset className="minute-takers">
            <legend>{t("meeting.minuteTakers")}</legend>
            <p className="muted">{t("meeting.minuteTakersHelp")}</p>
            {memberships
              .filter((m) => m.role === "member" || m.role === "observer")
              .map((m) => {
                const named = takers.find((k) => k.person_id === m.person_id);
                return (
                  <label key={m.person_id} className="check">
                    <input
                      type="checkbox"
                      checked={!!named}
                      onChange={(e) =>
                        action.run(() =>
                          e.target.checked
                            ? commands.nameMinuteTaker({ meeting_id: id, person_id: m.person_id })
                            : named
                              ? commands.archiveMinuteTaker({ id: named.id })
                              : Promise.resolve(null),
                        )
                      }
                    />
                    {people.get(m.person_id)?.name ?? "?"}
                  </label>
                );
              })}
          </fieldset>
        )}
      </section>

      <section className="card">
        <h2>{t("meeting.decisions")}</h2>
        <ul className="plain">
          {decisions.map((d) => (
            <li key={d.id}>
              <Markdown source={d.text} />
              <span className="muted">
                {[
                  ...d.issue_ids.map((i) => issues.find((x) => x.id === i)?.title),
                  ...d.recommendation_ids.map((r) => recommendations.find((x) => x.id === r)?.title),
                ]
                  .filter(Boolean)
                  .join(" · ")}
              </span>
              <div className="actions">
                <TextEdit label={t("meeting.newDecision")} value={d.text} multiline save={(text) => commands.updateDecision({ id: d.id, text })} />
                <ArchiveButton onArchive={() => action.run(() => commands.archiveDecision({ id: d.id }))} />
              </div>
            </li>
          ))}
        </ul>
        <form
          onSubmit={async (e) => {
            e.preventDefault();
            const ok = await action.run(() =>
              commands.createDecision({
                meeting_id: id,
                text: decision,
                issue_ids: linkedIssue ? [linkedIssue] : [],
                recommendation_ids: linkedRec ? [linkedRec] : [],
              }),
            );
            if (ok) {
              // The next decision starts from nothing: it is not linked to the last one's issue.
              setDecision("");
              setLinkedIssue("");
              setLinkedRec("");
            }
          }}
        >
          <label>
            {t("meeting.newDecision")}
            <textarea name="decision" value={decision} onChange={(e) => setDecision(e.target.value)} required />
          </label>
          <label>
            {t("meeting.linkIssue")}
            <select value={linkedIssue} onChange={(e) => setLinkedIssue(e.target.value)}>
              <option value="">{t("common.none")}</option>
              {issues.map((i) => (
                <option key={i.id} value={i.id}>
                  {i.title}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t("meeting.linkRecommendation")}
            <select value={linkedRec} onChange={(e) => setLinkedRec(e.target.value)}>
              <option value="">{t("common.none")}</option>
              {recommendations.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.title}
                </option>
              ))}
            </select>
          </label>
          <button type="submit">{t("common.add")}</button>
        </form>
      </section>
      <History kind="meeting" id={id} names={names} session={session} />
    </div>
  );
}

export function NewMeetingForm({ groupId, navigate }: { groupId: string; navigate: Navigate }) {
  const { t } = useTranslation();
  const [title, setTitle] = useState("");
  const [day, setDay] = useState("");
  const [time, setTime] = useState("10:00");
  const [place, setPlace] = useState("");
  const [noDay, setNoDay] = useState(false);
  const action = useAction();
  return (
    <details>
      <summary>{t("meeting.new")}</summary>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setNoDay(!day);
          if (!day) return;
          const m = await action.run(() =>
            commands.createMeeting({ group_id: groupId, title, starts_at: `${day}T${time}`, place }),
          );
          if (m) navigate({ view: "meeting", id: m.id });
        }}
      >
        <label>
          {t("common.title")}
          <input name="meeting-title" value={title} onChange={(e) => setTitle(e.target.value)} required />
        </label>
        <DateField label={t("meeting.day")} value={day} onChange={setDay} testId="meeting-day" />
        <TimeField label={t("meeting.time")} value={time} onChange={setTime} />
        {noDay && !day && (
          <p className="error" role="alert">
            {t("dates.required")}
          </p>
        )}
        <label>
          {t("meeting.place")}
          <input value={place} onChange={(e) => setPlace(e.target.value)} />
        </label>
        <ErrorLine error={action.error} />
        <button type="submit">{t("common.create")}</button>
      </form>
    </details>
  );
}

/** The guests who said they attend (laptops that are nobody of the coalition), by the names
 * their host let in. */
function GuestsPresent({ id }: { id: string }) {
  const { t } = useTranslation();
  const guests = useLoad(() => commands.meetingGuestsPresent({ meeting_id: id }), [id], ["attendance"]);
  if (!guests.data || guests.data.length === 0) return null;
  return (
    <>
      <h3>{t("meeting.guestsPresent")}</h3>
      <ul className="plain" data-testid="guests-present">
        {guests.data.map((g) => (
          <li key={g.person_id}>
            <bdi>{g.name}</bdi> <span className="muted">({t("meeting.guest")})</span>
          </li>
        ))}
      </ul>
    </>
  );
}

/** Hosts the meeting on this laptop, for the others in the room to sync with, and shares its
 * agenda with guests (laptops that are nobody of the coalition yet). */
function HostHere({ id, title, navigate }: { id: string; title: string; navigate: Navigate }) {
  const { t } = useTranslation();
  const action = useAction();
  const status = useLoad(() => commands.syncStatus({}), [], ["device"]);
  const current = status.data?.meeting;
  if (!status.data) return null;
  if (current) {
    if (current.hosting && current.public_meeting === id) {
      return (
        <p className="muted" data-testid="hosted-here">
          {t("meeting.hostedHere")}{" "}
          <button className="link" onClick={() => navigate({ view: "sync" })}>
            {t("meeting.seeGuests")}
          </button>
        </p>
      );
    }
    return null;
  }
  return (
    <p className="muted actions">
      {t("meeting.hostHereHelp")}{" "}
      <button
        className="secondary"
        disabled={action.busy}
        data-testid="host-here"
        onClick={async () => {
          if (await action.run(() => commands.hostMeeting({ name: title, public_meeting: id }))) navigate({ view: "sync" });
        }}
      >
        {t("meeting.hostHere")}
      </button>
      <ErrorLine error={action.error} />
    </p>
  );
}

/** The agenda as it is taken: by position; two items given one position (added on two laptops
 * at once) keep a stable order until someone moves one. */
function inAgendaOrder(items: AgendaItem[]): AgendaItem[] {
  return [...items].sort((a, b) => a.position - b.position || a.title.localeCompare(b.title) || a.id.localeCompare(b.id));
}

/** The agenda's items with their notes; moving one renumbers the items whose place changed. */
function AgendaList({ items }: { items: AgendaItem[] }) {
  const { t } = useTranslation();
  const action = useAction();
  const move = (from: number, to: number) =>
    action.run(async () => {
      const order = [...items];
      const [item] = order.splice(from, 1);
      order.splice(to, 0, item);
      for (const [i, a] of order.entries()) {
        if (a.position !== i + 1) await commands.updateAgendaItem({ id: a.id, position: i + 1 });
      }
    });
  return (
    <>
      <ol data-testid="agenda">
        {items.map((a, i) => (
          <li key={a.id}>
            <span className="actions">
              <bdi>{a.title}</bdi>
              <button
                type="button"
                className="link small"
                disabled={i === 0 || action.busy}
                aria-label={t("meeting.moveUp", { title: a.title })}
                onClick={() => move(i, i - 1)}
              >
                {t("meeting.up")}
              </button>
              <button
                type="button"
                className="link small"
                disabled={i === items.length - 1 || action.busy}
                aria-label={t("meeting.moveDown", { title: a.title })}
                onClick={() => move(i, i + 1)}
              >
                {t("meeting.down")}
              </button>
              <AgendaItemEdit item={a} />
              <ArchiveButton onArchive={() => action.run(() => commands.archiveAgendaItem({ id: a.id }))} />
            </span>
            {a.notes && <Markdown source={a.notes} />}
          </li>
        ))}
      </ol>
      <ErrorLine error={action.error} />
    </>
  );
}

/** An agenda item's title and notes (what to discuss, who introduces it), in one form. */
function AgendaItemEdit({ item }: { item: AgendaItem }) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState({ title: item.title, notes: item.notes });
  return (
    <EditForm save={() => commands.updateAgendaItem({ id: item.id, ...draft })}>
      <label>
        {t("common.title")}
        <input value={draft.title} onChange={(e) => setDraft({ ...draft, title: e.target.value })} required />
      </label>
      <label>
        {t("meeting.notes")}
        <textarea value={draft.notes} onChange={(e) => setDraft({ ...draft, notes: e.target.value })} />
      </label>
    </EditForm>
  );
}

/** A meeting's title, day, time and place: rescheduled on the calendar, like it was planned. */
function MeetingEdit({ meeting }: { meeting: Meeting }) {
  const { t } = useTranslation();
  const [day0, time0] = meeting.starts_at.split("T");
  const [draft, setDraft] = useState({ title: meeting.title, day: day0, time: (time0 ?? "10:00").slice(0, 5), place: meeting.place });
  const save = () => {
    const starts_at = `${draft.day}T${draft.time}`;
    return commands.updateMeeting({
      id: meeting.id,
      title: draft.title !== meeting.title ? draft.title : null,
      starts_at: starts_at !== meeting.starts_at ? starts_at : null,
      place: draft.place !== meeting.place ? draft.place : null,
    });
  };
  return (
    <EditForm save={save} testId="meeting-edit">
      <label>
        {t("common.title")}
        <input value={draft.title} onChange={(e) => setDraft({ ...draft, title: e.target.value })} required />
      </label>
      <DateField label={t("meeting.day")} value={draft.day} onChange={(day) => setDraft({ ...draft, day })} />
      <TimeField label={t("meeting.time")} value={draft.time} onChange={(time) => setDraft({ ...draft, time })} />
      <label>
        {t("meeting.place")}
        <input value={draft.place} onChange={(e) => setDraft({ ...draft, place: e.target.value })} />
      </label>
    </EditForm>
  );
}

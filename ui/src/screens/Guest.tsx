// A laptop at a meeting as a guest: it is nobody of the coalition yet, so it shows only the
// agenda the host shared, how to join (again), and the device's settings. Enrolling with an
// invite from the coalition's hub makes it its person's, and the whole app appears.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { commands } from "../api";
import { useAction, useLoad } from "../data";
import type { Navigate, Route } from "../App";
import { ErrorLine, formatMoment } from "./parts";
import { SyncScreen } from "./Sync";
import { SettingsScreen } from "./Settings";

type GuestView = "agenda" | "sync" | "settings";

export function GuestShell({ name }: { name: string }) {
  const { t } = useTranslation();
  const [view, setView] = useState<GuestView>("agenda");
  const navigate: Navigate = (route: Route) => setView(route.view === "settings" ? "settings" : "sync");
  const tab = (v: GuestView, label: string) => (
    <button className={view === v ? "nav current" : "nav"} onClick={() => setView(v)} data-testid={`guest-nav-${v}`}>
      {label}
    </button>
  );
  return (
    <div className="shell">
      <header className="topbar">
        <div className="brand">
          <strong>{t("app.name")}</strong> <span>{t("app.tagline")}</span>
        </div>
        <nav aria-label={t("guest.nav")}>
          {tab("agenda", t("meeting.agenda"))}
          {tab("sync", t("nav.sync"))}
          {tab("settings", t("nav.settings"))}
        </nav>
        <span className="acting" data-testid="identity">
          {t("guest.you")} <strong>{name}</strong>
        </span>
      </header>
      <main>
        <p className="demo-banner" role="note" data-testid="guest-banner">
          {t("guest.banner")}
        </p>
        {view === "agenda" && <GuestAgenda join={() => setView("sync")} />}
        {view === "sync" && <SyncScreen />}
        {view === "settings" && <SettingsScreen navigate={navigate} />}
      </main>
    </div>
  );
}

/** The public agenda of the meeting this guest is at, as its host shared it. */
function GuestAgenda({ join }: { join: () => void }) {
  const { t, i18n } = useTranslation();
  const status = useLoad(() => commands.syncStatus({}), [], ["device", "meeting"]);
  const id = status.data?.meeting?.public_meeting ?? null;
  const agenda = useLoad(
    async () =>
      id
        ? {
            meeting: await commands.getMeeting({ id }),
            items: await commands.listAgendaItems({ meeting_id: id }),
            // A guest's replica holds only its own attendance.
            attending: (await commands.listAttendance({ meeting_id: id })).some((a) => a.present),
          }
        : null,
    [id],
    ["meeting", "agenda_item", "attendance"],
  );
  const action = useAction();
  if (status.error) return <ErrorLine error={status.error} />;
  if (!status.data) return <p className="loading">{t("app.loading")}</p>;
  if (!status.data.meeting) {
    return (
      <section className="card" data-testid="guest-agenda">
        <p>{t("guest.notInMeeting")}</p>
        <button onClick={join}>{t("guest.join")}</button>
      </section>
    );
  }
  if (agenda.error) return <ErrorLine error={agenda.error} />;
  const shown = agenda.data;
  return (
    <section className="card" data-testid="guest-agenda" aria-labelledby="guest-agenda-title">
      {shown ? (
        <>
          <h1 id="guest-agenda-title">{shown.meeting.title}</h1>
          <p className="muted">
            {formatMoment(shown.meeting.starts_at, i18n.language)}
            {shown.meeting.place && ` · ${shown.meeting.place}`}
          </p>
          <p className="actions">
            {shown.attending ? (
              <span data-testid="guest-attending">{t("guest.attending")}</span>
            ) : (
              <button onClick={() => action.run(() => commands.attendAsGuest({}))} disabled={action.busy} data-testid="guest-attend">
                {t("guest.attend")}
              </button>
            )}
          </p>
          <ErrorLine error={action.error} />
          <h2>{t("meeting.agenda")}</h2>
          {shown.items.length === 0 ? (
            <p>{t("guest.emptyAgenda")}</p>
          ) : (
            <ol>
              {shown.items.map((a) => (
                <li key={a.id}>{a.title}</li>
              ))}
            </ol>
          )}
        </>
      ) : (
        <>
          <h1 id="guest-agenda-title">{status.data.meeting.name || t("sync.meeting.joinedTitle")}</h1>
          <p>{t("guest.noAgenda")}</p>
        </>
      )}
    </section>
  );
}

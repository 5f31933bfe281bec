import { intlLocale } from "./i18n";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { commands, type Person, type Session } from "./api";
import { database, type DatabaseStatus } from "./api/database";
import { OpeningScreen, UnlockScreen } from "./screens/Encryption";
import { useAction, useLoad } from "./data";
import { ErrorLine } from "./screens/parts";
import { GroupsScreen } from "./screens/Groups";
import { GroupScreen } from "./screens/Group";
import { IssueScreen } from "./screens/Issue";
import { RecommendationScreen } from "./screens/Recommendation";
import { DirectoryScreen } from "./screens/Directory";
import { MeetingScreen } from "./screens/Meeting";
import { SyncScreen } from "./screens/Sync";
import { SettingsScreen } from "./screens/Settings";
import { SearchBox } from "./screens/Search";
import { WelcomeCard } from "./screens/Welcome";
import { GuestShell } from "./screens/Guest";
import { MyWorkScreen } from "./screens/MyWork";
import { NotificationsScreen, utcOffsetMinutes } from "./screens/Notifications";

export type Route =
  | { view: "my-work" }
  | { view: "notifications" }
  | { view: "groups" }
  | { view: "group"; id: string }
  | { view: "issue"; id: string }
  | { view: "recommendation"; id: string }
  | { view: "meeting"; id: string }
  | { view: "directory" }
  | { view: "sync" }
  | { view: "settings" };

export type Navigate = (route: Route) => void;

export function App() {
  const { t } = useTranslation();
  const [status, setStatus] = useState<DatabaseStatus | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    database.status().then(setStatus, setError);
  }, []);
  if (error) return <ErrorLine error={error} />;
  if (!status) return <p className="loading">{t("app.loading")}</p>;
  // A database made by an earlier version is upgraded as it opens: the screen says how far.
  if (status.opening) return <OpeningScreen onStatus={setStatus} />;
  // An encrypted database opens only with its passphrase.
  if (status.locked) return <UnlockScreen onUnlocked={() => setStatus({ ...status, locked: false })} />;
  return <Workspace />;
}

function Workspace() {
  // My work is the first screen: what waits for the person, and what changed.
  const [route, setRoute] = useState<Route>({ view: "my-work" });
  return <Shell route={route} navigate={setRoute} />;
}

/** The unread count for the navigation: re-read when anything changes (background sync brings
 * news) or the person reads their notifications. */
function useUnread() {
  return (
    useLoad(() => commands.notifications({ utc_offset_minutes: utcOffsetMinutes() }), [], ["any", "device"]).data
      ?.unread ?? 0
  );
}

/**
 * Who this device works as. The demo lets one try every role ("Acting as"); a real database
 * shows its person, chosen once by whoever sets up a new coalition, or by enrolment.
 */
function Identity({ session, people, choose }: { session: Session; people: Person[]; choose: (id: string | null) => void }) {
  const { t } = useTranslation();
  if (session.may_choose_person && (session.demo || !session.empty)) {
    return (
      <label className="acting">
        <span className="acting-words">{t(session.demo ? "app.actingAs" : "app.whoAreYou")}</span>{" "}
        <select
          data-testid="acting-person"
          value={session.acting_person?.id ?? ""}
          onChange={(e) => choose(e.target.value || null)}
        >
          <option value="">{t("app.nobody")}</option>
          {people.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
      </label>
    );
  }
  if (!session.acting_person) return null;
  return (
    <span className="acting" data-testid="identity">
      {t("app.you")} <strong>{session.acting_person.name}</strong>
    </span>
  );
}

function Shell({ route, navigate }: { route: Route; navigate: Navigate }) {
  const { t } = useTranslation();
  const session = useLoad(() => commands.getSession({}), [], ["device", "person", "membership", "coalition_group"]);
  const unread = useUnread();
  const people = useLoad(() => commands.listPeople({}), [], ["person"]);
  const demo = useAction();

  if (session.error) return <ErrorLine error={session.error} />;
  if (!session.data) return <p className="loading">{t("app.loading")}</p>;
  // A guest at a meeting is nobody of the coalition: it sees the shared agenda only.
  if (session.data.guest) return <GuestShell name={session.data.guest} />;

  return (
    <div className="shell">
      <header className="topbar">
        <div className="brand">
          <strong>{t("app.name")}</strong> <span>{t("app.tagline")}</span>
        </div>
        <nav aria-label={t("nav.groups")}>
          <button
            className={route.view === "my-work" ? "nav current" : "nav"}
            onClick={() => navigate({ view: "my-work" })}
            data-testid="nav-my-work"
          >
            {t("nav.myWork")}
          </button>
          <button
            className={route.view === "notifications" ? "nav current" : "nav"}
            onClick={() => navigate({ view: "notifications" })}
            data-testid="nav-notifications"
          >
            {t("nav.notifications")}
            {unread > 0 && (
              <span className="count" aria-label={t("nav.unread", { count: unread })}>
                {" "}
                {new Intl.NumberFormat(intlLocale()).format(unread)}
              </span>
            )}
          </button>
          <button
            className={route.view === "groups" ? "nav current" : "nav"}
            onClick={() => navigate({ view: "groups" })}
            data-testid="nav-groups"
          >
            {t("nav.groups")}
          </button>
          <button
            className={route.view === "directory" ? "nav current" : "nav"}
            onClick={() => navigate({ view: "directory" })}
            data-testid="nav-directory"
          >
            {t("nav.directory")}
          </button>
          <button
            className={route.view === "sync" ? "nav current" : "nav"}
            onClick={() => navigate({ view: "sync" })}
            data-testid="nav-sync"
          >
            {t("nav.sync")}
          </button>
          <button
            className={route.view === "settings" ? "nav current" : "nav"}
            onClick={() => navigate({ view: "settings" })}
            data-testid="nav-settings"
          >
            {t("nav.settings")}
          </button>
        </nav>
        <SearchBox navigate={navigate} />
        <Identity session={session.data} people={people.data ?? []} choose={(id) => demo.run(() => commands.setActingPerson({ person_id: id }))} />
      </header>
      <main>
        {session.data.demo && (
          <p className="demo-banner" role="note" data-testid="demo-banner">
            {t("app.demoBanner")}
          </p>
        )}
        {/* The first screen of a fresh install; its choices lead to the other screens. */}
        {session.data.empty && route.view === "my-work" && <WelcomeCard navigate={navigate} />}
        <ErrorLine error={demo.error} />
        {route.view === "my-work" && <MyWorkScreen navigate={navigate} />}
        {route.view === "notifications" && <NotificationsScreen navigate={navigate} />}
        {route.view === "groups" && <GroupsScreen navigate={navigate} />}
        {route.view === "group" && <GroupScreen id={route.id} navigate={navigate} session={session.data} />}
        {route.view === "issue" && <IssueScreen id={route.id} navigate={navigate} session={session.data} />}
        {route.view === "recommendation" && (
          <RecommendationScreen id={route.id} navigate={navigate} session={session.data} />
        )}
        {route.view === "meeting" && <MeetingScreen id={route.id} navigate={navigate} session={session.data} />}
        {route.view === "directory" && <DirectoryScreen admin={session.data.admin} me={session.data.acting_person?.id ?? null} />}
        {route.view === "sync" && <SyncScreen />}
        {route.view === "settings" && <SettingsScreen navigate={navigate} />}
      </main>
    </div>
  );
}

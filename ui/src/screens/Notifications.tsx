// Notifications: what others did in the groups the person hears from, each saying why it is
// shown, with the per-group choice (every change, daily digest, nothing) one click away.
import { intlLocale } from "../i18n";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { TFunction } from "i18next";
import { commands, type Hearing, type Notification, type Notifications } from "../api";
import { useAction, useLoad } from "../data";
import type { Navigate } from "../App";
import { routeTo } from "../routes";
import { ErrorLine, formatDate, isolate } from "./parts";

/** Minutes east of UTC, as the backend counts digest days. */
export function utcOffsetMinutes() {
  return -new Date().getTimezoneOffset();
}

export function useNotifications() {
  return useLoad(() => commands.notifications({ utc_offset_minutes: utcOffsetMinutes() }), [], ["any", "device"]);
}

function WhyLine({ item }: { item: Pick<Notification, "why" | "role" | "group_name"> }) {
  const { t } = useTranslation();
  const role = item.role ? t(`role.${item.role}`) : "";
  return (
    <p className="why muted">
      {t(`notifications.why.${item.why}`, { group: isolate(item.group_name), role })}
    </p>
  );
}

/** The line that says what happened ("adopted by Budget and finance", "new comment by …"). */
export function whatHappened(item: Notification, t: TFunction) {
  const name = isolate(item.by_name ?? t("history.unknownPerson"));
  const group = isolate(item.group_name);
  if (item.what === "moved" && item.state) return t(`notifications.moved.${item.state}`, { name, group });
  const status = item.status ? t(`issue.statuses.${item.status}`) : "";
  return t(`notifications.what.${item.what}`, { name, group, status });
}

function Item({ item, navigate }: { item: Notification; navigate: Navigate }) {
  const { t, i18n } = useTranslation();
  const [why, setWhy] = useState(false);
  const kind = t(`myWork.kinds.${item.kind}`, { defaultValue: item.kind });
  return (
    <li className={item.unread ? "notice unread" : "notice"} data-testid="notification" data-kind={item.kind}>
      <span className="badge">{kind}</span>{" "}
      {item.created && <span className="badge new">{t("notifications.new")}</span>}{" "}
      <button className="link" dir="auto" onClick={() => navigate(routeTo(item.target_kind, item.target_id))}>
        {item.title || kind}
      </button>{" "}
      <span data-testid="notification-what">{whatHappened(item, t)}</span>{" "}
      <span className="muted">
        {formatDate(item.at_ms ?? 0, i18n.language)}
        {" · "}
        <bdi>{item.group_name}</bdi>
        {item.also_changed > 0 && <> · {t("notifications.alsoChanged", { count: item.also_changed })}</>}
      </span>{" "}
      {item.unread && <span className="sr-only">{t("notifications.unreadMark")}</span>}
      <button className="link small" aria-expanded={why} onClick={() => setWhy(!why)}>
        {t("notifications.whyButton")}
      </button>
      {why && <WhyLine item={item} />}
    </li>
  );
}

function GroupChoices({ data }: { data: Notifications }) {
  const { t } = useTranslation();
  const action = useAction();
  const choose = (group_id: string, hearing: Hearing) =>
    action.run(() => commands.hearFromGroup({ group_id, hearing, utc_offset_minutes: utcOffsetMinutes() }));
  return (
    <div className="card" data-testid="notification-groups">
      <h2 id="hearing-title">{t("notifications.groupsTitle")}</h2>
      {data.groups.length === 0 ? (
        <p className="muted">{t("notifications.noGroups")}</p>
      ) : (
        <table className="hearing">
          <caption className="sr-only">{t("notifications.groupsTitle")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("notifications.group")}</th>
              <th scope="col">{t("notifications.choice")}</th>
            </tr>
          </thead>
          <tbody>
            {data.groups.map((g) => (
              <tr key={g.group_id}>
                <th scope="row">
                  <bdi>{g.group_name}</bdi>
                  {g.role && <span className="muted"> · {t(`role.${g.role}`)}</span>}
                </th>
                <td>
                  <select
                    aria-label={t("notifications.choiceFor", { group: g.group_name })}
                    value={g.hearing}
                    disabled={action.busy}
                    onChange={(e) => choose(g.group_id, e.target.value as Hearing)}
                  >
                    <option value="every">{t("notifications.hearing.every")}</option>
                    <option value="digest">{t("notifications.hearing.digest")}</option>
                    <option value="off">{t("notifications.hearing.off")}</option>
                  </select>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="muted">{t("notifications.alwaysPersonal")}</p>
      <ErrorLine error={action.error} />
    </div>
  );
}

export function NotificationsScreen({ navigate }: { navigate: Navigate }) {
  const { t, i18n } = useTranslation();
  const loaded = useNotifications();
  const read = useAction();
  if (loaded.error) return <ErrorLine error={loaded.error} />;
  if (!loaded.data) return <p className="loading">{t("app.loading")}</p>;
  const n = loaded.data;
  const dayFormat = new Intl.DateTimeFormat(intlLocale(i18n.language), { dateStyle: "full", timeZone: "UTC" });
  return (
    <section aria-labelledby="notifications-title">
      <h1 id="notifications-title">{t("notifications.title")}</h1>
      <div className="card" data-testid="notification-list">
        <h2>{t("notifications.unread", { count: n.unread })}</h2>
        <p className="muted">
          {n.read_up_to_ms
            ? t("notifications.readUpTo", { when: formatDate(n.read_up_to_ms, i18n.language), days: 30 })
            : t("notifications.window", { days: 30 })}
        </p>
        {n.items.length === 0 && n.digests.length === 0 ? (
          <p className="muted">{t("notifications.none")}</p>
        ) : (
          <ul className="plain">
            {n.items.map((item) => (
              <Item key={`${item.kind}-${item.id}`} item={item} navigate={navigate} />
            ))}
          </ul>
        )}
        {n.held_for_digest > 0 && (
          <p className="muted" data-testid="held-for-digest">
            {t("notifications.held", { count: n.held_for_digest })}
          </p>
        )}
        {n.unread > 0 && (
          <button
            className="secondary"
            disabled={read.busy}
            onClick={() => read.run(() => commands.markNotificationsRead({ utc_offset_minutes: utcOffsetMinutes() }))}
          >
            {t("notifications.markRead")}
          </button>
        )}
        <ErrorLine error={read.error} />
      </div>
      {n.digests.map((d) => (
        <div className={d.unread ? "card digest unread" : "card digest"} key={`${d.day}-${d.group_id}`} data-testid="digest">
          <h2>
            {t("notifications.digestTitle", {
              group: isolate(d.group_name),
              day: dayFormat.format(new Date(`${d.day}T12:00:00Z`)),
            })}
          </h2>
          <p>{t("notifications.digestCount", { count: d.changes })}</p>
          <ul className="plain">
            {d.items.map((item) => (
              <Item key={`${item.kind}-${item.id}`} item={item} navigate={navigate} />
            ))}
          </ul>
          <p className="why muted">{t("notifications.why.digest", { group: isolate(d.group_name) })}</p>
        </div>
      ))}
      <GroupChoices data={n} />
    </section>
  );
}

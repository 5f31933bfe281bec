// "My work": the first screen. What waits for the acting person, and what others changed
// since they last looked.
import { useTranslation } from "react-i18next";
import { commands, type ChangedRecord, type Recommendation } from "../api";
import { useAction, useLoad } from "../data";
import type { Navigate } from "../App";
import { routeTo } from "../routes";
import { ErrorLine, formatDate, formatDay, isolate } from "./parts";

function RecommendationList({ items, navigate }: { items: Recommendation[]; navigate: Navigate }) {
  const { t } = useTranslation();
  if (items.length === 0) return <p className="muted">{t("common.noItems")}</p>;
  return (
    <ul className="plain">
      {items.map((r) => (
        <li key={r.id}>
          <button className="link" lang={r.language} onClick={() => navigate({ view: "recommendation", id: r.id })}>
            {r.title}
          </button>{" "}
          <span className="badge">{t(`recommendation.states.${r.state}`)}</span>
        </li>
      ))}
    </ul>
  );
}

function ChangedList({ items, navigate }: { items: ChangedRecord[]; navigate: Navigate }) {
  const { t, i18n } = useTranslation();
  return (
    <ul className="plain">
      {items.map((c) => (
        <li key={`${c.kind}-${c.id}`}>
          <span className="badge">{t(`myWork.kinds.${c.kind}`, { defaultValue: c.kind })}</span>{" "}
          <button className="link" dir="auto" onClick={() => navigate(routeTo(c.target_kind, c.target_id))}>
            {c.title || t(`myWork.kinds.${c.kind}`, { defaultValue: c.kind })}
          </button>{" "}
          <span className="muted">
            {t("myWork.by", { name: isolate(c.by_name ?? t("history.unknownPerson")), when: formatDate(c.at_ms ?? 0, i18n.language) })}
          </span>
        </li>
      ))}
    </ul>
  );
}

export function MyWorkScreen({ navigate }: { navigate: Navigate }) {
  const { t, i18n } = useTranslation();
  const work = useLoad(() => commands.myWork({}), [], ["any", "device"]);
  const seen = useAction();
  if (work.error) return <ErrorLine error={work.error} />;
  if (!work.data) return <p className="loading">{t("app.loading")}</p>;
  const w = work.data;
  return (
    <section aria-labelledby="my-work-title">
      <h1 id="my-work-title">{t("myWork.title")}</h1>
      <div className="card" data-testid="awaiting">
        <h2>{t("myWork.awaiting", { count: w.awaiting_my_answer.length })}</h2>
        <RecommendationList items={w.awaiting_my_answer} navigate={navigate} />
      </div>
      <div className="card" data-testid="assigned">
        <h2>{t("myWork.assigned", { count: w.assigned_to_me.length })}</h2>
        {w.assigned_to_me.length === 0 ? (
          <p className="muted">{t("common.noItems")}</p>
        ) : (
          <ul className="plain">
            {w.assigned_to_me.map((i) => (
              <li key={i.id}>
                <button className="link" dir="auto" onClick={() => navigate({ view: "issue", id: i.id })}>
                  {i.title}
                </button>{" "}
                <span className="badge">{t(`issue.statuses.${i.status}`)}</span>{" "}
                {i.due_date && <span className="muted">{t("myWork.due", { date: formatDay(i.due_date, i18n.language) })}</span>}
              </li>
            ))}
          </ul>
        )}
      </div>
      <div className="card" data-testid="addressed">
        <h2>{t("myWork.addressed", { count: w.addressed_to_my_organization.length })}</h2>
        <RecommendationList items={w.addressed_to_my_organization} navigate={navigate} />
      </div>
      {w.addressed_to_my_committee.length > 0 && (
        <div className="card" data-testid="addressed-committee">
          <h2>{t("myWork.addressedCommittee", { count: w.addressed_to_my_committee.length })}</h2>
          <RecommendationList items={w.addressed_to_my_committee} navigate={navigate} />
        </div>
      )}
      <div className="card" data-testid="changed">
        <h2>{t("myWork.changed", { count: w.changed_since_last_look.length })}</h2>
        <p className="muted">
          {w.last_seen_ms ? t("myWork.since", { when: formatDate(w.last_seen_ms, i18n.language) }) : t("myWork.sinceEver")}
        </p>
        {w.changed_since_last_look.length > 0 && (
          <>
            <ChangedList items={w.changed_since_last_look} navigate={navigate} />
            <button className="secondary" onClick={() => seen.run(() => commands.markMyWorkSeen({}))} disabled={seen.busy}>
              {t("myWork.markSeen")}
            </button>
          </>
        )}
        <ErrorLine error={seen.error} />
      </div>
      <div className="card" data-testid="arrived">
        <h2>{t("myWork.arrived", { count: w.arrived_in_last_sync.length })}</h2>
        {w.last_arrival ? (
          <>
            <p className="muted">
              {t("myWork.arrivedWhen", { count: w.last_arrival.count ?? 0, when: formatDate(w.last_arrival.at_ms ?? 0, i18n.language) })}
            </p>
            {w.arrived_in_last_sync.length > 0 ? (
              <ChangedList items={w.arrived_in_last_sync} navigate={navigate} />
            ) : (
              <p className="muted">{t("myWork.arrivedTooMany")}</p>
            )}
          </>
        ) : (
          <p className="muted">{t("myWork.noSyncYet")}</p>
        )}
      </div>
    </section>
  );
}

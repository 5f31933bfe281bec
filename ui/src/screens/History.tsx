import { useTranslation } from "react-i18next";
import { commands, type RecordKind, type Session } from "../api";
import { useLoad } from "../data";
import { ErrorLine, formatDate } from "./parts";

/** Translation keys for the values of enum fields, by field name. */
const VALUE_LABELS: Record<string, string> = {
  state: "recommendation.states",
  answer_draft_decision: "recommendation.decisions",
  language: "languages",
  addressee: "addressee",
  priority: "issue.priorities",
  kind: "groupKindOne",
  region: "region",
  role: "role",
};

function isEmpty(v: unknown) {
  return v === null || v === "" || (Array.isArray(v) && v.length === 0);
}

/**
 * Every change to one record, oldest first, from the change log: when, who, on which device,
 * which field, and the value (superseded values greyed). `names` turns ids into names.
 */
export function History({
  kind,
  id,
  names,
  session,
}: {
  kind: RecordKind;
  id: string;
  names: Map<string, string>;
  session: Session;
}) {
  const { t, i18n } = useTranslation();
  const history = useLoad(() => commands.recordHistory({ kind, id }), [kind, id], [{ row: id }]);
  if (history.error) return <ErrorLine error={history.error} />;
  const entries = history.data ?? [];
  const first = entries[0]?.at_ms;
  let rowChanges = 0;

  const show = (column: string, value: unknown): string => {
    if (value === null || value === "") return "";
    if (typeof value === "string" && names.has(value)) return names.get(value)!;
    if (Array.isArray(value)) return value.map((v) => names.get(String(v)) ?? String(v)).join(", ");
    const labels = column === "status" && kind === "tracked_issue" ? "issue.statuses" : VALUE_LABELS[column];
    if (labels && typeof value === "string") return t(`${labels}.${value}`);
    return typeof value === "string" ? value : JSON.stringify(value);
  };

  return (
    <section className="card">
      <h2>{t("common.history")}</h2>
      <table className="list" data-testid="history">
        <thead>
          <tr>
            <th>{t("history.when")}</th>
            <th>{t("history.who")}</th>
            <th>{t("history.device")}</th>
            <th>{t("history.field")}</th>
            <th>{t("history.value")}</th>
          </tr>
        </thead>
        <tbody>
          {entries
            // A record's first write sets every field; the empty ones say nothing.
            .filter((h) => !(isEmpty(h.value) && h.at_ms === first && h.column !== "$row"))
            .map((h, i) => {
              // The record's own entries alternate: created, archived, restored, archived…
              const event =
                h.column === "$row"
                  ? ["history.created", "history.archived", "history.restored"][
                      rowChanges++ === 0 ? 0 : rowChanges % 2 === 0 ? 1 : 2
                    ]
                  : null;
              return (
                <tr key={i} className={h.current ? "" : "superseded"}>
                  <td className="nowrap">{formatDate(h.at_ms ?? 0, i18n.language)}</td>
                  <td className="nowrap">{h.actor_name ?? t("history.unknownPerson")}</td>
                  <td className="nowrap" title={h.site}>{h.site === session.site_id ? t("history.thisDevice") : h.site.slice(0, 8)}</td>
                  <td className="nowrap">{event ? t(event) : t(`fields.${h.column}`, h.column)}</td>
                  <td dir="auto">
                    {event ? "" : show(h.column, h.value)}
                    {!h.current && <span className="muted"> ({t("history.superseded")})</span>}
                  </td>
                </tr>
              );
            })}
        </tbody>
      </table>
    </section>
  );
}

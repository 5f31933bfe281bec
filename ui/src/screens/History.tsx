import { useTranslation } from "react-i18next";
import { diffWords } from "diff";
import { commands, type HistoryEntry, type RecordKind, type Session } from "../api";
import { useLoad } from "../data";
import { plainText } from "../markdown";
import { ErrorLine, formatDate, formatDay, formatMoment } from "./parts";

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

/** Fields written in Markdown: their history is the words a reader sees, and what changed in them. */
const TEXTS = new Set(["body", "mandate", "description", "minutes", "answer", "answer_draft", "notes", "text"]);

function isEmpty(v: unknown) {
  return v === null || v === "" || (Array.isArray(v) && v.length === 0);
}

/** One write: the entries a person's device made at one moment. */
interface Write {
  at_ms: number;
  site: string;
  actor_name: string | null;
  changes: { entry: HistoryEntry; before: unknown; first: boolean; lost: boolean }[];
}

/** Groups the history (oldest first) by write, each field change with the value it replaced. */
export function byWrite(entries: HistoryEntry[]): Write[] {
  const writes: Write[] = [];
  const last = new Map<string, unknown>();
  const final = new Map<string, HistoryEntry>();
  for (const entry of entries) final.set(entry.column, entry);
  for (const entry of entries) {
    const at = entry.at_ms ?? 0;
    let write = writes[writes.length - 1];
    if (!write || write.at_ms !== at || write.site !== entry.site || write.actor_name !== entry.actor_name) {
      write = { at_ms: at, site: entry.site, actor_name: entry.actor_name, changes: [] };
      writes.push(write);
    }
    const first = !last.has(entry.column);
    // The last change of a field that is not the value kept lost to a concurrent one (made
    // elsewhere at the same time, and ordered after it by the merge's stamps).
    const lost = entry.column !== "$row" && !entry.current && final.get(entry.column) === entry;
    write.changes.push({ entry, before: last.get(entry.column), first, lost });
    last.set(entry.column, entry.value);
  }
  return writes;
}

/**
 * Every change to one record, oldest first, from the change log, one write at a time: when,
 * who, on which device, and for each field what it was and what it became (Markdown as the
 * words a reader sees, with the words removed and added marked). A value a concurrent change
 * won over is said to be so. `names` turns ids into names.
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
  const writes = byWrite(history.data ?? []);
  let rowChanges = 0;

  const show = (column: string, value: unknown): string => {
    if (value === null || value === undefined || value === "") return "";
    if (typeof value === "string" && names.has(value)) return names.get(value)!;
    if (Array.isArray(value)) return value.map((v) => names.get(String(v)) ?? String(v)).join(", ");
    const labels = column === "status" && kind === "tracked_issue" ? "issue.statuses" : VALUE_LABELS[column];
    if (labels && typeof value === "string") return t(`${labels}.${value}`);
    if (typeof value === "boolean") return t(value ? "history.yes" : "history.no");
    // Dates as every screen shows them.
    if (column === "due_date" && typeof value === "string") return formatDay(value, i18n.language);
    if (column === "starts_at" && typeof value === "string") return formatMoment(value, i18n.language);
    if (TEXTS.has(column) && typeof value === "string") return plainText(value);
    return typeof value === "string" ? value : JSON.stringify(value);
  };

  const change = (column: string, before: unknown, after: unknown, first: boolean) => {
    const now = show(column, after);
    if (first || isEmpty(before)) return <span dir="auto">{now || t("history.emptied")}</span>;
    const was = show(column, before);
    if (TEXTS.has(column)) {
      // What changed in a text, word by word, rather than the whole text twice.
      return (
        <span dir="auto" className="text-diff">
          {diffWords(was, now).map((part, i) =>
            part.added ? (
              <ins key={i}>{part.value}</ins>
            ) : part.removed ? (
              <del key={i}>{part.value}</del>
            ) : (
              <span key={i}>{part.value}</span>
            ),
          )}
        </span>
      );
    }
    return (
      <span dir="auto">
        <del>
          <bdi>{was}</bdi>
        </del>{" "}
        <span aria-hidden="true">{i18n.dir() === "rtl" ? "←" : "→"}</span>
        <span className="sr-only"> {t("history.became")} </span>{" "}
        <bdi>{now || t("history.emptied")}</bdi>
      </span>
    );
  };

  return (
    <section className="card">
      <h2>{t("common.history")}</h2>
      <table className="list history" data-testid="history">
        <thead>
          <tr>
            <th>{t("history.when")}</th>
            <th>{t("history.who")}</th>
            <th>{t("history.device")}</th>
            <th>{t("history.field")}</th>
            <th>{t("history.value")}</th>
          </tr>
        </thead>
        {writes.map((w, wi) => {
          const created = w.changes.some((c) => c.entry.column === "$row" && rowChanges === 0);
          // A record's first write sets every field; the empty ones say nothing.
          const shown = w.changes.filter((c) => !(created && c.entry.column !== "$row" && isEmpty(c.entry.value)));
          return (
            <tbody key={wi} className="write">
              {shown.map((c, i) => {
                const h = c.entry;
                // The record's own entries alternate: created, archived, restored, archived…
                const event =
                  h.column === "$row"
                    ? ["history.created", "history.archived", "history.restored"][
                        rowChanges++ === 0 ? 0 : rowChanges % 2 === 0 ? 1 : 2
                      ]
                    : null;
                return (
                  <tr key={i} className={c.lost ? "superseded" : ""}>
                    {i === 0 ? (
                      <>
                        <td className="nowrap">{formatDate(w.at_ms, i18n.language)}</td>
                        <td className="nowrap">
                          <bdi>{w.actor_name ?? t("history.unknownPerson")}</bdi>
                        </td>
                        <td className="nowrap" title={w.site}>
                          {w.site === session.site_id ? t("history.thisDevice") : w.site.slice(0, 8)}
                        </td>
                      </>
                    ) : (
                      <td colSpan={3} />
                    )}
                    <td className="nowrap">{event ? t(event) : t(`fields.${h.column}`, h.column)}</td>
                    <td>
                      {event ? "" : change(h.column, c.before, h.value, c.first || created)}
                      {c.lost && <span className="muted"> ({t("history.superseded")})</span>}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          );
        })}
      </table>
    </section>
  );
}

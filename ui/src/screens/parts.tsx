// Small pieces every screen uses.
import { intlLocale } from "../i18n";
import { useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useAction } from "../data";
import { commands, type ExportFormat, type ExportSummary, type Language, type RecordKind, type Region, type ReportSummary } from "../api";
import { errorText } from "../errors";
import { renderMarkdown } from "../markdown";
import { inDesktopApp, openSaved, showInFolder } from "../desktop";

export function ErrorLine({ error }: { error: unknown }) {
  const { t } = useTranslation();
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {errorText(t, error)}
    </p>
  );
}

/**
 * Says which fields of a record this device holds a value for that it cannot read (damaged, or
 * written by another version): the record shows their neutral value until someone edits them.
 */
export function Unreadable({ record }: { record: { unreadable?: string[] } }) {
  const { t } = useTranslation();
  const fields = record.unreadable ?? [];
  if (fields.length === 0) return null;
  return (
    <p className="unreadable" role="status" data-testid="unreadable">
      {t("record.unreadable", { count: fields.length, fields: fields.join(", ") })}
    </p>
  );
}

export function Markdown({ source }: { source: string }) {
  // Sanitized by renderMarkdown: member-written text never runs script.
  // dir="auto": a member's English text reads left to right on an Arabic screen, and back.
  return <div className="markdown" dir="auto" dangerouslySetInnerHTML={{ __html: renderMarkdown(source) }} />;
}

/**
 * Member-written text set inside a translated sentence, isolated (Unicode FSI … PDI) so an
 * English name in an Arabic sentence, or the reverse, does not pull its neighbours (dates,
 * commas) into its own direction.
 */
export function isolate(text: string) {
  return `\u2068${text}\u2069`;
}

export function formatDate(ms: number, locale: string) {
  return new Intl.DateTimeFormat(intlLocale(locale), { dateStyle: "medium", timeStyle: "short" }).format(new Date(ms));
}

export { formatDay, formatMoment } from "../dates";

/** Archives after a confirmation; nothing is erased, so the wording says so. */
export function ArchiveButton({ onArchive, label }: { onArchive: () => void; label?: string }) {
  const { t } = useTranslation();
  return (
    <button
      type="button"
      className="secondary"
      onClick={() => {
        if (window.confirm(t("common.confirmArchive"))) onArchive();
      }}
    >
      {label ?? t("common.archive")}
    </button>
  );
}

/** A collapsed editor: shows its form when opened, closes when saved. */
export function Editor({
  summary,
  children,
}: {
  summary: string;
  children: (close: () => void) => ReactNode;
}) {
  const [open, setOpen] = useState(false);
  return (
    <details open={open} onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary>{summary}</summary>
      {open && children(() => setOpen(false))}
    </details>
  );
}

/** An "Edit" disclosure holding a form of `children` fields, saved by `save`: closed again once
 * saved, the refusal said under the fields otherwise. The fields' draft is the caller's. */
export function EditForm({ save, testId, children }: { save: () => Promise<unknown>; testId?: string; children: ReactNode }) {
  const { t } = useTranslation();
  const action = useAction();
  return (
    <Editor summary={t("common.edit")}>
      {(close) => (
        <form
          data-testid={testId}
          onSubmit={async (e) => {
            e.preventDefault();
            if (await action.run(save)) close();
          }}
        >
          {children}
          <ErrorLine error={action.error} />
          <button type="submit" disabled={action.busy}>
            {t("common.save")}
          </button>
        </form>
      )}
    </Editor>
  );
}

/** Edits one text field in place: an "Edit" disclosure with one input, saved by `save`. */
export function TextEdit({
  label,
  value,
  multiline = false,
  save,
}: {
  label: string;
  value: string;
  multiline?: boolean;
  save: (value: string) => Promise<unknown>;
}) {
  const { t } = useTranslation();
  const action = useAction();
  return (
    <Editor summary={t("common.edit")}>
      {(close) => <TextEditForm label={label} value={value} multiline={multiline} busy={action.busy} error={action.error}
        onSubmit={async (v) => { if (await action.run(() => save(v))) close(); }} />}
    </Editor>
  );
}

function TextEditForm(props: {
  label: string;
  value: string;
  multiline: boolean;
  busy: boolean;
  error: unknown;
  onSubmit: (value: string) => void;
}) {
  const { t } = useTranslation();
  const [text, setText] = useState(props.value);
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        props.onSubmit(text);
      }}
    >
      <label>
        {props.label}
        {props.multiline ? (
          <textarea value={text} onChange={(e) => setText(e.target.value)} required />
        ) : (
          <input value={text} onChange={(e) => setText(e.target.value)} required />
        )}
      </label>
      <ErrorLine error={props.error} />
      <button type="submit" disabled={props.busy}>
        {t("common.save")}
      </button>
    </form>
  );
}

/** The options of a select over enum values, each labelled by the translation `labels.value`. */
/** The coalition's regions, in the order the forms offer them. */
export const REGIONS: Region[] = ["africa", "americas", "asia_pacific", "europe", "middle_east_north_africa"];

/** A group's region (a regional network's, a team's that works on one region), or none. On an
 * existing group a region, once set, can be changed but not emptied (`fixed`): a region left
 * off a change is "unchanged" to the core. */
export function RegionSelect({
  value,
  onChange,
  fixed = false,
}: {
  value: Region | null;
  onChange: (region: Region | null) => void;
  fixed?: boolean;
}) {
  const { t } = useTranslation();
  return (
    <label>
      {t("groups.region")}
      <select value={value ?? ""} onChange={(e) => onChange((e.target.value || null) as Region | null)} data-testid="group-region">
        {(!fixed || value === null) && <option value="">{t("groups.noRegion")}</option>}
        <Options values={REGIONS} labels="region" />
      </select>
    </label>
  );
}

export function Options<T extends string>({ values, labels }: { values: readonly T[]; labels: string }) {
  const { t } = useTranslation();
  return (
    <>
      {values.map((v) => (
        <option key={v} value={v}>
          {t(`${labels}.${v}`)}
        </option>
      ))}
    </>
  );
}

/** A dated file name in the person's Downloads folder (else home), as the backend finds it. */
async function downloadsPath(stem: string, extension: string) {
  const folder = (await commands.syncStatus({})).bundle_folder ?? "/tmp";
  const day = new Date().toISOString().slice(0, 10);
  return `${folder}/${stem}-${day}.${extension}`;
}

/** "Open" and "Show in folder" for a file the app just saved: in the desktop app only, where
 * the system has a viewer and a file manager to hand it to. A bundle is for another Caucus,
 * not for a viewer: it is only shown in its folder (`folderOnly`). */
export function SavedFileActions({ path, folderOnly = false }: { path: string; folderOnly?: boolean }) {
  const { t } = useTranslation();
  const action = useAction();
  if (!inDesktopApp()) return null;
  return (
    <>
      {!folderOnly && (
        <button type="button" className="secondary" onClick={() => action.run(() => openSaved(path))}>
          {t("common.openFile")}
        </button>
      )}
      <button type="button" className="secondary" onClick={() => action.run(() => showInFolder(path))}>
        {t("common.showInFolder")}
      </button>
      <ErrorLine error={action.error} />
    </>
  );
}

/** Exports a list to CSV or JSON in the person's Downloads folder, and says where. */
export function ExportButtons({ kind, groupId }: { kind: RecordKind; groupId?: string }) {
  const { t } = useTranslation();
  const action = useAction();
  const [saved, setSaved] = useState<ExportSummary | null>(null);
  const run = async (format: ExportFormat) => {
    const path = await downloadsPath(`caucus-${kind}`, format);
    const summary = await action.run(() => commands.exportRecords({ kind, format, group_id: groupId ?? null, path }));
    if (summary) setSaved(summary);
  };
  return (
    <div className="export" role="group" aria-label={t("export.label")}>
      <button className="secondary" onClick={() => run("csv")} disabled={action.busy}>
        {t("export.csv")}
      </button>
      <button className="secondary" onClick={() => run("json")} disabled={action.busy}>
        {t("export.json")}
      </button>
      {saved && (
        <span role="status" className="muted" data-testid="export-saved">
          {t("export.saved", { count: saved.rows, path: isolate(saved.path) })}
        </span>
      )}
      {saved && <SavedFileActions path={saved.path} />}
      <ErrorLine error={action.error} />
    </div>
  );
}

/**
 * A file picker that speaks the app's language: the webview's own button would say "Choose
 * File" in the system's language. The native input stays (hidden, focusable) for the keyboard
 * and for assistive technology; the visible button mirrors its focus.
 */
export function FilePick({
  label,
  accept,
  testId,
  onFile,
}: {
  label: string;
  accept?: string;
  testId?: string;
  onFile: (file: File) => void;
}) {
  const { t } = useTranslation();
  const [name, setName] = useState<string | null>(null);
  return (
    <label className="file-pick">
      <span>{label}</span>
      <input
        type="file"
        accept={accept}
        data-testid={testId}
        onChange={(e) => {
          const file = e.target.files?.[0];
          if (!file) return;
          setName(file.name);
          onFile(file);
        }}
      />
      <span className="file-button" aria-hidden="true">
        {t("common.chooseFile")}
      </span>
      <bdi className="muted">{name ?? t("common.noFileChosen")}</bdi>
    </label>
  );
}

const REPORT_LABELS = ["title", "generated", "leaders", "recommendations", "mandate", "author", "endorsements", "answer", "noAnswer", "page"];
const STATES = ["open", "under_review", "adopted", "referred", "not_adopted", "duplicate", "follow_up", "closed", "withdrawn"];

/** Writes a group's printable report (PDF, in the screen's language) to the Downloads folder. */
export function ReportButton({ groupId, groupName }: { groupId: string; groupName: string }) {
  const { t, i18n } = useTranslation();
  const action = useAction();
  const [saved, setSaved] = useState<ReportSummary | null>(null);
  const run = async () => {
    const slug = groupName.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "-").replace(/^-|-$/g, "") || "group";
    const labels: Record<string, string> = {};
    for (const key of REPORT_LABELS) labels[key] = t(`report.${key}`);
    for (const state of STATES) labels[`state.${state}`] = t(`recommendation.states.${state}`);
    const language = (["en", "fr", "es", "ar", "pt"].includes(i18n.language) ? i18n.language : "en") as Language;
    const path = await downloadsPath(`caucus-report-${slug}`, "pdf");
    const summary = await action.run(() => commands.exportReport({ group_id: groupId, path, language, labels }));
    if (summary) setSaved(summary);
  };
  return (
    <div className="export">
      <button className="secondary" onClick={run} disabled={action.busy}>
        {action.busy ? t("report.making") : t("report.button")}
      </button>
      {saved && (
        <span role="status" className="muted" data-testid="report-saved">
          {t("report.saved", { count: saved.pages ?? 0, path: isolate(saved.path) })}
        </span>
      )}
      {saved && <SavedFileActions path={saved.path} />}
      <ErrorLine error={action.error} />
    </div>
  );
}

/** A list of checkboxes choosing some of `items` (assignees, co-authors). */
export function CheckList({
  legend,
  items,
  chosen,
  onChange,
  testId,
}: {
  legend: string;
  items: { id: string; label: string }[];
  chosen: string[];
  onChange: (ids: string[]) => void;
  testId?: string;
}) {
  return (
    <fieldset data-testid={testId}>
      <legend>{legend}</legend>
      {items.map((item) => (
        <label key={item.id} className="check">
          <input
            type="checkbox"
            checked={chosen.includes(item.id)}
            onChange={() =>
              onChange(chosen.includes(item.id) ? chosen.filter((x) => x !== item.id) : [...chosen, item.id])
            }
          />{" "}
          <bdi>{item.label}</bdi>
        </label>
      ))}
    </fieldset>
  );
}

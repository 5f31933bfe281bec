// Date and time fields that follow the screen, not the system: the webview's own date input
// speaks the operating system's language and order (mm/dd in an Arabic screen on an American
// laptop). The calendar is react-day-picker with date-fns's locale for the screen's language,
// its direction, and the digits the screen uses; the time is a list of quarter hours written by
// Intl. Values stay as the records keep them: `YYYY-MM-DD` and `HH:MM`.
import { useEffect, useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { DayPicker, type Locale } from "react-day-picker";
import { ar, enUS, es, fr, pt } from "react-day-picker/locale";
import "react-day-picker/style.css";
import { intlLocale } from "../i18n";
import { dateOf, dayOf, formatDay } from "../dates";

const LOCALES: Record<string, Locale> = { en: enUS, fr, es, pt, ar };

/** The digits Intl writes in the screen's language (and the person's choice for Arabic). */
function numerals(language: string): "latn" | "arab" {
  return intlLocale(language).includes("-nu-arab") ? "arab" : "latn";
}

/**
 * A calendar day: a button that says the chosen day in the screen's language, opening a month
 * calendar (arrow keys move by day and week, Page Up/Down by month; Escape closes).
 */
export function DateField({
  label,
  value,
  onChange,
  optional = false,
  testId,
}: {
  label: string;
  value: string;
  onChange: (day: string) => void;
  optional?: boolean;
  testId?: string;
}) {
  const { t, i18n } = useTranslation();
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const box = useRef<HTMLDivElement>(null);
  const labelId = useId();
  const selected = dateOf(value);
  const today = new Date();
  const language = i18n.language;
  const close = () => {
    setOpen(false);
    button.current?.focus();
  };
  // A click anywhere else closes the calendar, as a menu would.
  useEffect(() => {
    if (!open) return;
    const away = (e: MouseEvent) => {
      if (box.current && !box.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", away);
    return () => document.removeEventListener("mousedown", away);
  }, [open]);
  return (
    <div className="date-field" ref={box} data-testid={testId}>
      <span id={labelId} className="field-label">
        {label}
      </span>
      <div className="date-field-row">
        <button
          type="button"
          ref={button}
          className="date-button"
          aria-haspopup="dialog"
          aria-expanded={open}
          aria-labelledby={`${labelId} ${labelId}-value`}
          onClick={() => setOpen(!open)}
        >
          <span id={`${labelId}-value`}>{value ? formatDay(value, language) : t("dates.choose")}</span>
        </button>
        {optional && value && (
          <button type="button" className="link" onClick={() => onChange("")}>
            {t("dates.clear")}
          </button>
        )}
      </div>
      {open && (
        <div
          className="date-popover"
          role="dialog"
          aria-labelledby={labelId}
          onKeyDown={(e) => {
            if (e.key === "Escape") {
              e.stopPropagation();
              close();
            }
          }}
        >
          <DayPicker
            mode="single"
            autoFocus
            selected={selected}
            defaultMonth={selected ?? today}
            onSelect={(day) => {
              if (day) onChange(dayOf(day));
              close();
            }}
            locale={LOCALES[language] ?? enUS}
            dir={i18n.dir(language)}
            numerals={numerals(language)}
            captionLayout="dropdown"
            startMonth={new Date(Math.min(today.getFullYear(), selected?.getFullYear() ?? 9999) - 10, 0)}
            endMonth={new Date(Math.max(today.getFullYear(), selected?.getFullYear() ?? 0) + 10, 11)}
          />
        </div>
      )}
    </div>
  );
}

/** Quarter hours of a day, plus `keep` when it falls between them (a time set elsewhere). */
function quarterHours(keep: string): string[] {
  const times: string[] = [];
  for (let h = 0; h < 24; h++) for (const m of [0, 15, 30, 45]) times.push(`${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`);
  if (/^\d{2}:\d{2}$/.test(keep) && !times.includes(keep)) times.push(keep);
  return times.sort();
}

/** A time of day (`HH:MM`) as the screen's language writes it (14:30, 2:30 PM, ٢:٣٠ م). */
export function TimeField({ label, value, onChange }: { label: string; value: string; onChange: (time: string) => void }) {
  const { i18n } = useTranslation();
  const format = new Intl.DateTimeFormat(intlLocale(i18n.language), { timeStyle: "short" });
  return (
    <label className="narrow">
      {label}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        {quarterHours(value).map((time) => {
          const [h, m] = time.split(":").map(Number);
          return (
            <option key={time} value={time}>
              {format.format(new Date(2000, 0, 1, h, m))}
            </option>
          );
        })}
      </select>
    </label>
  );
}

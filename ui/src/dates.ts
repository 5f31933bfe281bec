// Dates the records keep as the people who wrote them meant them: a due date is a calendar day,
// a meeting's start the time where it takes place. Shown through Intl in the screen's language,
// read as local dates (never as UTC midnight, which shows the day before west of Greenwich).
import { intlLocale } from "./i18n";

/** A calendar day (`YYYY-MM-DD`) as that day where the person is (not midnight UTC); none
 * for anything else. */
export function dateOf(day: string): Date | undefined {
  const [y, m, d] = day.split("-").map(Number);
  return y && m && d ? new Date(y, m - 1, d) : undefined;
}

/** The calendar day (`YYYY-MM-DD`, as due dates are kept) a moment falls on where the person is. */
export function dayOf(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** A calendar day (`YYYY-MM-DD`, as due dates are kept) in the screen's language, without a
 * time: read as that day where the person is, not as midnight UTC. */
export function formatDay(day: string, locale: string) {
  const date = dateOf(day);
  if (!date) return day;
  return new Intl.DateTimeFormat(intlLocale(locale), { dateStyle: "medium" }).format(date);
}

/** A meeting's local date and time (`YYYY-MM-DDTHH:MM`, as meetings keep it: the time where
 * it takes place) in the screen's language. */
export function formatMoment(moment: string, locale: string) {
  const m = moment.match(/^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?/);
  if (!m) return moment;
  const [y, mo, d, h, mi] = m.slice(1).map((v) => Number(v ?? 0));
  const when = new Date(y, mo - 1, d, h, mi);
  return new Intl.DateTimeFormat(intlLocale(locale), m[4] ? { dateStyle: "medium", timeStyle: "short" } : { dateStyle: "medium" }).format(when);
}

// The translation layer: every string the UI shows comes from a catalogue here.
// English is the reference catalogue; the other languages follow it key for key, with the
// plural forms their language needs (Intl.PluralRules: Arabic has six).
import i18next from "i18next";
import { initReactI18next } from "react-i18next";
import en from "./en.json";
import fr from "./fr.json";
import es from "./es.json";
import ar from "./ar.json";
import pt from "./pt.json";

export const catalogues = { en, fr, es, ar, pt } as const;
export type Locale = keyof typeof catalogues;
export const locales = Object.keys(catalogues) as Locale[];

/** Each language's name in itself, for the language picker. */
export const autonyms: Record<Locale, string> = {
  en: "English",
  fr: "Français",
  es: "Español",
  ar: "العربية",
  pt: "Português",
};

/** Languages written right to left. */
const RTL = new Set(["ar"]);

export function direction(locale: string): "rtl" | "ltr" {
  return RTL.has(locale) ? "rtl" : "ltr";
}

const STORED = "caucus.language";

function isLocale(value: string | null | undefined): value is Locale {
  return !!value && (locales as string[]).includes(value);
}

/** The language chosen on this device, else the system's if we have it, else English. */
export function preferredLocale(): Locale {
  const stored = globalThis.localStorage?.getItem(STORED);
  if (isLocale(stored)) return stored;
  const system = globalThis.navigator?.language?.slice(0, 2);
  return isLocale(system) ? system : "en";
}

function applyDocument(locale: Locale) {
  document.documentElement.lang = locale;
  document.documentElement.dir = direction(locale);
}

/** The digits numbers and dates are written in: the language's own (Arabic-Indic in Arabic),
 * or Latin, which many Arabic-speaking people prefer. One system for a whole screen. */
export type Digits = "native" | "latin";
const DIGITS = "caucus.digits";
/** Languages whose own digits are not Latin, and the Unicode numbering system of each. */
const NATIVE_DIGITS: Record<string, string> = { ar: "arab" };

export function preferredDigits(): Digits {
  return globalThis.localStorage?.getItem(DIGITS) === "latin" ? "latin" : "native";
}

/** Whether `locale` has digits of its own to choose between. */
export function hasNativeDigits(locale: string) {
  return locale in NATIVE_DIGITS;
}

/** The locale every `Intl` formatter of the screen uses: the language, with its digits made
 * explicit (browsers and WebKit differ on Arabic's default). */
export function intlLocale(locale: string = i18next.language || "en") {
  const native = NATIVE_DIGITS[locale];
  if (!native) return locale;
  return `${locale}-u-nu-${preferredDigits() === "latin" ? "latn" : native}`;
}

/** A year written in `locale`'s own digits or in Latin ones, to show the choice. */
export function digitSample(locale: string, digits: Digits) {
  const system = digits === "latin" ? "latn" : (NATIVE_DIGITS[locale] ?? "latn");
  return new Intl.NumberFormat(`${locale}-u-nu-${system}`, { useGrouping: false }).format(2026);
}

/** Switches the digits now and remembers the choice on this device. */
export async function setDigits(digits: Digits) {
  globalThis.localStorage?.setItem(DIGITS, digits);
  // Every screen formats at render: the same language again re-renders them all.
  await i18next.changeLanguage(i18next.language);
}

/** Numbers interpolated into any text ({{count}} …) are written by Intl in the screen's
 * digits, like the dates around them. */
const numbers = {
  type: "formatter" as const,
  init() {},
  add() {},
  addCached() {},
  format(value: unknown, _format: string | undefined, lng: string | undefined) {
    return typeof value === "number" ? new Intl.NumberFormat(intlLocale(lng)).format(value) : value;
  },
};

export async function initI18n(locale: Locale = preferredLocale()) {
  await i18next.use(initReactI18next).use(numbers).init({
    lng: locale,
    fallbackLng: "en",
    resources: Object.fromEntries(
      Object.entries(catalogues).map(([lng, translation]) => [lng, { translation }]),
    ),
    interpolation: { escapeValue: false, alwaysFormat: true },
  });
  applyDocument(locale);
  return i18next;
}

/** Switches the language now and remembers it on this device. */
export async function setLocale(locale: Locale) {
  globalThis.localStorage?.setItem(STORED, locale);
  await i18next.changeLanguage(locale);
  applyDocument(locale);
}

/** Every key path of a catalogue, for completeness checks. */
export function keyPaths(obj: object, prefix = ""): string[] {
  return Object.entries(obj).flatMap(([k, v]) =>
    v && typeof v === "object" ? keyPaths(v as object, `${prefix}${k}.`) : [`${prefix}${k}`],
  );
}

const PLURAL = /_(zero|one|two|few|many|other)$/;

/** The keys a catalogue must have to match English: plain keys as they are, and for each
 * plural key of English, every plural form `locale` uses. */
export function requiredKeys(english: string[], locale: string): string[] {
  const forms = new Intl.PluralRules(locale).resolvedOptions().pluralCategories;
  const out = new Set<string>();
  for (const key of english) {
    const m = key.match(PLURAL);
    if (!m) out.add(key);
    else for (const f of forms) out.add(key.replace(PLURAL, `_${f}`));
  }
  return [...out];
}

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

export async function initI18n(locale: Locale = preferredLocale()) {
  await i18next.use(initReactI18next).init({
    lng: locale,
    fallbackLng: "en",
    resources: Object.fromEntries(
      Object.entries(catalogues).map(([lng, translation]) => [lng, { translation }]),
    ),
    interpolation: { escapeValue: false },
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

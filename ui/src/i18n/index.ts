// The translation layer: every string the UI shows comes from a catalogue here.
// English is the reference catalogue; the other languages follow it key for key.
import i18next from "i18next";
import { initReactI18next } from "react-i18next";
import en from "./en.json";

export const catalogues = { en } as const;
export type Locale = keyof typeof catalogues;

/** Languages written right to left. */
const RTL = new Set(["ar"]);

export function direction(locale: string): "rtl" | "ltr" {
  return RTL.has(locale) ? "rtl" : "ltr";
}

export async function initI18n(locale: Locale = "en") {
  await i18next.use(initReactI18next).init({
    lng: locale,
    fallbackLng: "en",
    resources: Object.fromEntries(
      Object.entries(catalogues).map(([lng, translation]) => [lng, { translation }]),
    ),
    interpolation: { escapeValue: false },
  });
  document.documentElement.lang = locale;
  document.documentElement.dir = direction(locale);
  return i18next;
}

/** Every key path of a catalogue, for completeness checks. */
export function keyPaths(obj: object, prefix = ""): string[] {
  return Object.entries(obj).flatMap(([k, v]) =>
    v && typeof v === "object" ? keyPaths(v as object, `${prefix}${k}.`) : [`${prefix}${k}`],
  );
}

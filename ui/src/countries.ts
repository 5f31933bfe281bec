// Countries by their ISO 3166-1 alpha-2 codes (the list from i18n-iso-countries, a maintained
// package; its own names are not used), named by the platform's CLDR data in the screen's
// language through Intl.DisplayNames, and ordered as that language sorts.
import countries from "i18n-iso-countries";

/** A country's name in `language`, or its code when the platform has none. */
export function countryName(code: string, language: string): string {
  try {
    return new Intl.DisplayNames([language], { type: "region" }).of(code) ?? code;
  } catch {
    return code;
  }
}

/** Every country, named in `language` and sorted by that name. */
export function countryOptions(language: string): { code: string; name: string }[] {
  const names = new Intl.DisplayNames([language], { type: "region" });
  const collator = new Intl.Collator(language);
  return Object.keys(countries.getAlpha2Codes())
    .map((code) => ({ code, name: names.of(code) ?? code }))
    .sort((a, b) => collator.compare(a.name, b.name));
}

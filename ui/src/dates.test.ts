import { describe, expect, it } from "vitest";
import { formatDay, formatMoment } from "./dates";
import { digitSample, intlLocale } from "./i18n";

describe("dates in the screen's language", () => {
  it("shows a due date as that calendar day, in each language", () => {
    for (const locale of ["en", "fr", "es", "ar", "pt"]) {
      expect(formatDay("2026-12-20", locale)).toBe(
        new Intl.DateTimeFormat(intlLocale(locale), { dateStyle: "medium" }).format(new Date(2026, 11, 20)),
      );
    }
    expect(formatDay("2026-12-20", "en")).toBe("Dec 20, 2026");
  });

  it("writes Arabic in one digit system, its own unless Latin is chosen", () => {
    expect(intlLocale("ar")).toBe("ar-u-nu-arab");
    expect(intlLocale("fr")).toBe("fr");
    expect(formatDay("2026-12-20", "ar")).toMatch(/٢٠٢٦/);
    expect(formatDay("2026-12-20", "ar")).not.toMatch(/[0-9]/);
    expect(digitSample("ar", "native")).toBe("٢٠٢٦");
    expect(digitSample("ar", "latin")).toBe("2026");
  });

  it("shows a meeting's start with its time, or the day alone", () => {
    expect(formatMoment("2026-12-02T09:00", "en")).toBe(
      new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short" }).format(new Date(2026, 11, 2, 9, 0)),
    );
    expect(formatMoment("2026-12-02", "fr")).toBe(formatDay("2026-12-02", "fr"));
  });

  it("leaves what is not a date as it was written", () => {
    expect(formatDay("soon", "en")).toBe("soon");
    expect(formatMoment("next week", "en")).toBe("next week");
  });
});

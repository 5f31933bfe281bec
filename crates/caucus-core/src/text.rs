//! Validation of the text people type: names, titles, bodies.
//!
//! Names must be safe to show anywhere: no NUL, no control characters and no bidi overrides
//! (which can make an Arabic name display as something else).

use crate::error::{CoreError, Result};

/// Bidi embedding, override and isolate controls. Legitimate right-to-left text needs none of
/// them: the UI sets direction by language.
const BIDI_CONTROLS: &[char] = &[
    '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}',
    '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}',
];

/// Characters in a name (a person, an organization, a group).
pub const NAME_MAX: usize = 200;
/// Characters in a title (a recommendation, an issue, a meeting).
pub const TITLE_MAX: usize = 300;
/// Characters in a body of Markdown (a recommendation, a comment, minutes).
pub const BODY_MAX: usize = 100_000;
/// Characters in a short value (a label, a theme, a country code).
pub const SHORT_MAX: usize = 80;

/// A one-line name or title: trimmed, non-empty, at most `max` characters, no control or bidi
/// characters.
pub fn line(field: &str, value: &str, max: usize) -> Result<()> {
    if value.trim().is_empty() {
        return Err(CoreError::invalid(field, "must not be empty"));
    }
    if value.trim() != value {
        return Err(CoreError::invalid(
            field,
            "must not start or end with spaces",
        ));
    }
    if value.chars().count() > max {
        return Err(CoreError::invalid(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if let Some(c) = value
        .chars()
        .find(|c| c.is_control() || BIDI_CONTROLS.contains(c))
    {
        return Err(CoreError::invalid(
            field,
            format!("must not contain the character U+{:04X}", c as u32),
        ));
    }
    Ok(())
}

/// Multi-line text (Markdown bodies, minutes): may be empty if `allow_empty`, keeps newlines
/// and tabs, refuses NUL and other control characters, at most `BODY_MAX` characters.
pub fn body(field: &str, value: &str, allow_empty: bool) -> Result<()> {
    if !allow_empty && value.trim().is_empty() {
        return Err(CoreError::invalid(field, "must not be empty"));
    }
    if value.chars().count() > BODY_MAX {
        return Err(CoreError::invalid(
            field,
            format!("must be at most {BODY_MAX} characters"),
        ));
    }
    if let Some(c) = value
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(CoreError::invalid(
            field,
            format!("must not contain the character U+{:04X}", c as u32),
        ));
    }
    Ok(())
}

/// An optional one-line value: absent or empty is fine, otherwise as [`line`].
pub fn optional_line(field: &str, value: &str, max: usize) -> Result<()> {
    if value.is_empty() {
        Ok(())
    } else {
        line(field, value, max)
    }
}

/// A list of short labels: each a [`line`], no duplicates, at most 50.
pub fn labels(field: &str, values: &[String]) -> Result<()> {
    if values.len() > 50 {
        return Err(CoreError::invalid(field, "at most 50 entries"));
    }
    for (i, v) in values.iter().enumerate() {
        line(&format!("{field}[{i}]"), v, SHORT_MAX)?;
        if values[..i].contains(v) {
            return Err(CoreError::invalid(
                format!("{field}[{i}]"),
                "duplicate entry",
            ));
        }
    }
    Ok(())
}

/// An ISO 8601 calendar date, `YYYY-MM-DD`, checked for a real day.
pub fn date(field: &str, value: &str) -> Result<()> {
    let bad = || CoreError::invalid(field, "must be a date written YYYY-MM-DD");
    let b = value.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(bad());
    }
    let num = |s: &str| s.parse::<u32>().map_err(|_| bad());
    let (y, m, d) = (num(&value[0..4])?, num(&value[5..7])?, num(&value[8..10])?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    if !(1..=days).contains(&d) || y < 1900 {
        return Err(bad());
    }
    Ok(())
}

/// A date with a time, `YYYY-MM-DDTHH:MM` (local to the meeting's place).
pub fn date_time(field: &str, value: &str) -> Result<()> {
    let bad = || CoreError::invalid(field, "must be a date and time written YYYY-MM-DDTHH:MM");
    if value.len() != 16 || value.as_bytes()[10] != b'T' || value.as_bytes()[13] != b':' {
        return Err(bad());
    }
    date(field, &value[..10]).map_err(|_| bad())?;
    let h: u32 = value[11..13].parse().map_err(|_| bad())?;
    let m: u32 = value[14..16].parse().map_err(|_| bad())?;
    if h > 23 || m > 59 {
        return Err(bad());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_refuse_what_could_mislead_or_break_display() {
        let cases: &[(&str, bool)] = &[
            ("Human Rights Watch", true),
            ("منظمة العفو الدولية", true),
            ("", false),
            ("   ", false),
            (" padded", false),
            ("nul\0byte", false),
            ("bell\u{7}", false),
            ("new\nline", false),
            ("evil\u{202E}txt.exe", false),
            ("isolate\u{2067}x", false),
        ];
        for (value, ok) in cases {
            assert_eq!(line("name", value, NAME_MAX).is_ok(), *ok, "name {value:?}");
        }
        assert!(
            line("name", &"x".repeat(NAME_MAX + 1), NAME_MAX).is_err(),
            "over-long names are refused"
        );
    }

    #[test]
    fn dates_must_be_real_days() {
        for good in ["2026-02-28", "2024-02-29", "2026-12-31"] {
            assert!(date("d", good).is_ok(), "{good} is a real day");
        }
        for bad in [
            "2026-02-29",
            "2026-13-01",
            "2026-1-01",
            "tomorrow",
            "2026-04-31",
        ] {
            assert!(date("d", bad).is_err(), "{bad} is not a real day");
        }
        assert!(date_time("t", "2026-11-27T09:30").is_ok());
        assert!(date_time("t", "2026-11-27T24:00").is_err());
    }
}

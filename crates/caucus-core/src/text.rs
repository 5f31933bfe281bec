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

/// An ISO 8601 calendar date, `YYYY-MM-DD`, checked for a real day: digits only where digits
/// go (no sign, no spaces), parsed by `time` with a strict format.
pub fn date(field: &str, value: &str) -> Result<()> {
    let bad = || CoreError::invalid(field, "must be a date written YYYY-MM-DD");
    if !shaped(value, "dddd-dd-dd") {
        return Err(bad());
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let day = time::Date::parse(value, format).map_err(|_| bad())?;
    if day.year() < 1900 {
        return Err(bad());
    }
    Ok(())
}

/// A date with a time, `YYYY-MM-DDTHH:MM` (local to the meeting's place), as strictly.
pub fn date_time(field: &str, value: &str) -> Result<()> {
    let bad = || CoreError::invalid(field, "must be a date and time written YYYY-MM-DDTHH:MM");
    if !shaped(value, "dddd-dd-ddTdd:dd") {
        return Err(bad());
    }
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let at = time::PrimitiveDateTime::parse(value, format).map_err(|_| bad())?;
    if at.year() < 1900 {
        return Err(bad());
    }
    Ok(())
}

/// Whether `value` has exactly the shape of `pattern`: an ASCII digit for each `d`, the other
/// characters as they are. A parser alone would take a sign or a short number.
fn shaped(value: &str, pattern: &str) -> bool {
    value.len() == pattern.len()
        && value.bytes().zip(pattern.bytes()).all(|(v, p)| {
            if p == b'd' {
                v.is_ascii_digit()
            } else {
                v == p
            }
        })
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
            "2026-01-+5",
            "2026-+1-01",
            "+026-01-01",
            "2026-01- 5",
            "1899-12-31",
            "２０２６-01-01",
        ] {
            assert!(date("d", bad).is_err(), "{bad} is not a real day");
        }
        assert!(date_time("t", "2026-11-27T09:30").is_ok());
        for bad in [
            "2026-11-27T24:00",
            "2026-11-27T+9:30",
            "2026-11-27T09:60",
            "2026-11-27 09:30",
            "2026-02-30T09:30",
            "2026-11-27T09:3",
        ] {
            assert!(date_time("t", bad).is_err(), "{bad} is not a time");
        }
    }
}

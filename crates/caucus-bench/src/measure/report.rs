//! The figures as a table: rounding, the machine they were measured on, and the part of
//! docs/benchmarks.md that `make bench` rewrites.

use super::*;

pub(super) fn round(v: f64) -> f64 {
    if v.abs() >= 100.0 {
        v.round()
    } else {
        (v * 1000.0).round() / 1000.0
    }
}

pub(super) fn show(v: f64) -> String {
    if v.abs() >= 1000.0 {
        let s = format!("{:.0}", v);
        let mut out = String::new();
        for (i, ch) in s.chars().enumerate() {
            if i > 0 && (s.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(ch);
        }
        out
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    }
}

pub(super) fn table(
    figures: &[&Figure],
    scale: f64,
    counts: &Counts,
    total: usize,
    load_s: f64,
    runs: usize,
) -> String {
    let machine = machine();
    let date = caucus_core::hlc::day_of(caucus_core::hlc::wall_ms(), 0);
    let mut t = format!(
        "Measured {date} on {machine}; scale {scale} ({} organizations, {} people, {} groups, \
         {} recommendations, {} comments, {} tracked issues, {} meetings: {} changes, loaded \
         through the merge in {load_s:.1} s, {}/s); {runs} runs, median (min–max).\n\n\
         | figure | target | median | spread | |\n|---|---|---|---|---|\n",
        counts.organizations,
        counts.people,
        counts.groups,
        counts.recommendations,
        counts.comments,
        counts.tracked_issues,
        counts.meetings,
        show(total as f64),
        show(total as f64 / load_s.max(1e-9)),
    );
    for f in figures {
        let target = if f.target.is_nan() {
            "—".to_string()
        } else {
            format!(
                "{} {} {}",
                if f.below { "≤" } else { "≥" },
                show(f.target),
                f.unit
            )
        };
        let line = match (f.median(), f.spread(), &f.missing) {
            (Some(m), Some((lo, hi)), note) => format!(
                "| `{}` | {target} | {} {} | {}–{} | {}{} |\n",
                f.name,
                show(m),
                f.unit,
                show(lo),
                show(hi),
                match (note, f.met()) {
                    // Measured on less than the whole dataset: not judged against the target.
                    (Some(_), _) => "",
                    (None, Some(true)) => "met",
                    (None, Some(false)) => "**missed**",
                    // Reported beside the others, with no target.
                    (None, None) => "",
                },
                note.as_ref().map_or(String::new(), |n| n.clone())
            ),
            (_, _, Some(why)) => format!("| `{}` | {target} | — | — | {why} |\n", f.name),
            _ => format!("| `{}` | {target} | — | — | |\n", f.name),
        };
        t.push_str(&line);
    }
    t
}

pub(super) fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "an unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(String::new(), |kb| format!(", {:.0} GiB", kb / 1_048_576.0));
    format!("{cpu}, {cores} cores{mem}")
}

pub(super) const START: &str = "<!-- make bench: start -->";
pub(super) const END: &str = "<!-- make bench: end -->";

/// Replaces the measured section of the benchmarks document (or appends one).
pub(super) fn update_docs(path: &Path, table: &str) -> Res<()> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let section = format!("{START}\n{table}{END}");
    let updated = match (text.find(START), text.find(END)) {
        (Some(a), Some(b)) if b > a => {
            format!("{}{section}{}", &text[..a], &text[b + END.len()..])
        }
        _ => format!(
            "{}\n\n## `make bench`: the figures at coalition scale\n\n{section}\n",
            text.trim_end()
        ),
    };
    std::fs::write(path, updated).map_err(err)
}

//! The desktop shell's security configuration: the main window's capability grants exactly the
//! commands of the command list and listening to the app's events (no wildcards, no emitting,
//! nothing else), the CSP is strict, and no locked
//! Tauri package is a version with a known advisory (`security/advisories.json`).

use caucus_core::api::COMMAND_NAMES;

fn read_json(path: &str) -> serde_json::Value {
    let full = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("read {full}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parse {full}: {e}"))
}

/// The window hears what changed on the replica (`caucus_core::events`); it may not emit.
const LISTENING: &[&str] = &["core:event:allow-listen", "core:event:allow-unlisten"];

/// Tauri's own plugins the window uses: the system's file pickers (the bundle a person saves or
/// opens), and the system's viewer for the files the app saves, scoped below.
const PLUGINS: &[&str] = &[
    "dialog:allow-open",
    "dialog:allow-save",
    "opener:allow-open-path",
    "opener:allow-reveal-item-in-dir",
];

/// A permission's name: a string, or an object's `identifier` (a permission with a scope).
fn identifier(p: &serde_json::Value) -> String {
    p.as_str()
        .or_else(|| p["identifier"].as_str())
        .expect("a permission is a string or has an identifier")
        .to_string()
}

#[test]
fn the_main_capability_grants_exactly_the_command_list() {
    let cap = read_json("capabilities/main.json");
    assert_eq!(
        cap["windows"],
        serde_json::json!(["main"]),
        "one window, named"
    );
    let permissions = cap["permissions"].as_array().expect("permissions");
    let granted: Vec<String> = permissions.iter().map(identifier).collect();
    let expected: Vec<String> = COMMAND_NAMES
        .iter()
        .chain(caucus_core::api::SHELL_COMMAND_NAMES)
        .map(|n| format!("allow-{}", n.replace('_', "-")))
        .chain(LISTENING.iter().map(|p| p.to_string()))
        .chain(PLUGINS.iter().map(|p| p.to_string()))
        .collect();
    assert_eq!(
        granted, expected,
        "capabilities/main.json must list allow-<command> for each command, in list order, then the shell's, then listening to events, then the plugins'"
    );
    assert!(granted
        .iter()
        .all(|p| !p.contains('*') && (!p.starts_with("core:") || LISTENING.contains(&p.as_str()))));
}

/// Opening hands a file to whatever program the system picks, so the window may open only the
/// reports and exports the app itself writes (`caucus-….pdf/csv/json` in Downloads or home), never
/// a path a page chooses: no other scope, no bare `allow-open-path`.
#[test]
fn opening_files_is_scoped_to_what_the_app_saves() {
    let cap = read_json("capabilities/main.json");
    let permissions = cap["permissions"].as_array().expect("permissions");
    let open: Vec<&serde_json::Value> = permissions
        .iter()
        .filter(|p| identifier(p) == "opener:allow-open-path")
        .collect();
    assert_eq!(open.len(), 1);
    assert!(open[0].is_object(), "opening paths always carries a scope");
    let allowed = open[0]["allow"].as_array().expect("an allow list");
    assert!(!allowed.is_empty());
    for entry in allowed {
        let path = entry["path"].as_str().expect("a path pattern");
        let (folder, file) = path.rsplit_once('/').expect("a folder and a file");
        assert!(
            ["$HOME", "$HOME/Downloads"].contains(&folder),
            "{path}: only the folders the app saves to"
        );
        assert!(
            file.starts_with("caucus-")
                && [".pdf", ".csv", ".json"].iter().any(|e| file.ends_with(e))
                && file.matches('*').count() == 1,
            "{path}: only the files the app names"
        );
    }
    assert!(open[0].get("deny").is_none() && open[0].get("with").is_none());
}

#[test]
fn the_csp_allows_no_remote_or_eval() {
    let conf = read_json("tauri.conf.json");
    let csp = &conf["app"]["security"]["csp"];
    assert!(csp.is_object(), "a CSP must be set");
    for (directive, value) in csp.as_object().expect("csp") {
        let value = value.as_str().expect("a directive is a string");
        for bad in ["unsafe-eval", "unsafe-inline", "http:", "https:", "*"] {
            assert!(
                !value
                    .split_whitespace()
                    .any(|v| v.contains(bad) && v != "http://ipc.localhost"),
                "{directive} allows {bad}: {value}"
            );
        }
    }
    assert_eq!(csp["script-src"], "'self'");
    assert_eq!(csp["object-src"], "'none'");
    assert_eq!(csp["frame-src"], "'none'");
}

/// One advisory of `security/advisories.json`.
struct Advisory {
    id: String,
    ecosystem: String,
    package: String,
    patched: Vec<semver::VersionReq>,
    unaffected: Vec<semver::VersionReq>,
}

fn advisories() -> Vec<Advisory> {
    let list = read_json("../security/advisories.json");
    let reqs = |a: &serde_json::Value, key: &str| -> Vec<semver::VersionReq> {
        a[key]
            .as_array()
            .map(|v| {
                v.iter()
                    .map(|r| {
                        semver::VersionReq::parse(r.as_str().expect("a range"))
                            .unwrap_or_else(|e| panic!("{key} {r}: {e}"))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    list["advisories"]
        .as_array()
        .expect("advisories")
        .iter()
        .map(|a| Advisory {
            id: a["id"].as_str().expect("id").into(),
            ecosystem: a["ecosystem"].as_str().expect("ecosystem").into(),
            package: a["package"].as_str().expect("package").into(),
            patched: reqs(a, "patched"),
            unaffected: reqs(a, "unaffected"),
        })
        .collect()
}

/// The advisories `version` of `package` is open to.
fn open_to<'a>(
    advisories: &'a [Advisory],
    ecosystem: &str,
    package: &str,
    version: &str,
) -> Vec<&'a str> {
    let Ok(version) = semver::Version::parse(version) else {
        return Vec::new();
    };
    advisories
        .iter()
        .filter(|a| a.ecosystem == ecosystem && a.package == package)
        .filter(|a| {
            !a.patched.iter().any(|r| r.matches(&version))
                && !a.unaffected.iter().any(|r| r.matches(&version))
        })
        .map(|a| a.id.as_str())
        .collect()
}

/// (name, version) of every package in Cargo.lock.
fn locked_crates() -> Vec<(String, String)> {
    let lock = std::fs::read_to_string(format!("{}/../Cargo.lock", env!("CARGO_MANIFEST_DIR")))
        .expect("Cargo.lock");
    let mut out = Vec::new();
    let mut name = None;
    for line in lock.lines() {
        if let Some(n) = line.strip_prefix("name = ") {
            name = Some(n.trim_matches('"').to_string());
        } else if let (Some(v), Some(n)) = (line.strip_prefix("version = "), name.take()) {
            out.push((n, v.trim_matches('"').to_string()));
        }
    }
    out
}

/// (name, version) of every package in package-lock.json.
fn locked_npm() -> Vec<(String, String)> {
    let lock = read_json("../package-lock.json");
    lock["packages"]
        .as_object()
        .expect("packages")
        .iter()
        .filter_map(|(path, p)| {
            let name = path.rsplit("node_modules/").next()?;
            Some((name.to_string(), p["version"].as_str()?.to_string()))
        })
        .collect()
}

#[test]
fn no_locked_tauri_package_has_a_known_advisory() {
    let advisories = advisories();
    let crates = locked_crates();
    let npm = locked_npm();
    assert!(
        crates.iter().any(|(n, _)| n == "tauri") && npm.iter().any(|(n, _)| n == "@tauri-apps/api"),
        "the lock files were read"
    );
    let mut open = Vec::new();
    for (ecosystem, packages) in [("crates", &crates), ("npm", &npm)] {
        for (name, version) in packages {
            for id in open_to(&advisories, ecosystem, name, version) {
                open.push(format!("{name} {version}: {id}"));
            }
        }
    }
    assert!(
        open.is_empty(),
        "update these packages past their advisories: {open:?}"
    );
}

#[test]
fn the_advisory_check_flags_an_affected_version() {
    let advisories = advisories();
    assert_eq!(
        open_to(&advisories, "crates", "tauri", "2.11.0"),
        ["GHSA-7gmj-67g7-phm9"]
    );
    assert_eq!(
        open_to(&advisories, "crates", "tauri", "1.1.1"),
        ["GHSA-7gmj-67g7-phm9", "RUSTSEC-2022-0091"]
    );
    assert!(open_to(&advisories, "crates", "tauri", "2.12.5").is_empty());
    assert_eq!(
        open_to(&advisories, "npm", "@tauri-apps/cli", "2.10.0"),
        ["GHSA-7gmj-67g7-phm9"]
    );
}

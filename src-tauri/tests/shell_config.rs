//! The desktop shell's security configuration: the main window's capability grants exactly the
//! commands of the command list (no wildcards, nothing else), and the CSP is strict.

use caucus_core::api::COMMAND_NAMES;

fn read_json(path: &str) -> serde_json::Value {
    let full = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("read {full}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parse {full}: {e}"))
}

#[test]
fn the_main_capability_grants_exactly_the_command_list() {
    let cap = read_json("capabilities/main.json");
    assert_eq!(
        cap["windows"],
        serde_json::json!(["main"]),
        "one window, named"
    );
    let granted: Vec<String> = cap["permissions"]
        .as_array()
        .expect("permissions")
        .iter()
        .map(|p| p.as_str().expect("a permission is a string").to_string())
        .collect();
    let expected: Vec<String> = COMMAND_NAMES
        .iter()
        .map(|n| format!("allow-{}", n.replace('_', "-")))
        .collect();
    assert_eq!(
        granted, expected,
        "capabilities/main.json must list allow-<command> for each command, in list order"
    );
    assert!(granted
        .iter()
        .all(|p| !p.contains('*') && !p.starts_with("core:")));
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

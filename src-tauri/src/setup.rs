//! Starting the app: the database file, the demo coalition, the window.
//!
//! `CAUCUS_DB` chooses the database file (default: `caucus.db` in the app's data folder).
//! `CAUCUS_DEMO=1` loads the demo coalition into an empty database.

use std::path::PathBuf;
use tauri::{Emitter, Manager};

fn database_path(app: &tauri::App) -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("CAUCUS_DB") {
        return Ok(PathBuf::from(path));
    }
    let dir = app
        .path()
        .app_data_dir()
        .map_err(|e| format!("no data folder: {e}"))?;
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    Ok(dir.join("caucus.db"))
}

/// Whether the window may show `url`: only the app's own pages (the custom protocol, which is
/// `tauri://localhost` on Linux and macOS and `http://tauri.localhost` on Windows). A link in
/// member-written text, or anything else, cannot replace the app with another site: such a page
/// would be refused every command by the capability anyway, but it could still pose as Caucus.
pub fn stays_in_app(url: &tauri::Url) -> bool {
    match url.scheme() {
        "tauri" => url.host_str() == Some("localhost"),
        "http" | "https" => url.host_str() == Some("tauri.localhost"),
        "about" => url.path() == "blank",
        _ => false,
    }
}

fn navigation_guard<R: tauri::Runtime>() -> tauri::plugin::TauriPlugin<R> {
    tauri::plugin::Builder::new("navigation-guard")
        .on_navigation(|_, url| {
            let allowed = stays_in_app(url);
            if !allowed {
                tracing::warn!("refused to navigate the window away from Caucus to {url}");
            }
            allowed
        })
        .build()
}

pub fn run() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let result = tauri::Builder::default()
        .plugin(navigation_guard())
        // File pickers for bundles, and the system's viewer for the files the app saves; what
        // the window may do with them is narrowed in capabilities/main.json.
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .setup(|app| {
            let path = database_path(app)?;
            let demo = std::env::var("CAUCUS_DEMO").is_ok_and(|v| v == "1");
            // The window hears what changed as one Tauri event per core event.
            let handle = app.handle().clone();
            let notify: crate::replica::Notify = std::sync::Arc::new(move |event| {
                if let Err(e) = handle.emit(caucus_core::events::EVENT_NAME, event) {
                    tracing::warn!("could not tell the window what changed: {e}");
                }
            });
            // A plaintext database opens in the background (the window shows how an upgrade
            // of its format goes); an encrypted one stays locked until the window gives its
            // passphrase.
            let replica =
                tauri::async_runtime::block_on(crate::replica::Replica::start(path, demo, notify))?;
            app.manage(replica);
            Ok(())
        })
        .invoke_handler(crate::commands::handler())
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("caucus: {e}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use super::stays_in_app;

    #[test]
    fn only_the_apps_own_pages_load_in_the_window() {
        for url in [
            "tauri://localhost/",
            "tauri://localhost/index.html#x",
            "http://tauri.localhost/",
            "about:blank",
        ] {
            assert!(stays_in_app(&url.parse().expect("url")), "{url}");
        }
        for url in [
            "https://example.org/",
            "http://127.0.0.1:8080/",
            "tauri://localhost.example.org/",
            "http://tauri.localhost.example.org/",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "about:srcdoc",
        ] {
            assert!(!stays_in_app(&url.parse().expect("url")), "{url}");
        }
    }
}

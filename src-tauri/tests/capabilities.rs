//! The capability is enforced, not only declared: on Tauri's own IPC path (the mock runtime
//! runs the same access check as the real window), every app command (the core's and the shell's) is refused to a window
//! the capability does not name and to the main window showing a page of another origin, and
//! the main window at the app's own origin is served.

use caucus_app::replica::Replica;
use caucus_core::api::COMMAND_NAMES;
use caucus_core::api::SHELL_COMMAND_NAMES as SHELL_COMMANDS;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::Manager;

fn request(command: &str, url: &str) -> InvokeRequest {
    InvokeRequest {
        cmd: command.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: url.parse().expect("url"),
        body: InvokeBody::Json(serde_json::json!({ "input": {} })),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    }
}

/// The app's own origin on Linux (the custom protocol serving the built UI).
const APP_ORIGIN: &str = "tauri://localhost";

#[test]
fn every_command_is_refused_without_the_capability() {
    let dir = tempfile::tempdir().expect("temp dir");
    let replica = tauri::async_runtime::block_on(Replica::start(
        dir.path().join("caucus.db"),
        false,
        std::sync::Arc::new(|_| {}),
    ))
    .expect("replica");
    let app = mock_builder()
        .invoke_handler(caucus_app::commands::handler())
        .build(tauri::generate_context!())
        .expect("the app builds on the mock runtime");
    app.manage(replica);
    let main = match app.get_webview_window("main") {
        Some(w) => w,
        None => tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .expect("main window"),
    };
    let other = tauri::WebviewWindowBuilder::new(&app, "other", Default::default())
        .build()
        .expect("a second window");

    // The main window at the app's origin is served: the check below can tell the two apart.
    let served = get_ipc_response(&main, request("get_session", APP_ORIGIN));
    assert!(served.is_ok(), "the main window is served: {served:?}");

    let mut refused = 0;
    let commands: Vec<&str> = COMMAND_NAMES
        .iter()
        .chain(SHELL_COMMANDS)
        .copied()
        .collect();
    for command in &commands {
        for (label, webview, url) in [
            ("window \"other\"", &other, APP_ORIGIN),
            (
                "a remote page in the main window",
                &main,
                "https://example.org/",
            ),
            (
                "a loopback page in the main window",
                &main,
                "http://127.0.0.1:8080/",
            ),
        ] {
            let answer = get_ipc_response(webview, request(command, url));
            let error = answer.expect_err(&format!("{command} must be refused to {label}"));
            let text = error.to_string();
            assert!(
                text.contains("not allowed"),
                "{command} to {label} is refused by the access check, not by the command: {text}"
            );
            refused += 1;
        }
    }
    assert_eq!(refused, commands.len() * 3);
}

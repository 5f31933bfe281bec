//! The smallest Tauri app: one window with a one-line page and no backend. `make bench`
//! measures Caucus's resident memory against it (`rss_ratio_vs_empty_tauri`) in the same run.
//! It shares the app's Tauri build; the app's own window and UI are left out, and the page
//! comes from a protocol of its own.

const PAGE: &[u8] =
    b"<!doctype html><title>Empty window</title><h1 id=\"empty\">An empty Tauri window</h1>";

fn main() {
    let mut context = tauri::generate_context!();
    context.config_mut().app.windows.clear();
    let result = tauri::Builder::default()
        .register_uri_scheme_protocol("empty", |_, _| {
            tauri::http::Response::builder()
                .header("Content-Type", "text/html")
                .body(PAGE.to_vec())
                .unwrap_or_default()
        })
        .setup(|app| {
            let url = "empty://localhost/"
                .parse()
                .map_err(|e| format!("the page's address: {e}"))?;
            tauri::WebviewWindowBuilder::new(app, "main", tauri::WebviewUrl::External(url))
                .title("Empty window")
                .inner_size(1280.0, 820.0)
                .build()?;
            Ok(())
        })
        .run(context);
    if let Err(e) = result {
        eprintln!("empty-window: {e}");
        std::process::exit(1);
    }
}

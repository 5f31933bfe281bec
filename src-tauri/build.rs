//! Declares every app command in the app manifest, from the one command list (the core's
//! commands and the shell's own), so Tauri
//! generates a permission per command and refuses any command a window's capability lacks.

include!("../crates/caucus-core/src/api/commands.rs");

macro_rules! names {
    ($($name:ident ( $input:ty ) -> $output:ty;)*) => {
        &[$(stringify!($name)),*]
    };
}

fn main() {
    let commands: &'static [&'static str] = Vec::leak(
        for_each_command!(names)
            .iter()
            .chain(for_each_shell_command!(names))
            .copied()
            .collect(),
    );
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .expect("tauri build script");
}

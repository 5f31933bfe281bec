//! Declares every app command in the app manifest, from the one command list, so Tauri
//! generates a permission per command and refuses any command a window's capability lacks.

include!("../crates/caucus-core/src/api/commands.rs");

macro_rules! names {
    ($($name:ident ( $input:ty ) -> $output:ty;)*) => {
        &[$(stringify!($name)),*]
    };
}

/// The shell's own commands (src/replica.rs `SHELL_COMMANDS`).
const SHELL_COMMANDS: &[&str] = &["database_status", "unlock_database", "encrypt_database"];

fn main() {
    let commands: &'static [&'static str] = Vec::leak(
        for_each_command!(names)
            .iter()
            .chain(SHELL_COMMANDS)
            .copied()
            .collect(),
    );
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .expect("tauri build script");
}

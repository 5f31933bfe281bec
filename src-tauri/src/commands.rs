//! One Tauri command per entry of `caucus_core::for_each_command!`: each takes the managed
//! replica and its typed input, calls the core method of the same name, and returns its
//! result or a `{ code, message, field }` error; a panic is caught as the bridge catches it
//! ([`caucus_core::api::guard`]).

use caucus_core::api::*;
use caucus_core::model::*;
use caucus_core::store::history::HistoryEntry;
use caucus_core::ApiError;

macro_rules! tauri_commands {
    ($($name:ident ( $input:ty ) -> $output:ty;)*) => {
        $(
            #[tauri::command]
            pub async fn $name(
                replica: tauri::State<'_, crate::replica::Replica>,
                input: $input,
            ) -> Result<$output, ApiError> {
                // A panic is a typed `internal` error here too, never a broken invoke.
                caucus_core::api::guard::guarded(stringify!($name), async move {
                    replica.get().await?.$name(input).await.map_err(ApiError::from)
                })
                .await
            }
        )*

    };
}

caucus_core::for_each_command!(tauri_commands);

/// The shell's own commands, one thin Tauri command each over the open replica's file
/// ([`crate::replica`]), and the invoke handler for every command.
macro_rules! shell_commands {
    ($($name:ident ( $input:ty ) -> $output:ty;)*) => {
        $(
            #[tauri::command]
            pub async fn $name(
                replica: tauri::State<'_, crate::replica::Replica>,
                input: $input,
            ) -> Result<$output, ApiError> {
                caucus_core::api::guard::guarded(stringify!($name), async move {
                    replica.$name(input).await.map_err(ApiError::from)
                })
                .await
            }
        )*

    };
}

caucus_core::for_each_shell_command!(shell_commands);

/// The core's command names, handed on to [`handler_of`] before the shell's list.
macro_rules! core_names {
    ($($name:ident ( $input:ty ) -> $output:ty;)*) => {
        caucus_core::for_each_shell_command!(handler_of, [$($name),*]);
    };
}

/// The invoke handler for every command: the core's, then the shell's own.
macro_rules! handler_of {
    ([$($core:ident),*] $($name:ident ( $input:ty ) -> $output:ty;)*) => {
        /// The invoke handler for every command (generic over the runtime, so the capability
        /// test can run it on Tauri's mock runtime).
        pub fn handler<R: tauri::Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($core,)* $($name),*]
        }
    };
}

caucus_core::for_each_command!(core_names);

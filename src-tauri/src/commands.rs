//! One Tauri command per entry of `caucus_core::for_each_command!`: each takes the managed
//! replica and its typed input, calls the core method of the same name, and returns its
//! result or a `{ code, message, field }` error.

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
                replica.get().await?.$name(input).await.map_err(ApiError::from)
            }
        )*

        /// The invoke handler for every command (generic over the runtime, so the capability
        /// test can run it on Tauri's mock runtime).
        pub fn handler<R: tauri::Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![
                $($name,)*
                crate::replica::database_status,
                crate::replica::unlock_database,
                crate::replica::encrypt_database
            ]
        }
    };
}

caucus_core::for_each_command!(tauri_commands);

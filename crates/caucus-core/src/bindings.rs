//! Generates `ui/src/api/bindings.ts`: the TypeScript types of every command's input and
//! output (from the Rust types, through specta) and one typed function per command, calling
//! the transport in `ui/src/api/transport.ts`. A test fails when the committed file is stale;
//! `make bindings` rewrites it.

use crate::api::*;
use crate::error::ApiError;
use crate::model::*;
use crate::store::history::HistoryEntry;

/// `create_organization` → `createOrganization`.
fn camel(name: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The TypeScript spelling of a command's output type as written in the command list.
fn ts_type(rust: &str) -> String {
    let compact: String = rust.chars().filter(|c| !c.is_whitespace()).collect();
    match compact
        .strip_prefix("Vec<")
        .and_then(|s| s.strip_suffix('>'))
    {
        Some(inner) => format!("{inner}[]"),
        None => compact,
    }
}

/// The whole generated file.
pub fn typescript() -> Result<String, String> {
    let mut types = specta::Types::default();
    let mut client = String::new();
    macro_rules! collect {
        ($($name:ident ( $input:ty ) -> $output:ty;)*) => {
            $(
                types.register_mut::<$input>();
                types.register_mut::<$output>();
                client.push_str(&format!(
                    "  {camel}: (input: {input}) => call<{output}>(\"{name}\", input),\n",
                    camel = camel(stringify!($name)),
                    input = ts_type(stringify!($input)),
                    output = ts_type(stringify!($output)),
                    name = stringify!($name),
                ));
            )*
        };
    }
    crate::for_each_command!(collect);
    crate::for_each_shell_command!(collect);
    types.register_mut::<ApiError>();
    types.register_mut::<HistoryEntry>();
    types.register_mut::<crate::events::Event>();
    let declarations = specta_typescript::Typescript::default()
        .export(&types, specta_serde::Format)
        .map_err(|e| e.to_string())?;
    let mut names: Vec<&str> = COMMAND_NAMES
        .iter()
        .chain(SHELL_COMMAND_NAMES)
        .copied()
        .collect();
    names.sort_unstable();
    Ok(format!(
        "// Generated from the Rust command list by `make bindings`. Do not edit.\n\
         /* eslint-disable */\n\
         import {{ call }} from \"./transport\";\n\n\
         {declarations}\n\n\
         /** Every backend command, typed (the database ones exist in the desktop shell only). */\n\
         export const commands = {{\n{client}}};\n\n\
         export type CommandName = {names};\n\n\
         /** The synced tables, as events name them. */\n\
         export type Table = {tables};\n\
         export const TABLES: Table[] = [{table_list}];\n\n\
         /** The name the desktop shell emits events under; the bridge serves them at /api/events. */\n\
         export const EVENT_NAME = \"{event}\";\n\n\
         /** The fewest characters a database passphrase has. */\n\
         export const MIN_PASSPHRASE_CHARS = {min_passphrase};\n",
        tables = crate::schema::TABLES
            .iter()
            .map(|t| format!("\"{}\"", t.name))
            .collect::<Vec<_>>()
            .join(" | "),
        table_list = crate::schema::TABLES
            .iter()
            .map(|t| format!("\"{}\"", t.name))
            .collect::<Vec<_>>()
            .join(", "),
        event = crate::events::EVENT_NAME,
        min_passphrase = crate::store::cipher::MIN_PASSPHRASE_CHARS,
        names = names
            .iter()
            .map(|n| format!("\"{n}\""))
            .collect::<Vec<_>>()
            .join(" | "),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../ui/src/api/bindings.ts");

    /// The UI's generated client must match the Rust command list; run `make bindings` after
    /// changing a command or a type it uses.
    #[test]
    fn typescript_bindings_are_fresh() {
        let generated = typescript().expect("the command types export to TypeScript");
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(PATH, &generated).expect("write bindings");
        }
        let committed = std::fs::read_to_string(PATH).unwrap_or_default();
        assert!(
            committed == generated,
            "ui/src/api/bindings.ts is stale: run `make bindings` and commit the result"
        );
    }

    #[test]
    fn names_convert_to_camel_case_and_lists_to_arrays() {
        assert_eq!(camel("list_tracked_issues"), "listTrackedIssues");
        assert_eq!(ts_type("Vec < Organization >"), "Organization[]");
    }
}

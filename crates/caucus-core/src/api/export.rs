//! Exports made on the device: any list of records as CSV (opens in a spreadsheet, Arabic
//! included: UTF-8 with a byte-order mark) or JSON.

use super::{Caucus, RecordKind};
use crate::error::{CoreError, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    Csv,
    Json,
}

/// Write a list to a file.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct ExportRecords {
    pub kind: RecordKind,
    pub format: ExportFormat,
    /// Only this group's records (for records that belong to a group).
    pub group_id: Option<Uuid>,
    /// Where to write (an absolute path; its folder must exist).
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct ExportSummary {
    pub path: String,
    pub rows: u32,
}

/// One CSV field: quoted when it holds a separator, a quote or a line break. A field that a
/// spreadsheet would run as a formula is prefixed with a quote mark (CSV injection).
fn csv_field(value: &Value) -> String {
    let text = match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string())
            })
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    };
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

pub fn to_csv(columns: &[&str], rows: &[serde_json::Map<String, Value>]) -> String {
    let mut out = String::from('\u{feff}');
    out.push_str(
        &columns
            .iter()
            .map(|c| csv_field(&Value::String(c.to_string())))
            .collect::<Vec<_>>()
            .join(","),
    );
    out.push_str("\r\n");
    for row in rows {
        let line: Vec<String> = columns
            .iter()
            .map(|c| csv_field(row.get(*c).unwrap_or(&Value::Null)))
            .collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

impl Caucus {
    pub async fn export_records(&self, input: ExportRecords) -> Result<ExportSummary> {
        let path = super::sync::file_to_write(&input.path, "the records")?;
        let table = input.kind.table();
        let bucket = input.group_id.map(|g| g.to_string());
        let rows =
            crate::store::export::records(self.store.pool(), table, bucket.as_deref()).await?;
        let text = match input.format {
            ExportFormat::Json => serde_json::to_string_pretty(&rows)
                .map_err(|e| CoreError::invalid("format", e.to_string()))?,
            ExportFormat::Csv => {
                let columns: Vec<&str> = std::iter::once("id")
                    .chain(table.columns.iter().map(|c| c.name))
                    .collect();
                to_csv(&columns, &rows)
            }
        };
        super::sync::write_chosen_file(&path, text.as_bytes(), "the records")?;
        Ok(ExportSummary {
            path: input.path,
            rows: rows.len() as u32,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn csv_quotes_what_needs_it_and_defuses_formulas() {
        let mut row = serde_json::Map::new();
        row.insert("name".into(), json!("Coalición, \"CICC\"\nNY"));
        row.insert("themes".into(), json!(["victims", "budget"]));
        row.insert("formula".into(), json!("=HYPERLINK(\"x\")"));
        row.insert("arabic".into(), json!("التحالف"));
        let csv = to_csv(&["name", "themes", "formula", "arabic"], &[row]);
        assert!(
            csv.starts_with('\u{feff}'),
            "a byte-order mark, for spreadsheets"
        );
        assert!(csv.contains("\"Coalición, \"\"CICC\"\"\nNY\""));
        assert!(csv.contains("victims; budget"));
        assert!(csv.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{csv}");
        assert!(csv.contains("التحالف"));
    }
}

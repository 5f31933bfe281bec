//! What changed on a replica, told to whoever shows it: the store sends [`Event::Changed`]
//! after every local write and every merge it commits (which tables, which rows), and
//! [`Event::Device`] when this device's own state moves (sync progress, a sync ending, a
//! setting). A front end forwards them to its screens, which reload what they show only when
//! an event touches it — no screen polls.
//!
//! Nobody listening is normal (a test, the hub harness): sending never waits and never fails.

use crate::change::Change;
use serde::Serialize;
use std::collections::BTreeSet;
use tokio::sync::broadcast;
use uuid::Uuid;

/// The name a front end gives these events on its own channel (the desktop shell's Tauri
/// events).
pub const EVENT_NAME: &str = "caucus-event";

/// Events a slow listener may fall behind by before it is told it lost some
/// ([`broadcast::error::RecvError::Lagged`]; it should then reload everything).
const BACKLOG: usize = 256;

/// Rows listed in one [`Event::Changed`]; a bigger batch (a first sync's page) names its
/// tables only, and every screen showing one of them reloads.
pub const ROWS_LISTED: usize = 500;

/// Something a screen may be showing has changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// Changes were applied to user data (a local write, or a merge from a hub, a meeting
    /// peer or a bundle).
    Changed {
        /// The tables touched, by their SQL name ([`crate::schema::TABLES`]).
        tables: Vec<String>,
        /// The rows touched, when there are at most [`ROWS_LISTED`]; empty with `every_row`.
        rows: Vec<Uuid>,
        /// Too many rows to list: treat every row of `tables` as touched.
        every_row: bool,
    },
    /// This device's own state moved: sync status or progress, settings, the acting person.
    Device,
}

impl Event {
    /// What a listener that lost events must assume: everything changed.
    pub fn everything() -> Event {
        Event::Changed {
            tables: crate::schema::TABLES
                .iter()
                .map(|t| t.name.to_string())
                .collect(),
            rows: Vec::new(),
            every_row: true,
        }
    }

    /// The event for a committed batch of changes; `None` for an empty one.
    pub fn changed(changes: &[Change]) -> Option<Event> {
        if changes.is_empty() {
            return None;
        }
        let mut tables: BTreeSet<&str> = changes.iter().map(|c| c.table.as_str()).collect();
        let mut rows: BTreeSet<Uuid> = changes.iter().map(|c| c.row).collect();
        // An edit of the minutes rewrites its meeting's text: a screen showing the meeting
        // is touched too.
        for c in changes {
            if c.table == crate::schema::MINUTES_EDIT.name && c.column == "meeting_id" {
                if let Some(meeting) = c.value.as_str().and_then(|v| Uuid::parse_str(v).ok()) {
                    tables.insert(crate::schema::MEETING.name);
                    rows.insert(meeting);
                }
            }
        }
        let every_row = rows.len() > ROWS_LISTED;
        Some(Event::Changed {
            tables: tables.into_iter().map(str::to_string).collect(),
            rows: if every_row {
                Vec::new()
            } else {
                rows.into_iter().collect()
            },
            every_row,
        })
    }
}

/// The sending side, one per open replica; clones send on the same channel.
#[derive(Debug, Clone)]
pub struct Events(broadcast::Sender<Event>);

impl Default for Events {
    fn default() -> Self {
        Events(broadcast::channel(BACKLOG).0)
    }
}

impl Events {
    /// A new listener: it receives every event sent from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.0.subscribe()
    }

    /// Tells every listener (none is fine).
    pub fn send(&self, event: Event) {
        let _ = self.0.send(event);
    }

    /// Tells every listener that `changes` were committed.
    pub fn send_changed(&self, changes: &[Change]) {
        if let Some(event) = Event::changed(changes) {
            self.send(event);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::ROW_COLUMN;
    use crate::hlc::Hlc;

    fn change(table: &str, row: Uuid) -> Change {
        Change {
            site: Uuid::nil(),
            seq: 1,
            hlc: Hlc(1),
            actor: None,
            bucket: "coalition".into(),
            table: table.into(),
            row,
            column: ROW_COLUMN.into(),
            value: serde_json::Value::Null,
            cl: 1,
            schema_version: 1,
            signature: None,
        }
    }

    #[test]
    fn a_batch_names_its_tables_and_rows_once_each() {
        let a = Uuid::now_v7();
        let b = Uuid::now_v7();
        let event = Event::changed(&[
            change("comment", a),
            change("comment", a),
            change("recommendation", b),
        ]);
        assert_eq!(
            event,
            Some(Event::Changed {
                tables: vec!["comment".into(), "recommendation".into()],
                rows: vec![a, b],
                every_row: false,
            })
        );
        assert_eq!(Event::changed(&[]), None);
    }

    #[test]
    fn a_large_batch_names_only_its_tables() {
        let many: Vec<Change> = (0..=ROWS_LISTED)
            .map(|_| change("person", Uuid::now_v7()))
            .collect();
        let Some(Event::Changed {
            tables,
            rows,
            every_row,
        }) = Event::changed(&many)
        else {
            panic!("a batch of changes is an event");
        };
        assert_eq!(tables, vec!["person".to_string()]);
        assert!(rows.is_empty() && every_row);
    }

    #[test]
    fn serialized_as_the_ui_reads_it() {
        let json = serde_json::to_value(Event::Device).expect("json");
        assert_eq!(json, serde_json::json!({"kind": "device"}));
    }
}

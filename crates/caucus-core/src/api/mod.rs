//! The command API: what every front end calls. The commands are declared once in
//! [`commands`]; each is a method of [`Caucus`] with the same name, and [`dispatch`] calls one
//! by name with JSON arguments (for the HTTP bridge and tests).
//!
//! Every write goes through [`Store::write`], which records it in the change log.

/// The command list ([`for_each_command!`](crate::for_each_command)), for every transport.
pub mod commands;
#[allow(missing_docs)]
mod dashboard;
mod database;
#[allow(missing_docs)]
mod export;
pub mod guard;
pub mod json;
#[allow(missing_docs)]
mod my_work;
#[allow(missing_docs)]
mod notifications;
mod pages;
#[allow(missing_docs)]
mod records;
#[allow(missing_docs)]
mod report;
#[allow(missing_docs)]
mod session;
#[allow(missing_docs)]
pub mod sync;

pub use dashboard::{Count, Dashboard, MonthCounts};
pub use database::{DatabaseStatus, Done, Encrypt, Unlock};
pub use export::{ExportFormat, ExportRecords, ExportSummary};
pub use my_work::{Arrival, ChangedRecord, MyWork};
pub use notifications::{
    Digest, GroupHearing, HearFromGroup, Hearing, Notification, NotificationQuery, Notifications,
    What, Why,
};
pub use pages::{Named, Posted, RecommendationActions, RecommendationPage};
pub use report::{
    ExportReport, GroupReport, RenderedReport, ReportGroup, ReportRecommendation, ReportRenderer,
    ReportSummary,
};
pub use session::*;

use crate::error::{ApiError, CoreError, Result};
use crate::model::*;
use crate::store::history::HistoryEntry;
pub use crate::store::search::SearchHit;
pub use crate::store::sync_state::RefusedChange;
use crate::store::Store;
pub use crate::sync::meeting::{FoundMeeting, MeetingGuest};
use serde::de::DeserializeOwned;
use std::path::Path;
pub use sync::bundle::{BundleSummary, ExportBundle, ImportBundle};
pub use sync::founding::{CoalitionKeySaved, ExportCoalitionKey};
pub use sync::guest::{GuestPresent, MeetingGuestsPresent};
pub use sync::meeting::{AdmitGuest, HostMeeting, JoinMeeting};
pub use sync::{BundlePeer, ConnectHub, SyncStatus};
use uuid::Uuid;

/// An open Caucus replica and the person acting on it.
pub struct Caucus {
    store: Store,
    pub(crate) sync: sync::SyncLink,
    report: std::sync::OnceLock<std::sync::Arc<dyn ReportRenderer>>,
}

impl Caucus {
    /// Opens the replica in the database file at `path`, creating it if missing.
    pub async fn open(path: &Path) -> Result<Caucus> {
        Self::open_with(path, None).await
    }

    /// Opens the replica at `path`, encrypted under `passphrase` if given
    /// ([`crate::store::cipher`]).
    pub async fn open_with(path: &Path, passphrase: Option<&str>) -> Result<Caucus> {
        Self::open_reporting(path, passphrase, &|_| {}).await
    }

    /// [`Caucus::open_with`], telling `progress` how a format upgrade goes when the file was
    /// made by an earlier version ([`crate::store::upgrade`]): the front end shows it.
    pub async fn open_reporting(
        path: &Path,
        passphrase: Option<&str>,
        progress: &(dyn Fn(crate::store::upgrade::UpgradeProgress) + Sync),
    ) -> Result<Caucus> {
        let store = Store::open_reporting(path, passphrase, progress).await?;
        Ok(Caucus {
            sync: sync::SyncLink::telling(store.events().clone()),
            store,
            report: Default::default(),
        })
    }

    /// The replica's store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// A listener for what changes on this replica, from now on ([`crate::events`]).
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<crate::events::Event> {
        self.store.events().subscribe()
    }
}

/// Decodes a command's JSON arguments, turning serde's complaint into a typed error that
/// names the field when serde does.
pub fn parse_input<T: DeserializeOwned>(input: serde_json::Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(input).map_err(|e| {
        let path = e.path().to_string();
        let message = e.inner().to_string();
        // The path says where the bad value was; a missing field has no path of its own, but
        // serde names it in the message, between backticks.
        let named = message
            .starts_with("unknown field")
            .then(|| message.split('`').nth(1))
            .flatten()
            .or_else(|| {
                message
                    .starts_with("missing field")
                    .then(|| message.split('`').nth(1))
                    .flatten()
            });
        let field = match (named, path.as_str()) {
            (Some(name), ".") => name.to_string(),
            (_, ".") => "input".to_string(),
            (_, p) => p.to_string(),
        };
        CoreError::invalid(field, message).into()
    })
}

macro_rules! dispatcher {
    ($($name:ident ( $input:ty ) -> $output:ty;)*) => {
        /// Calls the command `name` with JSON arguments and returns its JSON result.
        pub async fn dispatch(
            caucus: &Caucus,
            name: &str,
            input: serde_json::Value,
        ) -> Result<serde_json::Value, ApiError> {
            match name {
                $(stringify!($name) => {
                    let input: $input = parse_input(input)?;
                    let output: $output =
                        crate::api::guard::guarded(stringify!($name), caucus.$name(input)).await?;
                    serde_json::to_value(output).map_err(|e| {
                        ApiError::from(CoreError::invalid("output", e.to_string()))
                    })
                })*
                other => Err(CoreError::UnknownCommand(other.chars().take(64).collect()).into()),
            }
        }

        /// Decodes a command's arguments exactly as [`dispatch`] does, without running the
        /// command: what the fuzzer drives for the arguments the HTTP bridge and the shell
        /// receive.
        pub fn decode_arguments(name: &str, input: serde_json::Value) -> Result<(), ApiError> {
            match name {
                $(stringify!($name) => parse_input::<$input>(input).map(|_| ()),)*
                other => Err(CoreError::UnknownCommand(other.chars().take(64).collect()).into()),
            }
        }

        /// The names of every command, in declaration order.
        pub const COMMAND_NAMES: &[&str] = &[$(stringify!($name)),*];
    };
}
crate::for_each_command!(dispatcher);

macro_rules! shell_names {
    ($($name:ident ( $input:ty ) -> $output:ty;)*) => {
        /// The desktop shell's own commands ([`crate::for_each_shell_command`]).
        pub const SHELL_COMMAND_NAMES: &[&str] = &[$(stringify!($name)),*];
    };
}
crate::for_each_shell_command!(shell_names);

// Record kinds usable in `record_history`.
impl RecordKind {
    /// The table whose records this kind names.
    pub fn table(self) -> &'static crate::schema::Table {
        use crate::schema as s;
        match self {
            RecordKind::Organization => &s::ORGANIZATION,
            RecordKind::Person => &s::PERSON,
            RecordKind::Group => &s::GROUP,
            RecordKind::Membership => &s::MEMBERSHIP,
            RecordKind::TrackedIssue => &s::TRACKED_ISSUE,
            RecordKind::Recommendation => &s::RECOMMENDATION,
            RecordKind::Translation => &s::TRANSLATION,
            RecordKind::Endorsement => &s::ENDORSEMENT,
            RecordKind::Comment => &s::COMMENT,
            RecordKind::Meeting => &s::MEETING,
            RecordKind::AgendaItem => &s::AGENDA_ITEM,
            RecordKind::Attendance => &s::ATTENDANCE,
            RecordKind::Decision => &s::DECISION,
        }
    }
}

impl Caucus {
    /// The history of any record, oldest first.
    pub async fn record_history(&self, q: HistoryQuery) -> Result<Vec<HistoryEntry>> {
        let table = q.kind.table();
        if crate::store::read::row_meta(self.store.pool(), table, q.id)
            .await?
            .is_none()
        {
            return Err(CoreError::NotFound {
                entity: table.entity,
                id: q.id.to_string(),
            });
        }
        crate::store::history::history(self.store.pool(), table.name, q.id).await
    }

    /// The acting person's id, or a Forbidden error saying to choose one.
    pub(crate) async fn require_actor(&self, doing: &str) -> Result<Uuid> {
        self.acting_person_id().await?.ok_or_else(|| {
            CoreError::forbidden(format!("choose who you are acting as before {doing}"))
        })
    }
}

//! Opening a device's replica: the database file (plain, or encrypted under a passphrase),
//! the demo coalition in an empty one if asked, its ways out (the hub transport, meetings on
//! the local network, the report renderer the front end brings) and its background sync.

use crate::meeting::{LanConfig, LanMeetings};
use crate::transport::HttpTransport;
use caucus_core::api::{NoInput, ReportRenderer};
use caucus_core::error::Result;
use caucus_core::store::upgrade::UpgradeProgress;
use caucus_core::Caucus;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// How a front end opens its replica.
#[derive(Clone)]
pub struct Options {
    pub path: PathBuf,
    /// Load the demo coalition into an empty database.
    pub demo: bool,
    /// Where meetings are hosted and looked for.
    pub lan: LanConfig,
    /// Draws the PDF report (the shell and the bridge bring Typst; a device without one
    /// answers that reports cannot be made here).
    pub report: Option<Arc<dyn ReportRenderer>>,
    /// How often to sync with the hub in the background, once connected to one.
    pub sync_every: Duration,
}

impl Options {
    /// The defaults for the replica at `path`: meetings configured from the environment
    /// ([`LanConfig::from_env`]), a sync every minute.
    pub fn new(path: PathBuf) -> Options {
        Options {
            path,
            demo: false,
            lan: LanConfig::from_env(),
            report: None,
            sync_every: Duration::from_secs(60),
        }
    }
}

/// An open replica with its ways out, syncing in the background until it is closed.
pub struct Device {
    caucus: Arc<Caucus>,
    sync: tokio::task::JoinHandle<()>,
}

impl Device {
    /// Opens the replica (`passphrase` for an encrypted database: a wrong one is refused and
    /// changes nothing), loads the demo coalition if asked and the database is empty, and
    /// starts syncing in the background. Runs inside a Tokio runtime.
    pub async fn open(options: &Options, passphrase: Option<&str>) -> Result<Device> {
        Self::open_reporting(options, passphrase, &|_| {}).await
    }

    /// [`Device::open`], telling `progress` how a format upgrade of the file goes.
    pub async fn open_reporting(
        options: &Options,
        passphrase: Option<&str>,
        progress: &(dyn Fn(UpgradeProgress) + Sync),
    ) -> Result<Device> {
        let caucus = Caucus::open_reporting(&options.path, passphrase, progress).await?;
        if options.demo && caucus.get_session(NoInput {}).await?.empty {
            caucus.load_demo_data(NoInput {}).await?;
        }
        caucus.set_transport(Arc::new(HttpTransport::default()));
        caucus.set_meetings(Arc::new(LanMeetings::new(options.lan.clone())));
        if let Some(report) = &options.report {
            caucus.set_report_renderer(report.clone());
        }
        let caucus = Arc::new(caucus);
        let sync = tokio::spawn(caucus_core::api::sync::sync_in_background(
            caucus.clone(),
            options.sync_every,
        ));
        Ok(Device { caucus, sync })
    }

    /// The replica the commands act on.
    pub fn caucus(&self) -> &Arc<Caucus> {
        &self.caucus
    }

    /// Stops the background sync and closes the database: when this returns, the file can be
    /// copied or replaced.
    pub async fn close(self) {
        self.sync.abort();
        self.caucus.store().close().await;
    }
}

impl Drop for Device {
    fn drop(&mut self) {
        self.sync.abort();
    }
}

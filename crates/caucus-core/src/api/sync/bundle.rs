//! Bundles on a USB stick: writing the changes a peer lacks (or all of them) to a file, and
//! importing one. The file format and its checks are [`crate::sync::bundle`].

use crate::api::Caucus;
use crate::error::{CoreError, Result, SyncFailure};
use crate::store::sync_state::VersionVector;
use crate::sync::bundle::{Bundle, MAX_PAYLOAD};
use crate::sync::exchange::SyncPhase;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Write the changes a peer lacks (or everything) to a bundle file.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct ExportBundle {
    /// Where to write the file (an absolute path; its folder must exist).
    pub path: String,
    /// The peer device (its site id) the bundle is for: leaves out what it is known to hold,
    /// from the last bundle it sent here. None: everything.
    pub peer: Option<Uuid>,
}

/// Apply a bundle: from a file path, or from the file's contents (base64) as a file picker
/// hands them over.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct ImportBundle {
    pub path: Option<String>,
    pub content_base64: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct BundleSummary {
    pub path: Option<String>,
    /// The device that wrote the bundle.
    pub exporter: Uuid,
    pub changes: u32,
    pub bytes: f64,
    /// On import: changes new to this device, and changes it already had.
    pub applied: u32,
    pub duplicates: u32,
    /// On import: changes held back because their maker could not be traced to a device the
    /// coalition's hub certified (the Sync panel lists them; the hub decides).
    pub held: u32,
}

/// Changes applied per transaction on import, so progress can be shown. Everything is
/// checked before the first one.
const IMPORT_CHUNK: usize = 5_000;

impl Caucus {
    pub async fn export_bundle(&self, input: ExportBundle) -> Result<BundleSummary> {
        let path = super::file_to_write(&input.path, "the bundle")?;
        let pool = self.store().pool();
        let known = match input.peer {
            Some(peer) => crate::store::sync_state::peer_version(pool, peer).await?,
            None => VersionVector::new(),
        };
        let changes = crate::store::sync_state::changes_beyond(pool, &known).await?;
        let vv = crate::store::sync_state::version_vector(pool).await?;
        let key = self.device_key().await?;
        let site = self.store().site_id().await;
        // The certificates of the devices that made what it carries, so the importer can tell
        // who made each change.
        let sites: std::collections::BTreeSet<Uuid> = changes.iter().map(|c| c.site).collect();
        let mut certificates = Vec::new();
        for s in &sites {
            certificates.extend(crate::store::certificates::of_site(pool, *s).await?);
        }
        let sites: Vec<Uuid> = sites.into_iter().collect();
        let makers = crate::sync::bundle::Makers {
            certificates,
            guest_passes: crate::store::guest_passes::of_sites(pool, &sites).await?,
        };
        let bytes = Bundle::encode_certified(
            &key,
            self.home_hub_id().await?,
            site,
            crate::hlc::wall_ms(),
            vv,
            &changes,
            makers,
        )?;
        super::write_chosen_file(&path, &bytes, "the bundle")?;
        Ok(BundleSummary {
            path: Some(input.path),
            exporter: site,
            changes: changes.len() as u32,
            bytes: bytes.len() as f64,
            applied: 0,
            duplicates: 0,
            held: 0,
        })
    }

    pub async fn import_bundle(&self, input: ImportBundle) -> Result<BundleSummary> {
        use base64::Engine;
        let bytes = match (&input.path, &input.content_base64) {
            (Some(path), None) => super::read_chosen_file("path", path, MAX_PAYLOAD).await?,
            (None, Some(content)) => base64::engine::general_purpose::STANDARD
                .decode(content)
                .map_err(|_| CoreError::invalid("content_base64", "not base64"))?,
            (None, None) => {
                return Err(CoreError::invalid(
                    "path",
                    "give either the bundle's path or its contents",
                ))
            }
            (Some(_), Some(_)) => {
                return Err(CoreError::invalid(
                    "content_base64",
                    "give either the bundle's path or its contents, not both",
                ))
            }
        };
        let bundle = Bundle::decode(&bytes)?;
        if let (Some(theirs), Some(ours)) = (bundle.header.hub_id, self.home_hub_id().await?) {
            if theirs != ours {
                return Err(CoreError::sync(
                    SyncFailure::BundleForeign,
                    "this bundle comes from another coalition's hub; nothing was imported",
                ));
            }
        }
        // Every clock is checked before anything is applied.
        let now = crate::hlc::wall_ms();
        for c in &bundle.changes {
            crate::hlc::Clock::check_remote(c.hlc, now)?;
        }
        let total = bundle.changes.len() as u32;
        let (mut applied, mut duplicates, mut withheld) = (0, 0, 0);
        let result: Result<()> = async {
            let mut done = 0;
            for chunk in crate::sync::judge::batches(&bundle.changes, IMPORT_CHUNK) {
                // Who made each change (from the certificates it brings and those held here)
                // and whether they may: what fails is held back until the hub decides.
                let report = crate::sync::judge::merge_judged(
                    self.store(),
                    chunk,
                    &bundle.header.certificates,
                    &bundle.header.guest_passes,
                    now,
                    None,
                )
                .await?;
                applied += report.applied - report.held;
                withheld += report.held;
                duplicates += report.duplicates;
                done += chunk.len() as u32;
                self.sync
                    .progress
                    .report(SyncPhase::Importing, done, Some(total));
            }
            Ok(())
        }
        .await;
        self.sync.progress.set(None);
        result?;
        crate::store::sync_state::note_peer_version(
            self.store().pool(),
            bundle.header.exporter_site,
            &bundle.header.version_vector,
        )
        .await?;
        Ok(BundleSummary {
            path: input.path,
            exporter: bundle.header.exporter_site,
            changes: total,
            bytes: bytes.len() as f64,
            applied,
            duplicates,
            held: withheld,
        })
    }
}

//! A coalition started on this laptop, before it has a hub. The laptop makes the coalition's
//! key and id and certifies itself with them, as the new hub would: from its first minute it
//! can host a meeting that judges, and write bundles that trace to it. When the coalition sets
//! up its hub, the laptop saves the key to a file, the hub is started with it
//! (`caucus-hub adopt`), and once this laptop enrols there it forgets the key: the hub holds it.

use super::{HUB_CERTIFICATE, HUB_ID, HUB_KEY};
use crate::api::Caucus;
use crate::certificate::{Certificate, CoalitionKey};
use crate::error::{CoreError, Result, SyncFailure};
use crate::hlc;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The coalition's signing key (hex), held only by the laptop that started it, until its hub
/// does. A local setting: inside the encrypted database when it is encrypted.
pub(crate) const COALITION_KEY: &str = "coalition.key";

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct ExportCoalitionKey {
    /// Where to write the key file (an absolute path; its folder must exist).
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct CoalitionKeySaved {
    pub path: String,
    /// The coalition's id, which the hub prints when it starts.
    pub hub_id: Uuid,
}

impl Caucus {
    /// Makes this laptop the coalition's first certifier: a new coalition key and id, and a
    /// certificate for this device as `founder`.
    pub(crate) async fn found_coalition(&self, founder: Uuid) -> Result<()> {
        let s = self.store();
        let key = ed25519_dalek::SigningKey::from_bytes(&rand::random());
        let hub = Uuid::now_v7();
        let device = s.device_key().await.verifying_key();
        let certificate = Certificate::issue(
            &key,
            hub,
            founder,
            s.site_id().await,
            &device,
            hlc::wall_ms(),
        );
        // A certificate is plain fields: encoding it cannot fail.
        let body = serde_json::to_string(&certificate).unwrap_or_default();
        let public = hex::encode(key.verifying_key().to_bytes());
        s.set_local_setting(COALITION_KEY, Some(&hex::encode(key.to_bytes())))
            .await?;
        s.set_local_setting(HUB_ID, Some(&hub.to_string())).await?;
        s.set_local_setting(HUB_KEY, Some(&public)).await?;
        s.set_local_setting(HUB_CERTIFICATE, Some(&body)).await?;
        crate::store::certificates::remember(
            s.pool(),
            (hub, &key.verifying_key()),
            std::slice::from_ref(&certificate),
            hlc::wall_ms(),
        )
        .await?;
        Ok(())
    }

    /// Whether this laptop holds its coalition's key (it started the coalition, and has not
    /// enrolled with the hub that took the key over).
    pub(crate) async fn holds_coalition_key(&self) -> Result<bool> {
        Ok(self.store().local_setting(COALITION_KEY).await?.is_some())
    }

    /// Writes the coalition's key to a file, to start its hub with (`caucus-hub adopt --db
    /// URL --key FILE`, which prints an invite for the founder). Only the owner may read it.
    pub async fn export_coalition_key(
        &self,
        input: ExportCoalitionKey,
    ) -> Result<CoalitionKeySaved> {
        let path = super::file_to_write(&input.path, "the key")?;
        let s = self.store();
        let (Some(signing_key), Some(hub_id)) = (
            s.local_setting(COALITION_KEY).await?,
            s.local_setting(HUB_ID).await?,
        ) else {
            return Err(CoreError::conflict(
                "this laptop does not hold its coalition's key: the coalition's hub does",
            ));
        };
        let damaged = || CoreError::conflict("this laptop's record of its coalition is damaged");
        let hub_id = Uuid::parse_str(&hub_id).map_err(|_| damaged())?;
        let founder = self.acting_person_id().await?.ok_or_else(damaged)?;
        let file = CoalitionKey {
            format: CoalitionKey::FORMAT.into(),
            hub_id,
            signing_key,
            founder,
        };
        let body = serde_json::to_vec_pretty(&file).map_err(|_| damaged())?;
        write_private(&path, &body)
            .map_err(|e| CoreError::invalid("path", format!("cannot write the key there: {e}")))?;
        Ok(CoalitionKeySaved {
            path: path.to_string_lossy().into_owned(),
            hub_id,
        })
    }

    /// Before a founding laptop enrols: the hub must be the one started with its key, and
    /// must enrol it as its founder. Afterwards the laptop forgets the key.
    pub(crate) async fn check_founder_enrolment(
        &self,
        reply: &crate::sync::protocol::EnrolReply,
    ) -> Result<()> {
        let s = self.store();
        let Some(secret) = s.local_setting(COALITION_KEY).await? else {
            return Ok(());
        };
        let ours = s.local_setting(HUB_ID).await?;
        let public = s.local_setting(HUB_KEY).await?;
        let same_hub = ours.as_deref() == Some(&reply.hub_id.to_string())
            && public.is_some_and(|k| k.eq_ignore_ascii_case(&reply.hub_key));
        if !same_hub || secret.is_empty() {
            return Err(CoreError::sync(
                SyncFailure::Hub,
                "this hub was not started with your coalition's key: save the key (Sync, \
                 \"Set up the coalition's hub\") and start the hub with caucus-hub adopt",
            ));
        }
        if self.acting_person_id().await? != Some(reply.person_id) {
            return Err(CoreError::sync(
                SyncFailure::Hub,
                "that invite is for someone else: use the invite caucus-hub adopt printed",
            ));
        }
        Ok(())
    }

    pub(crate) async fn forget_coalition_key(&self) -> Result<()> {
        self.store().set_local_setting(COALITION_KEY, None).await
    }
}

/// Creates `path` readable by its owner only (where the system has such a thing).
fn write_private(path: &std::path::Path, body: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(body)?;
    file.sync_all()
}

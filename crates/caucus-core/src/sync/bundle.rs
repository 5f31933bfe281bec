//! Bundles: changes carried on a USB stick between devices that cannot reach each other.
//!
//! A bundle is `MAGIC`, the header's length (u32, little endian), the header (JSON), an
//! ed25519 signature of magic and header by the exporting device, then the payload: the
//! changes as a JSON array, zstd-compressed. The header carries the hub's certificates of the
//! devices that made the changes, as the exporter holds them: the signature proves the file
//! is whole; the certificates let the importer tell who made each change
//! ([`crate::sync::judge`]). The header holds the payload's length and
//! SHA-256, so the signature covers every byte. [`Bundle::decode`] checks all of it before
//! anything is applied: a truncated, altered or re-signed-elsewhere file applies nothing.
//! Importing is a merge, so importing twice or out of order changes nothing more.

use super::SyncFailure;
use crate::change::Change;
use crate::error::{CoreError, Result};
use crate::store::sync_state::VersionVector;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Read;
use uuid::Uuid;

pub const MAGIC: &[u8; 8] = b"CAUCUSB1";
/// The header is small; anything larger is not a bundle.
const MAX_HEADER: usize = 1 << 20;
/// Decompressed payload bound, against decompression bombs (about 2 million changes).
pub const MAX_PAYLOAD: u64 = 1 << 30;
/// Format 2 carries certificates; a format-1 bundle is refused as another version's.
pub const FORMAT: u32 = 2;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    pub format: u32,
    /// The hub the exporter belongs to (none for a device that never enrolled).
    pub hub_id: Option<Uuid>,
    pub exporter_site: Uuid,
    /// The exporter's ed25519 public key, hex.
    pub public_key: String,
    pub created_ms: u64,
    pub change_count: u64,
    /// Compressed payload length and SHA-256 (hex).
    pub payload_len: u64,
    pub payload_sha256: String,
    /// What the exporter held when it wrote the bundle.
    pub version_vector: VersionVector,
    /// The hub's certificates of the devices whose changes the bundle holds, as far as the
    /// exporter knows them.
    #[serde(default)]
    pub certificates: Vec<crate::certificate::Certificate>,
    /// The passes of the guests at meetings whose changes the bundle holds: a guest has no
    /// certificate.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub guest_passes: Vec<crate::guest_pass::GuestPass>,
}

/// What tells an importer who made a bundle's changes: the hub's certificates of their
/// devices, and the passes of the guests among them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Makers {
    /// The hub's certificates of the devices that made the changes.
    pub certificates: Vec<crate::certificate::Certificate>,
    /// The passes of the guests that made some of them.
    pub guest_passes: Vec<crate::guest_pass::GuestPass>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Bundle {
    pub header: Header,
    pub changes: Vec<Change>,
}

fn damaged(reason: impl Into<String>) -> CoreError {
    CoreError::sync(SyncFailure::BundleDamaged, reason)
}

impl Bundle {
    /// Writes and signs a bundle.
    pub fn encode(
        key: &SigningKey,
        hub_id: Option<Uuid>,
        exporter_site: Uuid,
        created_ms: u64,
        version_vector: VersionVector,
        changes: &[Change],
    ) -> Result<Vec<u8>> {
        Self::encode_certified(
            key,
            hub_id,
            exporter_site,
            created_ms,
            version_vector,
            changes,
            Makers::default(),
        )
    }

    /// [`Bundle::encode`], with what tells who made the changes.
    pub fn encode_certified(
        key: &SigningKey,
        hub_id: Option<Uuid>,
        exporter_site: Uuid,
        created_ms: u64,
        version_vector: VersionVector,
        changes: &[Change],
        makers: Makers,
    ) -> Result<Vec<u8>> {
        let json = serde_json::to_vec(changes).map_err(|e| damaged(e.to_string()))?;
        let payload = zstd::encode_all(json.as_slice(), 3).map_err(|e| damaged(e.to_string()))?;
        Self::seal_certified(
            key,
            hub_id,
            exporter_site,
            created_ms,
            version_vector,
            changes.len() as u64,
            &payload,
            makers,
        )
    }

    /// Wraps an already compressed payload in a signed bundle. [`Bundle::encode`] uses it;
    /// so does fuzzing, to reach the payload decoder behind the signature.
    pub fn seal(
        key: &SigningKey,
        hub_id: Option<Uuid>,
        exporter_site: Uuid,
        created_ms: u64,
        version_vector: VersionVector,
        change_count: u64,
        payload: &[u8],
    ) -> Result<Vec<u8>> {
        Self::seal_certified(
            key,
            hub_id,
            exporter_site,
            created_ms,
            version_vector,
            change_count,
            payload,
            Makers::default(),
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn seal_certified(
        key: &SigningKey,
        hub_id: Option<Uuid>,
        exporter_site: Uuid,
        created_ms: u64,
        version_vector: VersionVector,
        change_count: u64,
        payload: &[u8],
        makers: Makers,
    ) -> Result<Vec<u8>> {
        let header = Header {
            format: FORMAT,
            hub_id,
            exporter_site,
            public_key: hex::encode(key.verifying_key().to_bytes()),
            created_ms,
            change_count,
            payload_len: payload.len() as u64,
            payload_sha256: hex::encode(Sha256::digest(payload)),
            version_vector,
            certificates: makers.certificates,
            guest_passes: makers.guest_passes,
        };
        let header = serde_json::to_vec(&header).map_err(|e| damaged(e.to_string()))?;
        let mut signed = MAGIC.to_vec();
        signed.extend_from_slice(&header);
        let signature = key.sign(&signed);
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&(header.len() as u32).to_le_bytes());
        out.extend_from_slice(&header);
        out.extend_from_slice(&signature.to_bytes());
        out.extend_from_slice(payload);
        Ok(out)
    }

    /// Reads and checks a bundle: structure, signature, payload hash, size bounds, and the
    /// change count. Never panics and never allocates beyond the bounds, whatever the bytes.
    pub fn decode(bytes: &[u8]) -> Result<Bundle> {
        let rest = bytes
            .strip_prefix(MAGIC.as_slice())
            .ok_or_else(|| damaged("this file is not a Caucus bundle"))?;
        let (len, rest) = rest
            .split_first_chunk::<4>()
            .ok_or_else(|| damaged("the bundle is truncated"))?;
        let header_len = u32::from_le_bytes(*len) as usize;
        if header_len > MAX_HEADER || header_len > rest.len() {
            return Err(damaged("the bundle is truncated or its header is damaged"));
        }
        let (header_bytes, rest) = rest.split_at(header_len);
        let header: Header = serde_json::from_slice(header_bytes)
            .map_err(|_| damaged("the bundle's header is damaged"))?;
        if header.format != FORMAT {
            return Err(CoreError::sync(
                SyncFailure::VersionMismatch,
                "this bundle was written by another version of Caucus",
            ));
        }
        let (signature, payload) = rest
            .split_first_chunk::<64>()
            .ok_or_else(|| damaged("the bundle is truncated"))?;
        let key: [u8; 32] = hex::decode(&header.public_key)
            .ok()
            .and_then(|k| k.try_into().ok())
            .ok_or_else(|| damaged("the bundle's device key is damaged"))?;
        let key = VerifyingKey::from_bytes(&key)
            .map_err(|_| damaged("the bundle's device key is damaged"))?;
        let mut signed = MAGIC.to_vec();
        signed.extend_from_slice(header_bytes);
        key.verify(&signed, &Signature::from_bytes(signature))
            .map_err(|_| damaged("the bundle's signature does not match: it was altered"))?;
        if payload.len() as u64 != header.payload_len {
            return Err(damaged("the bundle is truncated"));
        }
        if hex::encode(Sha256::digest(payload)) != header.payload_sha256 {
            return Err(damaged("the bundle's contents were altered"));
        }
        let mut json = Vec::new();
        zstd::stream::read::Decoder::new(payload)
            .map_err(|_| damaged("the bundle's contents are damaged"))?
            .take(MAX_PAYLOAD + 1)
            .read_to_end(&mut json)
            .map_err(|_| damaged("the bundle's contents are damaged"))?;
        if json.len() as u64 > MAX_PAYLOAD {
            return Err(damaged("the bundle is larger than Caucus imports at once"));
        }
        let changes: Vec<Change> = serde_json::from_slice(&json)
            .map_err(|_| damaged("the bundle's contents are damaged"))?;
        if changes.len() as u64 != header.change_count {
            return Err(damaged("the bundle's change count does not match"));
        }
        Ok(Bundle { header, changes })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hlc::Hlc;

    fn sample() -> (SigningKey, Vec<u8>) {
        let key = SigningKey::from_bytes(&[7; 32]);
        let change = Change {
            site: Uuid::now_v7(),
            seq: 1,
            hlc: Hlc(1 << 20),
            actor: None,
            bucket: "coalition".into(),
            table: "organization".into(),
            row: Uuid::now_v7(),
            column: "name".into(),
            value: serde_json::json!("Amnesty International"),
            cl: 1,
            schema_version: 1,
            signature: None,
        };
        let bytes = Bundle::encode(&key, None, change.site, 5, Default::default(), &[change])
            .expect("encode");
        (key, bytes)
    }

    #[test]
    fn round_trip() {
        let (_, bytes) = sample();
        let bundle = Bundle::decode(&bytes).expect("a bundle just written decodes");
        assert_eq!(bundle.changes.len(), 1);
    }

    #[test]
    fn every_truncation_and_every_flipped_byte_is_refused() {
        let (_, bytes) = sample();
        for n in 0..bytes.len() {
            assert!(
                Bundle::decode(&bytes[..n]).is_err(),
                "truncated at {n} must be refused"
            );
        }
        for i in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 0x40;
            assert!(
                Bundle::decode(&bad).is_err(),
                "byte {i} flipped must be refused"
            );
        }
    }
}

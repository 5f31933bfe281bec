//! A device is one person: the certificate a hub gives a device at enrolment.
//!
//! It binds the device's signing key and its site (the `site` of every change it makes) to the
//! person it acts for, within one hub's coalition, for a time, under the hub's own signature.
//! Whoever holds the hub's public key (every device has it from its enrolment) can then tell,
//! with no hub in reach, who made a change that a meeting host or a USB bundle carries: the
//! change's span is signed by the key ([`crate::signature`]), the key is the person's by the
//! certificate. A certificate proves nothing about rights; those are judged on the records.

use crate::error::{CoreError, Result};
use ed25519_dalek::{Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How long a certificate is valid: a year, so a lost laptop's stops being believed even where
/// its revocation has not travelled yet.
pub const VALID_MS: u64 = 365 * 86_400_000;

/// A certificate is small; anything longer is not one.
pub const MAX_BYTES: usize = 2048;

/// A hub's statement that a device key and site act for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Certificate {
    /// The hub (coalition) that issued it.
    pub hub: Uuid,
    /// The person the device acts for.
    pub person: Uuid,
    /// The device's site: the `site` of every change it makes.
    pub site: Uuid,
    /// The device's ed25519 public key, hex.
    pub device_key: String,
    /// When it was issued, in ms since the epoch.
    pub issued_ms: u64,
    /// When it stops being valid, in ms since the epoch.
    pub expires_ms: u64,
    /// The hub's ed25519 signature over [`Certificate::message`], hex.
    pub signature: String,
}

/// Why a certificate is not believed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// It does not decode, or a key or signature in it is not one.
    Malformed,
    /// Another coalition's hub issued it.
    ForeignHub,
    /// The hub's signature does not match: forged or altered.
    Forged,
    /// It expired (or is not valid yet).
    Expired,
}

impl Refusal {
    /// The reason in words, for the Sync panel's quarantine and the logs.
    pub fn reason(self) -> &'static str {
        match self {
            Refusal::Malformed => "the device certificate is damaged",
            Refusal::ForeignHub => "the device certificate is from another coalition's hub",
            Refusal::Forged => "the device certificate is not signed by the coalition's hub",
            Refusal::Expired => "the device certificate has expired",
        }
    }
}

/// A signed statement someone handed over, as JSON of at most [`MAX_BYTES`]; `field` names it
/// in the refusal.
pub(crate) fn decode_bounded<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    field: &str,
) -> Result<T> {
    if bytes.len() > MAX_BYTES {
        return Err(CoreError::invalid(
            field.to_string(),
            format!("longer than any {}", field.replace('_', " ")),
        ));
    }
    serde_json::from_slice(bytes).map_err(|e| CoreError::invalid(field.to_string(), e.to_string()))
}

/// A hex ed25519 signature.
pub(crate) fn signature_of(
    hex_signature: &str,
) -> std::result::Result<ed25519_dalek::Signature, Refusal> {
    let bytes: [u8; 64] = hex::decode(hex_signature)
        .ok()
        .and_then(|s| s.try_into().ok())
        .ok_or(Refusal::Malformed)?;
    Ok(ed25519_dalek::Signature::from_bytes(&bytes))
}

/// Whether `key` signed `message` with `signature`, and `now_ms` falls in `[issued, expires)`.
pub(crate) fn signed_and_valid(
    key: &VerifyingKey,
    message: &[u8],
    signature: &ed25519_dalek::Signature,
    (issued_ms, expires_ms): (u64, u64),
    now_ms: u64,
) -> std::result::Result<(), Refusal> {
    key.verify(message, signature)
        .map_err(|_| Refusal::Forged)?;
    if now_ms < issued_ms || now_ms >= expires_ms {
        return Err(Refusal::Expired);
    }
    Ok(())
}

/// A hex ed25519 public key.
pub fn decode_key(hex_key: &str) -> Option<VerifyingKey> {
    let bytes: [u8; 32] = hex::decode(hex_key).ok()?.try_into().ok()?;
    VerifyingKey::from_bytes(&bytes).ok()
}

/// The key of a coalition started on a laptop, written to a file for the coalition's hub to
/// be started with (`caucus-hub adopt`): the hub then certifies devices under the same id and
/// key, so the certificate the laptop gave itself stays good, and so do its bundles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoalitionKey {
    /// Always [`CoalitionKey::FORMAT`].
    pub format: String,
    /// The id every certificate and bundle of the coalition names.
    pub hub_id: Uuid,
    /// The ed25519 signing key, hex: whoever holds it can certify devices for the coalition.
    pub signing_key: String,
    /// The person who started the coalition, whom the hub invites first.
    pub founder: Uuid,
}

impl CoalitionKey {
    /// What a key file says it is, so a wrong file is refused by name.
    pub const FORMAT: &'static str = "caucus-coalition-key-v1";

    /// Reads a key file; refuses anything else with the reason.
    pub fn decode(bytes: &[u8]) -> Result<(CoalitionKey, SigningKey)> {
        if bytes.len() > MAX_BYTES {
            return Err(CoreError::invalid(
                "coalition_key",
                "longer than any key file",
            ));
        }
        let file: CoalitionKey = serde_json::from_slice(bytes)
            .map_err(|e| CoreError::invalid("coalition_key", format!("not a key file: {e}")))?;
        if file.format != Self::FORMAT {
            return Err(CoreError::invalid(
                "coalition_key",
                "not a coalition key file of this version of Caucus",
            ));
        }
        let key: [u8; 32] = hex::decode(&file.signing_key)
            .ok()
            .and_then(|k| k.try_into().ok())
            .ok_or_else(|| CoreError::invalid("coalition_key", "the key in the file is damaged"))?;
        Ok((file, SigningKey::from_bytes(&key)))
    }
}

impl Certificate {
    /// The hub `hub` (signing with `hub_key`) certifies that `device_key` and `site` act for
    /// `person` from `now_ms` for [`VALID_MS`].
    pub fn issue(
        hub_key: &SigningKey,
        hub: Uuid,
        person: Uuid,
        site: Uuid,
        device_key: &VerifyingKey,
        now_ms: u64,
    ) -> Certificate {
        let mut certificate = Certificate {
            hub,
            person,
            site,
            device_key: hex::encode(device_key.to_bytes()),
            issued_ms: now_ms,
            expires_ms: now_ms.saturating_add(VALID_MS),
            signature: String::new(),
        };
        certificate.signature = hex::encode(hub_key.sign(&certificate.message()).to_bytes());
        certificate
    }

    /// The bytes the hub signs: a domain tag and every field but the signature, one per line.
    pub fn message(&self) -> Vec<u8> {
        format!(
            "caucus-certificate-v1\n{}\n{}\n{}\n{}\n{}\n{}\n",
            self.hub,
            self.person,
            self.site,
            self.device_key.to_ascii_lowercase(),
            self.issued_ms,
            self.expires_ms
        )
        .into_bytes()
    }

    /// Reads a certificate someone handed over (a bundle, a meeting peer, a hub's reply).
    pub fn decode(bytes: &[u8]) -> Result<Certificate> {
        decode_bounded(bytes, "certificate")
    }

    /// Whether the hub `hub`, whose public key is `hub_key`, issued this certificate and it is
    /// valid at `now_ms`; gives the device's key when it is.
    pub fn verify(
        &self,
        hub: Uuid,
        hub_key: &VerifyingKey,
        now_ms: u64,
    ) -> std::result::Result<VerifyingKey, Refusal> {
        let device = decode_key(&self.device_key).ok_or(Refusal::Malformed)?;
        let signature = signature_of(&self.signature)?;
        if self.hub != hub {
            return Err(Refusal::ForeignHub);
        }
        signed_and_valid(
            hub_key,
            &self.message(),
            &signature,
            (self.issued_ms, self.expires_ms),
            now_ms,
        )?;
        Ok(device)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> (SigningKey, SigningKey) {
        (
            SigningKey::from_bytes(&[1; 32]),
            SigningKey::from_bytes(&[2; 32]),
        )
    }

    #[test]
    fn a_certificate_the_hub_issued_is_believed_until_it_expires() {
        let (hub_key, device_key) = keys();
        let hub = Uuid::now_v7();
        let now = 1_800_000_000_000;
        let c = Certificate::issue(
            &hub_key,
            hub,
            Uuid::now_v7(),
            Uuid::now_v7(),
            &device_key.verifying_key(),
            now,
        );
        assert_eq!(
            c.verify(hub, &hub_key.verifying_key(), now + 1),
            Ok(device_key.verifying_key())
        );
        assert_eq!(
            c.verify(hub, &hub_key.verifying_key(), now + VALID_MS),
            Err(Refusal::Expired)
        );
        let json = serde_json::to_vec(&c).expect("json");
        assert_eq!(Certificate::decode(&json).expect("decodes"), c);
    }

    #[test]
    fn an_altered_forged_or_foreign_certificate_is_refused() {
        let (hub_key, device_key) = keys();
        let hub = Uuid::now_v7();
        let now = 1_800_000_000_000;
        let c = Certificate::issue(
            &hub_key,
            hub,
            Uuid::now_v7(),
            Uuid::now_v7(),
            &device_key.verifying_key(),
            now,
        );
        let public = hub_key.verifying_key();
        let other_person = Certificate {
            person: Uuid::now_v7(),
            ..c.clone()
        };
        assert_eq!(
            other_person.verify(hub, &public, now),
            Err(Refusal::Forged),
            "claiming another person breaks the signature"
        );
        let longer = Certificate {
            expires_ms: c.expires_ms + VALID_MS,
            ..c.clone()
        };
        assert_eq!(longer.verify(hub, &public, now), Err(Refusal::Forged));
        let self_signed = Certificate::issue(
            &device_key,
            hub,
            c.person,
            c.site,
            &device_key.verifying_key(),
            now,
        );
        assert_eq!(
            self_signed.verify(hub, &public, now),
            Err(Refusal::Forged),
            "a device cannot certify itself"
        );
        assert_eq!(
            c.verify(Uuid::now_v7(), &public, now),
            Err(Refusal::ForeignHub)
        );
        let damaged = Certificate {
            signature: "zz".into(),
            ..c
        };
        assert_eq!(damaged.verify(hub, &public, now), Err(Refusal::Malformed));
        assert!(Certificate::decode(&[b' '; MAX_BYTES + 1]).is_err());
    }
}

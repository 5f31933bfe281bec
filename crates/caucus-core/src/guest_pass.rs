//! A guest at a meeting: the pass a meeting's host gives a laptop that is nobody of the
//! coalition, when the host's person lets it in by the name it gave.
//!
//! The pass binds the guest's device key and site to one meeting record, for the day, under
//! the signature of the host's device, whose own certificate the coalition's hub signed. So
//! whoever holds that certificate (the hub, and every device that received the host's changes)
//! can tell with no hub in reach that a change the guest's key signed is a guest's, let in by
//! that host, to that meeting; what a guest may write is judged on the records
//! ([`crate::sync::authority`]), as for everyone.

use crate::certificate::{decode_bounded, decode_key, signature_of, signed_and_valid, Refusal};
use crate::error::Result;
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How long a pass is valid: a long meeting day, as the pairing code.
pub const VALID_MS: u64 = 12 * 3_600_000;

/// A host's statement that a guest's device was let in to a meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuestPass {
    /// The meeting record the guest was let in to.
    pub meeting: Uuid,
    /// The name the guest gave, which the host let in.
    pub name: String,
    /// The id the guest acts under ([`guest_person`] of its key): nobody of the coalition.
    pub person: Uuid,
    /// The guest device's site: the `site` of every change it makes.
    pub site: Uuid,
    /// The guest device's ed25519 public key, hex.
    pub device_key: String,
    /// The host's device site, whose certificate names the key that signed the pass.
    pub host_site: Uuid,
    /// When it was issued, in ms since the epoch.
    pub issued_ms: u64,
    /// When it stops being valid, in ms since the epoch.
    pub expires_ms: u64,
    /// The host device's ed25519 signature over [`GuestPass::message`], hex.
    pub signature: String,
}

/// The id a guest's device acts under: derived from its key, so it is the same each time the
/// guest asks, and names nobody of the coalition.
pub fn guest_person(key: &VerifyingKey) -> Uuid {
    Uuid::new_v5(
        &Uuid::NAMESPACE_OID,
        &[b"caucus-guest:".as_slice(), key.as_bytes()].concat(),
    )
}

/// What a pass is about, before the host signs it.
#[derive(Debug, Clone)]
pub struct Admission<'a> {
    /// The meeting record the host shares.
    pub meeting: Uuid,
    /// The name the guest gave.
    pub name: &'a str,
    /// The guest device's site.
    pub site: Uuid,
    /// The guest device's key.
    pub device_key: &'a VerifyingKey,
    /// The host device's site.
    pub host_site: Uuid,
}

impl GuestPass {
    /// The host's device (signing with `host_key`) lets a guest in from `now_ms` for
    /// [`VALID_MS`].
    pub fn issue(host_key: &SigningKey, admission: Admission<'_>, now_ms: u64) -> GuestPass {
        let mut pass = GuestPass {
            meeting: admission.meeting,
            name: admission.name.to_string(),
            person: guest_person(admission.device_key),
            site: admission.site,
            device_key: hex::encode(admission.device_key.to_bytes()),
            host_site: admission.host_site,
            issued_ms: now_ms,
            expires_ms: now_ms.saturating_add(VALID_MS),
            signature: String::new(),
        };
        pass.signature = hex::encode(host_key.sign(&pass.message()).to_bytes());
        pass
    }

    /// The bytes the host signs: a domain tag and every field but the signature, one per
    /// line (the name last, as JSON, so no name can pass for another field).
    pub fn message(&self) -> Vec<u8> {
        format!(
            "caucus-guest-pass-v1\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n",
            self.meeting,
            self.person,
            self.site,
            self.device_key.to_ascii_lowercase(),
            self.host_site,
            self.issued_ms,
            self.expires_ms,
            serde_json::Value::String(self.name.clone()),
        )
        .into_bytes()
    }

    /// Reads a pass someone handed over (a meeting's reply, a peer, a device's push).
    pub fn decode(bytes: &[u8]) -> Result<GuestPass> {
        decode_bounded(bytes, "guest_pass")
    }

    /// Whether the host device whose key is `host_key` signed this pass, it names the key its
    /// person derives from, and it is valid at `now_ms`; gives the guest's key when it is.
    pub fn verify(
        &self,
        host_key: &VerifyingKey,
        now_ms: u64,
    ) -> std::result::Result<VerifyingKey, Refusal> {
        let guest = decode_key(&self.device_key).ok_or(Refusal::Malformed)?;
        let signature = signature_of(&self.signature)?;
        if guest_person(&guest) != self.person {
            return Err(Refusal::Forged);
        }
        signed_and_valid(
            host_key,
            &self.message(),
            &signature,
            (self.issued_ms, self.expires_ms),
            now_ms,
        )?;
        Ok(guest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pass_is_believed_under_its_hosts_key_for_the_day_and_not_altered() {
        let host = SigningKey::from_bytes(&[3; 32]);
        let guest = SigningKey::from_bytes(&[4; 32]).verifying_key();
        let now = 1_800_000_000_000;
        let pass = GuestPass::issue(
            &host,
            Admission {
                meeting: Uuid::now_v7(),
                name: "Amal Haddad",
                site: Uuid::now_v7(),
                device_key: &guest,
                host_site: Uuid::now_v7(),
            },
            now,
        );
        let public = host.verifying_key();
        assert_eq!(pass.verify(&public, now + 1), Ok(guest));
        assert_eq!(pass.verify(&public, now + VALID_MS), Err(Refusal::Expired));
        let renamed = GuestPass {
            name: "Someone else".into(),
            ..pass.clone()
        };
        assert_eq!(renamed.verify(&public, now), Err(Refusal::Forged));
        let elsewhere = GuestPass {
            meeting: Uuid::now_v7(),
            ..pass.clone()
        };
        assert_eq!(elsewhere.verify(&public, now), Err(Refusal::Forged));
        let claimed = GuestPass {
            person: Uuid::now_v7(),
            ..pass.clone()
        };
        assert_eq!(
            claimed.verify(&public, now),
            Err(Refusal::Forged),
            "a guest is nobody of the coalition, whatever the pass claims"
        );
        let self_made = GuestPass::issue(
            &SigningKey::from_bytes(&[4; 32]),
            Admission {
                meeting: pass.meeting,
                name: "Amal Haddad",
                site: pass.site,
                device_key: &guest,
                host_site: pass.host_site,
            },
            now,
        );
        assert_eq!(self_made.verify(&public, now), Err(Refusal::Forged));
        let json = serde_json::to_vec(&pass).expect("json");
        assert_eq!(GuestPass::decode(&json).expect("decodes"), pass);
        assert!(GuestPass::decode(&[b' '; crate::certificate::MAX_BYTES + 1]).is_err());
    }
}

//! Enrolled devices and the invites that enrol them: a single-use invite for a person, a
//! meeting's reusable pairing code, the token every request carries, revocation.

use super::*;
use caucus_core::certificate::Certificate;

/// Invite codes: ten characters from an alphabet without look-alikes, shown as two groups.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

fn normalize_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn new_code(len: usize) -> String {
    let raw: String = (0..len)
        .map(|_| CODE_ALPHABET[rand::random_range(0..CODE_ALPHABET.len())] as char)
        .collect();
    if len > 6 {
        format!("{}-{}", &raw[..len / 2], &raw[len / 2..])
    } else {
        raw
    }
}

impl HubDb {
    /// Creates an invite for `person` (none: the device says who it is, for a meeting host),
    /// valid for `ttl_ms`, and returns the code to hand over. Only its hash is stored.
    pub async fn create_invite(
        &self,
        person: Option<Uuid>,
        ttl_ms: u64,
        reusable: bool,
        now_ms: u64,
    ) -> Result<String> {
        let code = new_code(if reusable { 6 } else { 10 });
        sqlx::query(
            "INSERT INTO hub_invite (code_hash, person_id, created_ms, expires_ms, reusable)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(hash(&normalize_code(&code)))
        .bind(person.map(|p| p.to_string()))
        .bind(now_ms as i64)
        .bind(now_ms.saturating_add(ttl_ms) as i64)
        .bind(reusable as i64)
        .execute(&self.pool)
        .await?;
        Ok(code)
    }

    /// Redeems an invite: a single-use one is marked used in the same statement that checks
    /// it, so two devices racing with one code cannot both enrol.
    pub async fn enrol(&self, request: &EnrolRequest, now_ms: u64) -> Result<EnrolReply> {
        let code_hash = hash(&normalize_code(&request.invite_code));
        let device_key =
            caucus_core::certificate::decode_key(&request.public_key).ok_or_else(|| {
                HubError::Invalid("the device key is not an ed25519 public key".into())
            })?;
        let public_key = device_key.to_bytes();
        let name = request.device_name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(HubError::Invalid(
                "give the device a name of at most 100 characters".into(),
            ));
        }
        let mut tx = self.pool.begin().await?;
        let invite = sqlx::query(
            "SELECT person_id, reusable FROM hub_invite
             WHERE code_hash = $1 AND expires_ms > $2 AND (used_ms IS NULL OR reusable = 1)",
        )
        .bind(&code_hash)
        .bind(now_ms as i64)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(HubError::InvalidInvite)?;
        let invited: Option<String> = invite.try_get("person_id")?;
        let used = sqlx::query(
            "UPDATE hub_invite SET used_ms = $1
             WHERE code_hash = $2 AND (used_ms IS NULL OR reusable = 1)",
        )
        .bind(now_ms as i64)
        .bind(&code_hash)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if used != 1 {
            return Err(HubError::InvalidInvite);
        }
        let mut guest_pass = None;
        let person = match invited.as_deref().map(Uuid::parse_str) {
            Some(Ok(p)) => p,
            Some(Err(_)) => return Err(HubError::InvalidInvite),
            // A laptop with no certificate, at a meeting: a guest, let in by the host.
            None if self.policy != Policy::Authorize
                && request.certificate.is_none()
                && request.person_id.is_none() =>
            {
                let name = request.guest_name.as_deref().unwrap_or_default();
                let (guest, pass) = self.guest_enrols(&device_key, request.site, name, now_ms)?;
                guest_pass = pass;
                guest
            }
            None if self.policy == Policy::Meeting => self.admit(request, &device_key, now_ms)?,
            None => request
                .person_id
                .ok_or_else(|| HubError::Invalid("say who this device acts as".into()))?,
        };
        // A site is one person's: the changes it makes are judged by that person's rights, so
        // no one may enrol a copy of the records already enrolled for someone else.
        let bound: Vec<String> =
            sqlx::query_scalar("SELECT person_id FROM hub_device WHERE site = $1")
                .bind(request.site.to_string())
                .fetch_all(&mut *tx)
                .await?;
        if bound.iter().any(|p| *p != person.to_string()) {
            return Err(HubError::Invalid(
                "this device's copy of the coalition is enrolled for someone else: a device is \
                 one person's"
                    .into(),
            ));
        }
        if let (Some(c), Policy::Relay | Policy::Meeting) = (&request.certificate, self.policy) {
            self.present(c);
        }
        let device_id = Uuid::now_v7();
        let token = hex::encode(rand::random::<[u8; 32]>());
        sqlx::query(
            "INSERT INTO hub_device (id, person_id, site, name, public_key, token_hash, enrolled_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(device_id.to_string())
        .bind(person.to_string())
        .bind(request.site.to_string())
        .bind(name)
        .bind(hex::encode(public_key))
        .bind(hash(&token))
        .bind(now_ms as i64)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(EnrolReply {
            device_id,
            token,
            hub_id: self.hub_id,
            person_id: person,
            certificate: Certificate::issue(
                &self.key,
                self.hub_id,
                person,
                request.site,
                &device_key,
                now_ms,
            ),
            hub_key: hex::encode(self.key.verifying_key().to_bytes()),
            guest_pass,
        })
    }

    /// A meeting admits a device as the person its certificate from the coalition's hub
    /// names, and remembers the certificate to pass on with what the device sends.
    fn admit(
        &self,
        request: &EnrolRequest,
        device_key: &ed25519_dalek::VerifyingKey,
        now_ms: u64,
    ) -> Result<Uuid> {
        let mut trust = self.meeting.lock().unwrap_or_else(|p| p.into_inner());
        let Some(trust) = trust.as_mut() else {
            return Err(HubError::Invalid(
                "this meeting does not know its coalition yet".into(),
            ));
        };
        let Some(certificate) = &request.certificate else {
            return Err(HubError::Invalid(
                "this laptop has not joined the coalition yet: join the meeting as a guest, or \
                 connect it to the coalition's hub with an invite first"
                    .into(),
            ));
        };
        let certified = certificate
            .verify(trust.hub_id, &trust.hub_key, now_ms)
            .map_err(|why| {
                HubError::Invalid(format!("this laptop's certificate: {}", why.reason()))
            })?;
        if certified != *device_key || certificate.site != request.site {
            return Err(HubError::Invalid(
                "this laptop's certificate is another device's".into(),
            ));
        }
        let removed = hex::encode(device_key.to_bytes());
        if trust
            .revoked
            .iter()
            .any(|r| r.device_key.eq_ignore_ascii_case(&removed))
        {
            return Err(HubError::Revoked);
        }
        Ok(certificate.person)
    }

    /// The device a bearer token belongs to. Checked on every request, so a revocation takes
    /// effect on the next one.
    pub async fn device_by_token(&self, token: &str) -> Result<Device> {
        let row = sqlx::query(
            "SELECT id, person_id, site, public_key, revoked_ms FROM hub_device WHERE token_hash = $1",
        )
        .bind(hash(token))
        .fetch_optional(&self.pool)
        .await?
        .ok_or(HubError::Unauthorized)?;
        let revoked: Option<i64> = row.try_get("revoked_ms")?;
        if revoked.is_some() {
            return Err(HubError::Revoked);
        }
        let uuid = |col: &str| -> Result<Uuid> {
            let s: String = row.try_get(col)?;
            Uuid::parse_str(&s).map_err(|_| HubError::Unauthorized)
        };
        Ok(Device {
            id: uuid("id")?,
            person: uuid("person_id")?,
            site: uuid("site")?,
            public_key: hex::decode(row.try_get::<String, _>("public_key")?)
                .map_err(|_| HubError::Unauthorized)?,
        })
    }
    pub async fn revoke(&self, device: Uuid, now_ms: u64) -> Result<bool> {
        let n = sqlx::query(
            "UPDATE hub_device SET revoked_ms = $1 WHERE id = $2 AND revoked_ms IS NULL",
        )
        .bind(now_ms as i64)
        .bind(device.to_string())
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    pub async fn devices(&self) -> Result<Vec<DeviceRow>> {
        let rows = sqlx::query(
            "SELECT id, person_id, name, enrolled_ms, revoked_ms FROM hub_device ORDER BY enrolled_ms",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(DeviceRow {
                    id: r.try_get("id")?,
                    person_id: r.try_get("person_id")?,
                    name: r.try_get("name")?,
                    enrolled_ms: r.try_get("enrolled_ms")?,
                    revoked_ms: r.try_get("revoked_ms")?,
                })
            })
            .collect()
    }
}

//! The person behind a change, as the hub's data describes them: secretariat or not, their
//! organization, their role in each group.

use super::rows::row_view;
use super::*;

/// Whether any living person is a secretariat admin (asked by every push).
const HAS_ADMIN: &str =
    "SELECT 1 FROM hub_field f JOIN hub_row r ON r.tbl = f.tbl AND r.row_id = f.row_id
     WHERE f.tbl = 'person' AND f.col = 'secretariat_admin' AND f.value = 'true' AND r.cl % 2 = 1
     LIMIT 1";

/// A person's living memberships: the group and the role.
const MEMBERSHIPS: &str = "SELECT g.value AS grp, ro.value AS role
     FROM hub_field p
     JOIN hub_row r ON r.tbl = 'membership' AND r.row_id = p.row_id
     JOIN hub_field g ON g.tbl = 'membership' AND g.row_id = p.row_id AND g.col = 'group_id'
     LEFT JOIN hub_field ro ON ro.tbl = 'membership' AND ro.row_id = p.row_id AND ro.col = 'role'
     WHERE p.tbl = 'membership' AND p.col = 'person_id' AND p.value = $1 AND r.cl % 2 = 1";

/// The meetings a person was named to write the minutes of (alive minute-takers).
const MINUTE_TAKINGS: &str = "SELECT m.value AS meeting
     FROM hub_field p
     JOIN hub_row r ON r.tbl = 'minute_taker' AND r.row_id = p.row_id
     JOIN hub_field m ON m.tbl = 'minute_taker' AND m.row_id = p.row_id AND m.col = 'meeting_id'
     WHERE p.tbl = 'minute_taker' AND p.col = 'person_id' AND p.value = $1 AND r.cl % 2 = 1";

/// The groups of a kind (the steering committee).
const GROUPS_OF_KIND: &str =
    "SELECT row_id FROM hub_field WHERE tbl = 'coalition_group' AND col = 'kind' AND value = $1";

pub(super) async fn has_admin(tx: &mut AnyConnection) -> Result<bool> {
    Ok(sqlx::query(HAS_ADMIN)
        .fetch_optional(&mut *tx)
        .await?
        .is_some())
}

pub(super) fn json_str(value: &str) -> Option<String> {
    serde_json::from_str::<Value>(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
}

/// The person as the hub's data describes them: secretariat or not, organization, and the
/// role in each group they belong to.
pub(super) async fn load_actor(tx: &mut AnyConnection, person: Uuid) -> Result<HubActor> {
    let id = person.to_string();
    let mut actor = HubActor {
        person,
        ..Default::default()
    };
    if let Some(view) = row_view(tx, "person", person).await? {
        if is_alive(view.cl) {
            actor.admin = view.fields.get("secretariat_admin") == Some(&Value::Bool(true));
            actor.organization = view
                .fields
                .get("organization_id")
                .and_then(Value::as_str)
                .and_then(|s| Uuid::parse_str(s).ok());
        }
    }
    if let Some(organization) = actor.organization {
        if let Some(view) = row_view(tx, "organization", organization).await? {
            if is_alive(view.cl) {
                actor.organization_status = view
                    .fields
                    .get("status")
                    .and_then(|s| serde_json::from_value(s.clone()).ok());
            }
        }
    }
    for meeting in sqlx::query_scalar::<_, String>(MINUTE_TAKINGS)
        .bind(Value::String(id.clone()).to_string())
        .fetch_all(&mut *tx)
        .await?
    {
        if let Some(m) = json_str(&meeting).and_then(|m| Uuid::parse_str(&m).ok()) {
            actor.minute_taker_of.insert(m);
        }
    }
    let rows = sqlx::query(MEMBERSHIPS)
        .bind(Value::String(id).to_string())
        .fetch_all(&mut *tx)
        .await?;
    let steering: BTreeSet<String> = sqlx::query_scalar::<_, String>(GROUPS_OF_KIND)
        .bind(Value::String("steering_committee".into()).to_string())
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .collect();
    let mut roles = BTreeMap::new();
    for r in rows {
        let group: String = r.try_get("grp")?;
        let role: Option<String> = r.try_get("role")?;
        let Some(group) = json_str(&group).and_then(|g| Uuid::parse_str(&g).ok()) else {
            continue;
        };
        // A role this version does not know gives no rights.
        let role = role
            .and_then(|r: String| serde_json::from_str::<Role>(&r).ok())
            .unwrap_or(Role::Observer);
        actor.steering |= steering.contains(&group.to_string());
        roles.insert(group, role);
    }
    actor.roles = roles.into_iter().collect();
    Ok(actor)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each lookup of a person, their memberships and the steering committee reads an index
    /// of its table's values, never every field of the table (which a partial index over
    /// `tbl IN (…)` let SQLite do, unseen until a scale-1 hub's seeding crawled).
    #[tokio::test]
    async fn the_actor_lookups_read_the_value_indexes() {
        let dir = std::env::temp_dir().join(format!("caucus-actors-{}", Uuid::now_v7()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("hub.db");
        let hub = HubDb::open(&path.display().to_string(), Policy::Authorize)
            .await
            .expect("open");
        let mut conn = hub.pool.acquire().await.expect("conn");
        for (sql, index) in [
            (HAS_ADMIN, "hub_field_person"),
            (MEMBERSHIPS, "hub_field_membership"),
            (GROUPS_OF_KIND, "hub_field_group"),
        ] {
            let plan: Vec<String> = sqlx::query(&format!("EXPLAIN QUERY PLAN {sql}"))
                .fetch_all(&mut *conn)
                .await
                .expect("plan")
                .iter()
                .map(|r| r.try_get::<String, _>("detail").expect("detail"))
                .collect();
            assert!(
                plan.iter().any(|step| step.contains(index)),
                "{sql}: {plan:?}"
            );
        }
        drop(conn);
        hub.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}

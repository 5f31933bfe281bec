//! The person behind a change, as the hub's data describes them: secretariat or not, their
//! organization, their role in each group.

use super::rows::row_view;
use super::*;

pub(super) async fn has_admin(tx: &mut AnyConnection) -> Result<bool> {
    Ok(sqlx::query(
        "SELECT 1 FROM hub_field f JOIN hub_row r ON r.tbl = f.tbl AND r.row_id = f.row_id
         WHERE f.tbl = 'person' AND f.col = 'secretariat_admin' AND f.value = 'true' AND r.cl % 2 = 1
         LIMIT 1",
    )
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
    let rows = sqlx::query(
        "SELECT g.value AS grp, ro.value AS role
         FROM hub_field p
         JOIN hub_row r ON r.tbl = 'membership' AND r.row_id = p.row_id
         JOIN hub_field g ON g.tbl = 'membership' AND g.row_id = p.row_id AND g.col = 'group_id'
         LEFT JOIN hub_field ro ON ro.tbl = 'membership' AND ro.row_id = p.row_id AND ro.col = 'role'
         WHERE p.tbl = 'membership' AND p.col = 'person_id' AND p.value = $1 AND r.cl % 2 = 1",
    )
    .bind(Value::String(id).to_string())
    .fetch_all(&mut *tx)
    .await?;
    let steering: BTreeSet<String> = sqlx::query_scalar::<_, String>(
        "SELECT row_id FROM hub_field WHERE tbl = 'coalition_group' AND col = 'kind' AND value = $1",
    )
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
        let role = role
            .and_then(|r: String| serde_json::from_str::<Role>(&r).ok())
            .unwrap_or(Role::Member);
        actor.steering |= steering.contains(&group.to_string());
        roles.insert(group, role);
    }
    actor.roles = roles.into_iter().collect();
    Ok(actor)
}

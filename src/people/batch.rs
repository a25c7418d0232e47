//! People by the thousand, for spreadsheet imports: finding many by their blind index in
//! a few queries, and the rows and changes [`super::store::find_or_register`] would make
//! one at a time (a new person's sealed record; new key groups or a new phone on a known
//! one), built in memory so the caller can write them in multi-row statements.

use std::collections::HashMap;

use entities::people as person;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::{KeyGroup, PiiKeys, at_rest, store::Identity};
use crate::{clock::Now, error::AppError, pagination::new_id, stored::CorruptRow};

/// How many blind indexes one look-up names.
const LOOKUP_CHUNK: usize = 2_000;

/// The people registered under any of `indexes` (blind indexes), by index.
pub async fn find_by_index(
    conn: &impl ConnectionTrait,
    indexes: &[&str],
) -> Result<HashMap<String, person::Model>, AppError> {
    let mut found = HashMap::new();
    for chunk in indexes.chunks(LOOKUP_CHUNK) {
        let rows = person::Entity::find()
            .filter(person::Column::CitizenIdIndex.is_in(chunk.iter().copied()))
            .all(conn)
            .await?;
        found.extend(rows.into_iter().map(|p| (p.citizen_id_index.clone(), p)));
    }
    Ok(found)
}

/// The record of a person not yet registered: the ID and phone sealed, the ID's blind
/// index `index` (as [`PiiKeys::blind_index`] gives it), the key groups as codes.
pub fn new_record(
    keys: &PiiKeys,
    identity: &Identity,
    index: String,
    now: Now,
) -> Result<person::Model, AppError> {
    let groups: Vec<&str> = identity.key_groups.iter().map(|g| g.as_str()).collect();
    let phone_sealed = identity
        .phone
        .as_ref()
        .map(|p| at_rest::seal_phone(keys, p))
        .transpose()?;
    let now = now.stamp();
    Ok(person::Model {
        id: new_id(),
        name: identity.name.as_str().to_owned(),
        citizen_id_sealed: at_rest::seal_citizen_id(keys, &identity.citizen_id)?,
        citizen_id_index: index,
        citizen_id_masked: identity.citizen_id.masked(),
        gender: identity.citizen_id.gender().as_str().to_owned(),
        phone_sealed,
        key_groups: serde_json::json!(groups).to_string(),
        account_id: None,
        created_at: now,
        updated_at: now,
        email: None,
        email_confirmed_at: None,
    })
}

/// What enrolling `identity` adds to the known person `row`: key groups not yet on the
/// record, and a phone number other than the one kept.
#[derive(Debug, Clone)]
pub struct ContactUpdate {
    /// Every key group, as codes, once the new ones are added.
    pub key_groups: Vec<&'static str>,
    /// The new phone, sealed.
    pub phone_sealed: Option<String>,
}

/// The update `identity` makes to `row`, or `None` when it adds nothing.
pub fn contact_update(
    keys: &PiiKeys,
    row: &person::Model,
    identity: &Identity,
) -> Result<Option<ContactUpdate>, AppError> {
    let mut groups: Vec<KeyGroup> = serde_json::from_str::<Vec<String>>(&row.key_groups)
        .map_err(|e| anyhow::anyhow!("people {}: unreadable key groups: {e}", row.id))?
        .iter()
        .map(|tag| {
            KeyGroup::parse(tag).ok_or_else(|| CorruptRow::new("people", &row.id, "key group", tag))
        })
        .collect::<Result<_, _>>()?;
    let before = groups.len();
    for group in &identity.key_groups {
        if !groups.contains(group) {
            groups.push(*group);
        }
    }
    let known_phone = at_rest::phone_of(keys, row)?;
    let phone_sealed = identity
        .phone
        .as_ref()
        .filter(|p| known_phone.as_ref() != Some(*p))
        .map(|p| at_rest::seal_phone(keys, p))
        .transpose()?;
    if groups.len() == before && phone_sealed.is_none() {
        return Ok(None);
    }
    Ok(Some(ContactUpdate {
        key_groups: groups.iter().map(|g| g.as_str()).collect(),
        phone_sealed,
    }))
}

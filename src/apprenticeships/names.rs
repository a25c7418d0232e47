//! Apprentices named for lists that hold only their ids (the ledger): each name as the
//! caller may see it — in full for the enterprise's own staff, masked for everyone else,
//! as on the apprentice's own page — in three queries whatever the number.

use std::collections::HashMap;

use entities::{
    apprentices as apprentice, apprenticeship_agreements as agreement, people as person,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::{
    access::{Caller, rules},
    error::AppError,
    people::mask_name,
};

/// An apprentice as a list line names them: the name and the agreement they are under.
pub struct Named {
    pub agreement_id: String,
    pub name: String,
}

/// The apprentices of `ids` by id; ids that name no apprentice are left out.
pub async fn of(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    ids: &[&str],
) -> Result<HashMap<String, Named>, AppError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = apprentice::Entity::find()
        .filter(apprentice::Column::Id.is_in(ids.iter().copied()))
        .all(conn)
        .await?;
    let people: HashMap<String, String> = person::Entity::find()
        .filter(person::Column::Id.is_in(rows.iter().map(|r| r.person_id.as_str())))
        .all(conn)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    let employers: HashMap<String, String> = agreement::Entity::find()
        .filter(agreement::Column::Id.is_in(rows.iter().map(|r| r.agreement_id.as_str())))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| (a.id, a.employer_id))
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| {
            let full = people.get(&r.person_id).cloned().unwrap_or_default();
            let entitled = employers
                .get(&r.agreement_id)
                .is_some_and(|e| rules::sees_apprentice_identity(caller, e));
            let name = if entitled { full } else { mask_name(&full) };
            let named = Named {
                agreement_id: r.agreement_id,
                name,
            };
            (r.id, named)
        })
        .collect())
}

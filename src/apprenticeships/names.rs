//! Apprentices named for lists that hold only their ids (the ledger): each name as the
//! caller may see it — in full for the enterprise's own staff, masked for everyone else,
//! as on the apprentice's own page — in three queries whatever the number.

use std::collections::HashMap;

use entities::{
    accounts as account, apprentices as apprentice, apprenticeship_agreements as agreement,
    people as person,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::{
    access::{Caller, Role, rules},
    error::AppError,
    people::mask_name,
    stored::Stored,
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

/// The accounts an apprentice's mentors may be named by, as `(id, name)`: the enabled
/// employer accounts of the enterprise (the mentor) and staff accounts of the provider (the
/// teacher). One query.
pub async fn mentor_accounts(
    conn: &impl ConnectionTrait,
    employer_id: &str,
    provider_id: &str,
) -> Result<(Vec<(String, String)>, Vec<(String, String)>), AppError> {
    let rows = account::Entity::find()
        .filter(account::Column::OrganisationId.is_in([employer_id, provider_id]))
        .filter(account::Column::Disabled.eq(false))
        .filter(account::Column::Integration.eq(false))
        .all(conn)
        .await?;
    let named = |a: &account::Model| {
        let name = if a.display_name.is_empty() {
            a.login.clone()
        } else {
            format!("{}（{}）", a.display_name, a.login)
        };
        (a.id.clone(), name)
    };
    let of = |role: Role, org: &str| {
        rows.iter()
            .filter(|a| a.role == role.as_str() && a.organisation_id.as_deref() == Some(org))
            .map(named)
            .collect()
    };
    Ok((
        of(Role::Employer, employer_id),
        of(Role::ProviderStaff, provider_id),
    ))
}

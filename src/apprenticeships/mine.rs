//! An apprentice's own view: the apprenticeships of the signed-in trainee's person, each
//! agreement's plan with their milestones — what they are training toward and how far
//! they have come. The person is the account's; nobody else's record is reachable here.

use entities::{apprentices as apprentice, apprenticeship_agreements as agreement};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::{Agreement, apprentices::Apprentice, progress, view};
use crate::{
    access::{Caller, Role},
    error::AppError,
    people::{PiiKeys, store},
};

/// One apprenticeship of the caller: the agreement and their place in it.
pub struct Mine {
    pub agreement: Agreement,
    pub apprentice: Apprentice,
}

/// The caller's apprenticeships, the latest first; none for anyone but a trainee.
pub async fn of_trainee(
    conn: &impl ConnectionTrait,
    keys: &PiiKeys,
    caller: &Caller,
) -> Result<Vec<Mine>, AppError> {
    if caller.role != Role::Trainee {
        return Ok(Vec::new());
    }
    let Some(person) = store::of_account(conn, &caller.account_id).await? else {
        return Ok(Vec::new());
    };
    let rows = apprentice::Entity::find()
        .filter(apprentice::Column::PersonId.eq(&person.id))
        .order_by_desc(apprentice::Column::CreatedAt)
        .all(conn)
        .await?;
    let agreements = agreement::Entity::find()
        .filter(agreement::Column::Id.is_in(rows.iter().map(|r| r.agreement_id.as_str())))
        .all(conn)
        .await?;
    let mut mine = Vec::new();
    // A person is an apprentice under one agreement, rarely two: one view each.
    for row in rows {
        let Some(a) = agreements.iter().find(|a| a.id == row.agreement_id) else {
            continue;
        };
        let apprentice = progress::view::one(conn, keys, caller, a, row).await?;
        let agreement = view::one(conn, a.clone()).await?;
        mine.push(Mine {
            agreement,
            apprentice,
        });
    }
    Ok(mine)
}

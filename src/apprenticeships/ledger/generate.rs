//! The bureau's run over the whole ledger: every apprentice of every filed agreement,
//! booked as of today ([`super::book::book_apprentice`]).

use entities::{apprentices as apprentice, apprenticeship_agreements as agreement};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use super::{Booked, book::book_apprentice};
use crate::{
    access::Caller, apprenticeships::AgreementStatus, clock::Now, error::AppError, stored::Stored,
};

/// The bureau books the whole ledger as of today: every apprentice of every filed
/// agreement, one agreement at a time under its lock. Running it twice books nothing twice.
pub async fn generate(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    now: Now,
) -> Result<Booked, AppError> {
    let ids: Vec<String> = agreement::Entity::find()
        .filter(agreement::Column::Status.eq(AgreementStatus::Filed.as_str()))
        .select_only()
        .column(agreement::Column::Id)
        .into_tuple()
        .all(conn)
        .await?;
    let actor = caller.actor();
    let mut total = Booked::default();
    for id in ids {
        let Some(a) = crate::apprenticeships::lock_row(conn, &id).await? else {
            continue;
        };
        let apprentices = apprentice::Entity::find()
            .filter(apprentice::Column::AgreementId.eq(&a.id))
            .all(conn)
            .await?;
        for r in &apprentices {
            let b = book_apprentice(conn, &actor, &a, r, now).await?;
            total.booked += b.booked;
            total.held += b.held;
            total.released += b.released;
            total.corrected += b.corrected;
            total.adjusted += b.adjusted;
        }
    }
    Ok(total)
}

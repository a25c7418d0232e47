//! What a person's row holds sealed (the citizen ID and the phone number), read and
//! written in one place, and the start-up step that seals the phone numbers earlier
//! versions stored in clear.
//!
//! Nothing else of the ID is kept in clear beyond its masked form: no birth date, which
//! is exactly what the mask hides. A rule that needs the birth date or age of someone
//! already registered reads it from [`citizen_id_of`].

use chrono::NaiveDate;
use entities::people as person;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait, sea_query::Expr};

use super::{CitizenId, MobilePhone, PiiKeys, sealing::SEALED_PREFIX};
use crate::{db::Db, error::AppError};

/// The person's citizen ID, unsealed: for those entitled to see it and for age rules.
pub fn citizen_id_of(keys: &PiiKeys, row: &person::Model) -> Result<CitizenId, AppError> {
    open_citizen_id(keys, &row.id, &row.citizen_id_sealed)
}

/// The ID number of person `id` from its sealed column `sealed`, read without the rest
/// of the record.
pub fn open_citizen_id(keys: &PiiKeys, id: &str, sealed: &str) -> Result<CitizenId, AppError> {
    let opened = keys
        .open(sealed)
        .map_err(|e| anyhow::anyhow!("opening the sealed ID of person {id}: {e}"))?;
    // The number was checked against the day it was registered; a later day changes
    // nothing about it, so no day is needed to read it back.
    CitizenId::parse_on(&opened, NaiveDate::MAX)
        .map_err(|e| anyhow::anyhow!("person {id}: the sealed ID does not parse: {e}").into())
}

/// The person's phone number, unsealed, if they gave one.
pub fn phone_of(keys: &PiiKeys, row: &person::Model) -> Result<Option<MobilePhone>, AppError> {
    let Some(sealed) = &row.phone_sealed else {
        return Ok(None);
    };
    let opened = keys
        .open(sealed)
        .map_err(|e| anyhow::anyhow!("opening the sealed phone of person {}: {e}", row.id))?;
    MobilePhone::parse(&opened).map(Some).map_err(|e| {
        anyhow::anyhow!("person {}: the sealed phone does not parse: {e}", row.id).into()
    })
}

/// The sealed form of a citizen ID, as `people.citizen_id_sealed` stores it.
pub fn seal_citizen_id(keys: &PiiKeys, id: &CitizenId) -> Result<String, AppError> {
    seal(keys, "a citizen ID", id.as_str())
}

/// The sealed form of a phone number, as `people.phone_sealed` stores it.
pub fn seal_phone(keys: &PiiKeys, phone: &MobilePhone) -> Result<String, AppError> {
    seal(keys, "a phone number", phone.as_str())
}

fn seal(keys: &PiiKeys, what: &str, value: &str) -> Result<String, AppError> {
    keys.seal(value)
        .map_err(|e| anyhow::anyhow!("sealing {what}: {e}").into())
}

/// Seals the phone numbers that earlier versions stored in clear (the migration that
/// renamed the column has no key to do it), then rewrites the table so the clear numbers
/// are gone from the database files too. Runs at every start, right after the
/// migrations; finds nothing to do once done. `keys` is called only when there is work,
/// and must open each row's sealed ID first: sealing with a key other than the one the
/// database was written with would make the numbers unreadable. Each number is replaced
/// only if it is still the clear one read, so instances starting together seal it once.
pub async fn seal_clear_phones(
    db: &Db,
    keys: impl FnOnce() -> anyhow::Result<PiiKeys>,
) -> anyhow::Result<usize> {
    let rows = person::Entity::find()
        .filter(person::Column::PhoneSealed.is_not_null())
        .filter(person::Column::PhoneSealed.not_like(format!("{SEALED_PREFIX}%")))
        .all(&db.write)
        .await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let keys = keys()?;
    let txn = db.write.begin().await?;
    for row in &rows {
        if keys.open(&row.citizen_id_sealed).is_err() {
            anyhow::bail!(
                "the PII key does not open the citizen ID of person {}: start with the key \
                 this database was written with before its phone numbers are sealed",
                row.id
            );
        }
        let Some(clear) = row.phone_sealed.as_deref() else {
            continue;
        };
        let sealed = keys
            .seal(clear)
            .map_err(|e| anyhow::anyhow!("sealing the phone of person {}: {e}", row.id))?;
        person::Entity::update_many()
            .col_expr(person::Column::PhoneSealed, Expr::value(sealed))
            .filter(person::Column::Id.eq(&row.id))
            .filter(person::Column::PhoneSealed.eq(clear))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    migration::rewrite::rewrite_people(&db.write).await?;
    tracing::info!(
        sealed = rows.len(),
        "phone numbers stored in clear are now sealed"
    );
    Ok(rows.len())
}

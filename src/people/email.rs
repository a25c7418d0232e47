//! Setting a person's or an account's e-mail address: the holder for themself (`/me`) or
//! staff of a provider that enrolled them; staff of other roles for their own account.
//! The address is kept unconfirmed and its confirmation link mailed (`mail::confirm`).

use entities::{accounts as account, people as person};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::{
    access::{Caller, Role, rules},
    clock::Now,
    error::AppError,
    mail::{
        EmailAddress,
        confirm::{self, AddressState, Subject},
    },
};

/// An address to set.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EmailInput {
    /// 电子邮箱, e.g. `naren@example.org`.
    pub email: String,
}

impl EmailInput {
    fn parse(&self) -> Result<EmailAddress, AppError> {
        EmailAddress::parse(&self.email, "email")
            .map_err(|e| AppError::invalid_fields("电子邮箱有误", vec![e]))
    }
}

/// Sets person `id`'s address, for the person themself or staff of a provider that
/// enrolled them; "not found" for anyone else.
pub async fn set_for_person(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: &str,
    input: &EmailInput,
    base_url: &str,
    now: Now,
) -> Result<AddressState, AppError> {
    let row = person::Entity::find_by_id(id.to_owned())
        .lock_exclusive()
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    if !rules::entitled_to_person(conn, caller, &row).await? {
        return Err(AppError::NotFound);
    }
    let address = input.parse()?;
    let subject = Subject::Person(row);
    let org = caller.organisation_id.clone();
    confirm::start(conn, &caller.actor(), subject, &address, org, base_url, now).await
}

/// Sets the caller's own address: a trainee's is their person's (where their
/// certificates are mailed), anyone else's their account's.
pub async fn set_own(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    input: &EmailInput,
    base_url: &str,
    now: Now,
) -> Result<AddressState, AppError> {
    let address = input.parse()?;
    let subject = own(conn, caller).await?;
    let org = caller.organisation_id.clone();
    confirm::start(conn, &caller.actor(), subject, &address, org, base_url, now).await
}

/// The caller's own address as it stands.
pub async fn show_own(
    conn: &impl ConnectionTrait,
    caller: &Caller,
) -> Result<AddressState, AppError> {
    Ok(confirm::state_of(&own(conn, caller).await?))
}

async fn own(conn: &impl ConnectionTrait, caller: &Caller) -> Result<Subject, AppError> {
    if caller.role == Role::Trainee {
        let row = person::Entity::find()
            .filter(person::Column::AccountId.eq(&caller.account_id))
            .lock_exclusive()
            .one(conn)
            .await?
            .ok_or(AppError::NotFound)?;
        return Ok(Subject::Person(row));
    }
    let row = account::Entity::find_by_id(caller.account_id.clone())
        .lock_exclusive()
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Subject::Account(row))
}

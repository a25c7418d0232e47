//! People's rows read without judging who asks: for the command line and for a trainee's
//! own account.

use entities::people as person;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::error::AppError;

/// The person `id`, read without judging who asks (the command line).
pub async fn find_row(
    conn: &impl ConnectionTrait,
    id: &str,
) -> Result<Option<person::Model>, AppError> {
    Ok(person::Entity::find_by_id(id.to_owned()).one(conn).await?)
}

/// The person whose trainee account `account_id` is, if any.
pub async fn of_account(
    conn: &impl ConnectionTrait,
    account_id: &str,
) -> Result<Option<person::Model>, AppError> {
    Ok(person::Entity::find()
        .filter(person::Column::AccountId.eq(account_id))
        .one(conn)
        .await?)
}

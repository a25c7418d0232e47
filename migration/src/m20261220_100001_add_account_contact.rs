use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000002_create_accounts::Accounts;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// How to reach the holder of an account: an e-mail address (in clear, unconfirmed until
/// mail exists: `email_confirmed_at` stays empty) and a mobile number sealed at rest like
/// people's phones (AES-256-GCM under the PII key). A trainee gives them when claiming
/// their account. SQLite alters one column per statement, so each is added on its own.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            string_null(AccountContact::Email),
            timestamp_with_time_zone_null(AccountContact::EmailConfirmedAt),
            string_null(AccountContact::PhoneSealed),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Accounts::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            AccountContact::Email,
            AccountContact::EmailConfirmedAt,
            AccountContact::PhoneSealed,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Accounts::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum AccountContact {
    Email,
    EmailConfirmedAt,
    PhoneSealed,
}

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000008_create_people::People;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A person's e-mail address (optional, in clear like an account's) and when it was
/// confirmed through the link mailed to it; until then only that link is sent to it.
/// SQLite alters one column per statement, so each is added on its own.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            string_null(PersonEmail::Email),
            timestamp_with_time_zone_null(PersonEmail::EmailConfirmedAt),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(People::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [PersonEmail::Email, PersonEmail::EmailConfirmedAt] {
            manager
                .alter_table(
                    Table::alter()
                        .table(People::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum PersonEmail {
    Email,
    EmailConfirmedAt,
}

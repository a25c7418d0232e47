use sea_orm_migration::prelude::*;

use crate::m20261126_000008_create_people::People;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Phone numbers are sealed like the ID number (AES-256-GCM, `v1:` + base64). Sealing
/// needs the PII key, which a migration does not have, so this only renames the column;
/// the numbers earlier versions stored in clear are sealed at start-up, right after the
/// migrations, by `people::at_rest::seal_clear_phones` (which tells them apart by the
/// `v1:` prefix no phone number has) and the table is then rewritten.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(People::Table)
                    .rename_column(People::Phone, PhoneSealed::PhoneSealed)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Sealed values stay sealed: unsealing needs the key.
        manager
            .alter_table(
                Table::alter()
                    .table(People::Table)
                    .rename_column(PhoneSealed::PhoneSealed, People::Phone)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum PhoneSealed {
    PhoneSealed,
}

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000001_create_organisations::Organisations;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The codes an evaluation organisation prints into 职业技能等级证书 numbers
/// (人社鉴发〔2019〕2号): a 4-digit organisation code and a 6-digit site code.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite takes one column per ALTER TABLE.
        for column in [OrganisationCodes::NationalCode, OrganisationCodes::SiteCode] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Organisations::Table)
                        .add_column(string_null(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [OrganisationCodes::NationalCode, OrganisationCodes::SiteCode] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Organisations::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum OrganisationCodes {
    NationalCode,
    SiteCode,
}

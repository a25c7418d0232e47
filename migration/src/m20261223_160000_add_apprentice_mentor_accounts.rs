use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The accounts behind an apprentice's two mentors, optional: the enterprise mentor's
/// employer account and the school teacher's provider-staff account, so milestone
/// reminders can reach them. SQLite alters one column per statement.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            string_null(Apprentices::MentorAccountId),
            string_null(Apprentices::TeacherAccountId),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Apprentices::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Apprentices::MentorAccountId, Apprentices::TeacherAccountId] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Apprentices::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Apprentices {
    Table,
    MentorAccountId,
    TeacherAccountId,
}

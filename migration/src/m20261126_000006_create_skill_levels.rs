use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The eight-step skill ladder (since 2022), lowest first, with the label a certificate
/// prints. `national_digit` is the level digit of a 职业技能等级证书 number (5 = 五级 …
/// 1 = 一级); the steps outside 五级–一级 have none.
const LEVELS: &[(&str, i32, &str, Option<i32>)] = &[
    ("apprentice", 1, "学徒工", None),
    ("level5", 2, "五级/初级工", Some(5)),
    ("level4", 3, "四级/中级工", Some(4)),
    ("level3", 4, "三级/高级工", Some(3)),
    ("level2", 5, "二级/技师", Some(2)),
    ("level1", 6, "一级/高级技师", Some(1)),
    ("special", 7, "特级技师", None),
    ("chief", 8, "首席技师", None),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SkillLevels::Table)
                    .col(string(SkillLevels::Code).primary_key())
                    .col(integer_uniq(SkillLevels::Rank))
                    .col(string(SkillLevels::Label))
                    .col(integer_null(SkillLevels::NationalDigit))
                    .to_owned(),
            )
            .await?;
        let mut insert = Query::insert()
            .into_table(SkillLevels::Table)
            .columns([
                SkillLevels::Code,
                SkillLevels::Rank,
                SkillLevels::Label,
                SkillLevels::NationalDigit,
            ])
            .to_owned();
        for (code, rank, label, digit) in LEVELS {
            insert.values_panic([
                (*code).into(),
                (*rank).into(),
                (*label).into(),
                (*digit).into(),
            ]);
        }
        manager.exec_stmt(insert).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SkillLevels::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum SkillLevels {
    Table,
    Code,
    Rank,
    Label,
    NationalDigit,
}

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// National occupations (《中华人民共和国职业分类大典（2022年版）》) the city's programs
/// train for. Codes checked against the 2022 classification table (as parsed in
/// github.com/Optima-Chat/china-jobs, commit ad60210); 育婴员 is left out because its code
/// could not be confirmed. Later additions come in later migrations.
const OCCUPATIONS: &[(&str, &str)] = &[
    ("4-01-06-01", "电子商务师"),
    ("4-01-06-02", "互联网营销师"),
    ("4-03-01-01", "前厅服务员"),
    ("4-03-01-02", "客房服务员"),
    ("4-03-02-01", "中式烹调师"),
    ("4-03-02-02", "中式面点师"),
    ("4-03-02-03", "西式烹调师"),
    ("4-03-02-04", "西式面点师"),
    ("4-03-02-05", "餐厅服务员"),
    ("4-03-02-11", "食品安全管理师"),
    ("4-07-04-01", "导游"),
    ("4-07-04-06", "休闲农业服务员"),
    ("4-09-08-01", "保洁员"),
    ("4-10-01-03", "保育师"),
    ("4-10-01-05", "养老护理员"),
    ("4-10-01-06", "家政服务员"),
    ("4-14-01-03", "健康照护师"),
    ("4-14-06-02", "民宿管家"),
    ("5-03-02-01", "家畜饲养员"),
    ("5-05-01-02", "农业经理人"),
    ("6-02-01-01", "糕点面包烘焙师"),
    ("6-02-04-01", "乳品加工工"),
    ("6-18-02-04", "焊工"),
    ("6-31-01-03", "电工"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Occupations::Table)
                    .col(string(Occupations::Code).primary_key())
                    .col(string(Occupations::Name))
                    .to_owned(),
            )
            .await?;
        let mut insert = Query::insert()
            .into_table(Occupations::Table)
            .columns([Occupations::Code, Occupations::Name])
            .to_owned();
        for (code, name) in OCCUPATIONS {
            insert.values_panic([(*code).into(), (*name).into()]);
        }
        manager.exec_stmt(insert).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Occupations::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Occupations {
    Table,
    Code,
    Name,
}

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000001_create_organisations::Organisations;
use crate::m20261126_000008_create_people::People;
use crate::m20261126_000010_create_cohorts::Cohorts;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Training orders (订单式培训, docs/DESIGN.md §7): the order an employer commissions, its
/// posts, providers' offers to take it, the cohorts that fulfil it, the hires recorded
/// against it and the payments the bureau records. Money is integer fen.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Orders::Table)
                    .col(string(Orders::Id).primary_key())
                    .col(string(Orders::EmployerId))
                    .col(string(Orders::Title))
                    .col(string_null(Orders::OccupationCode))
                    .col(string_null(Orders::StandardCode))
                    .col(integer(Orders::TraineesWanted))
                    .col(integer(Orders::HireCommitment))
                    .col(date(Orders::Deadline))
                    .col(text(Orders::Notes))
                    .col(string(Orders::HireCertificateKind))
                    .col(string(Orders::CityCode))
                    .col(string(Orders::Status))
                    .col(string_null(Orders::Outcome))
                    .col(string_null(Orders::CloseReason))
                    .col(string_null(Orders::ProviderId))
                    .col(big_integer_null(Orders::TrainingFeeFen))
                    .col(timestamp_with_time_zone_null(Orders::PostsConfirmedAt))
                    .col(timestamp_with_time_zone_null(Orders::SubmittedAt))
                    .col(timestamp_with_time_zone_null(Orders::AssignedAt))
                    .col(date_null(Orders::AssignedOn))
                    .col(timestamp_with_time_zone_null(Orders::ClosedAt))
                    .col(timestamp_with_time_zone(Orders::CreatedAt))
                    .col(timestamp_with_time_zone(Orders::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_orders_employer")
                            .from(Orders::Table, Orders::EmployerId)
                            .to(Organisations::Table, Organisations::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_orders_provider")
                            .from(Orders::Table, Orders::ProviderId)
                            .to(Organisations::Table, Organisations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_orders_employer", Orders::EmployerId),
            ("idx_orders_provider", Orders::ProviderId),
            ("idx_orders_status", Orders::Status),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Orders::Table)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(OrderPosts::Table)
                    .col(string(OrderPosts::Id).primary_key())
                    .col(string(OrderPosts::OrderId))
                    .col(integer(OrderPosts::Position))
                    .col(string(OrderPosts::Title))
                    .col(big_integer(OrderPosts::MonthlyPayFen))
                    .col(integer(OrderPosts::Headcount))
                    .col(string(OrderPosts::Place))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_order_posts_order")
                            .from(OrderPosts::Table, OrderPosts::OrderId)
                            .to(Orders::Table, Orders::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_order_posts_order")
                    .table(OrderPosts::Table)
                    .col(OrderPosts::OrderId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OrderOffers::Table)
                    .col(string(OrderOffers::Id).primary_key())
                    .col(string(OrderOffers::OrderId))
                    .col(string(OrderOffers::ProviderId))
                    .col(text(OrderOffers::Note))
                    .col(string(OrderOffers::OfferedBy))
                    .col(timestamp_with_time_zone(OrderOffers::OfferedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_order_offers_order")
                            .from(OrderOffers::Table, OrderOffers::OrderId)
                            .to(Orders::Table, Orders::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_order_offers_provider")
                            .from(OrderOffers::Table, OrderOffers::ProviderId)
                            .to(Organisations::Table, Organisations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_order_offers_order_provider")
                    .table(OrderOffers::Table)
                    .col(OrderOffers::OrderId)
                    .col(OrderOffers::ProviderId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OrderCohorts::Table)
                    .col(string(OrderCohorts::CohortId).primary_key())
                    .col(string(OrderCohorts::OrderId))
                    .col(string(OrderCohorts::LinkedBy))
                    .col(timestamp_with_time_zone(OrderCohorts::LinkedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_order_cohorts_order")
                            .from(OrderCohorts::Table, OrderCohorts::OrderId)
                            .to(Orders::Table, Orders::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_order_cohorts_cohort")
                            .from(OrderCohorts::Table, OrderCohorts::CohortId)
                            .to(Cohorts::Table, Cohorts::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_order_cohorts_order")
                    .table(OrderCohorts::Table)
                    .col(OrderCohorts::OrderId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OrderHires::Table)
                    .col(string(OrderHires::Id).primary_key())
                    .col(string(OrderHires::OrderId))
                    .col(string(OrderHires::PersonId))
                    .col(string(OrderHires::Employment))
                    .col(string_null(OrderHires::PostId))
                    .col(string_null(OrderHires::OtherEmployerName))
                    .col(date(OrderHires::HiredOn))
                    .col(date_null(OrderHires::LeftOn))
                    .col(string(OrderHires::RecordedBy))
                    .col(timestamp_with_time_zone(OrderHires::RecordedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_order_hires_order")
                            .from(OrderHires::Table, OrderHires::OrderId)
                            .to(Orders::Table, Orders::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_order_hires_person")
                            .from(OrderHires::Table, OrderHires::PersonId)
                            .to(People::Table, People::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_order_hires_post")
                            .from(OrderHires::Table, OrderHires::PostId)
                            .to(OrderPosts::Table, OrderPosts::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_order_hires_order_person")
                    .table(OrderHires::Table)
                    .col(OrderHires::OrderId)
                    .col(OrderHires::PersonId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OrderPayments::Table)
                    .col(string(OrderPayments::Id).primary_key())
                    .col(string(OrderPayments::OrderId))
                    .col(string(OrderPayments::Tranche))
                    .col(big_integer(OrderPayments::AmountFen))
                    .col(date(OrderPayments::PaidOn))
                    .col(text(OrderPayments::Note))
                    .col(string(OrderPayments::RecordedBy))
                    .col(timestamp_with_time_zone(OrderPayments::RecordedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_order_payments_order")
                            .from(OrderPayments::Table, OrderPayments::OrderId)
                            .to(Orders::Table, Orders::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_order_payments_order")
                    .table(OrderPayments::Table)
                    .col(OrderPayments::OrderId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            OrderPayments::Table.into_iden(),
            OrderHires::Table.into_iden(),
            OrderCohorts::Table.into_iden(),
            OrderOffers::Table.into_iden(),
            OrderPosts::Table.into_iden(),
            Orders::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
pub enum Orders {
    Table,
    Id,
    EmployerId,
    Title,
    OccupationCode,
    StandardCode,
    TraineesWanted,
    HireCommitment,
    Deadline,
    Notes,
    HireCertificateKind,
    CityCode,
    Status,
    Outcome,
    CloseReason,
    ProviderId,
    TrainingFeeFen,
    PostsConfirmedAt,
    SubmittedAt,
    AssignedAt,
    AssignedOn,
    ClosedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum OrderPosts {
    Table,
    Id,
    OrderId,
    Position,
    Title,
    MonthlyPayFen,
    Headcount,
    Place,
}

#[derive(DeriveIden)]
enum OrderOffers {
    Table,
    Id,
    OrderId,
    ProviderId,
    Note,
    OfferedBy,
    OfferedAt,
}

#[derive(DeriveIden)]
enum OrderCohorts {
    Table,
    CohortId,
    OrderId,
    LinkedBy,
    LinkedAt,
}

#[derive(DeriveIden)]
enum OrderHires {
    Table,
    Id,
    OrderId,
    PersonId,
    Employment,
    PostId,
    OtherEmployerName,
    HiredOn,
    LeftOn,
    RecordedBy,
    RecordedAt,
}

#[derive(DeriveIden)]
enum OrderPayments {
    Table,
    Id,
    OrderId,
    Tranche,
    AmountFen,
    PaidOn,
    Note,
    RecordedBy,
    RecordedAt,
}

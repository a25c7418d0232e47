//! The demo's apprenticeship subsidy ledger: the bureau's rates for 2025–2027 (5,000 yuan
//! a year at 四级/中级工, half in advance), the advances booked ten days into each
//! apprenticeship, the first period (2025-03) closed and the homestay company paid its
//! advances; the claw-back of the apprentice who left and the balances of those who
//! completed are booked by leaving and completing. Each step is skipped when its result is
//! there already, so a rerun books, closes and pays nothing twice.

use entities::{
    apprenticeship_subsidy_entries as entry, apprenticeship_subsidy_payments as payment,
    apprenticeship_subsidy_rates as rate,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::{orders::step, output::DemoData};
use crate::{
    access::Caller,
    apprenticeships::{
        EntryStatus,
        ledger::generate,
        periods::{self, PaymentInput},
        rates::{self, RateInput},
    },
    clock::Now,
    db::Db,
    money::Fen,
    stored::Stored,
};

/// The target level the demo's agreements train toward, and the years their rates cover.
const LEVEL: &str = "level4";
const YEARS: [&str; 3] = ["2025", "2026", "2027"];
/// The period closed and paid.
const PAID_PERIOD: &str = "2025-03";

/// The bureau's rates, set where none is set yet.
pub async fn rates(db: &Db, city: &str, bureau: &Caller) -> anyhow::Result<()> {
    for year in YEARS {
        let known = rate::Entity::find_by_id((city.to_owned(), year.parse()?, LEVEL.into()))
            .one(&db.read)
            .await?;
        if known.is_some() {
            continue;
        }
        let input = RateInput {
            yearly_amount: "5000".into(),
            advance_share_percent: 50,
        };
        step(db, "setting an apprenticeship subsidy rate", async |txn| {
            rates::set(txn, bureau, (city, year, LEVEL), input).await
        })
        .await?;
    }
    Ok(())
}

/// The bureau's ledger run on `on`, unless the agreement's apprentices are booked already.
pub async fn generate(db: &Db, bureau: &Caller, agreement_id: &str, on: Now) -> anyhow::Result<()> {
    let booked = entry::Entity::find()
        .filter(entry::Column::AgreementId.eq(agreement_id))
        .one(&db.read)
        .await?;
    if booked.is_none() {
        step(db, "booking the apprenticeship ledger", async |txn| {
            generate::generate(txn, bureau, on).await
        })
        .await?;
    }
    Ok(())
}

/// Closes the first period and pays the enterprise what it booked for it, on `on`.
pub async fn close_and_pay(
    db: &Db,
    bureau: &Caller,
    employer: &Caller,
    on: Now,
    data: &mut DemoData,
) -> anyhow::Result<()> {
    step(
        db,
        "closing an apprenticeship subsidy period",
        async |txn| periods::close(txn, bureau, PAID_PERIOD, on).await,
    )
    .await?;
    let employer_id = employer.organisation_id.clone().unwrap_or_default();
    let paid = payment::Entity::find()
        .filter(payment::Column::EmployerId.eq(&employer_id))
        .one(&db.read)
        .await?;
    if paid.is_some() {
        data.summary.subsidy_payments.present();
        return Ok(());
    }
    let due: i64 = entry::Entity::find()
        .filter(entry::Column::EmployerId.eq(&employer_id))
        .filter(entry::Column::Period.eq(PAID_PERIOD))
        .filter(entry::Column::Status.eq(EntryStatus::Booked.as_str()))
        .all(&db.read)
        .await?
        .iter()
        .map(|e| e.amount_fen)
        .sum();
    let input = PaymentInput {
        employer_id,
        year: 2025,
        amount: Fen(due).yuan(),
        recovered: false,
        paid_on: on.today,
        note: "2025年3月结算期学徒培训补贴预拨".into(),
    };
    step(db, "paying apprenticeship subsidies", async |txn| {
        periods::record_payment(txn, bureau, input, on).await
    })
    .await?;
    data.summary.subsidy_payments.added();
    Ok(())
}

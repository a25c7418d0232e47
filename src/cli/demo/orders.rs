//! The demo's training orders (订单式培训), through the order capabilities with dated
//! steps: the homestay employer's order for the spring homestay cohort — submitted, posts
//! confirmed, offered, assigned with the fee, the cohort linked, the assignment share
//! paid, eight trainees hired (one of whom left in the summer) and two hired by another
//! employer; and the bakery's order for the next season, submitted with its posts
//! confirmed and a provider's offer, waiting for the bureau to assign it. Each order is
//! found by its employer and title, and every step is idempotent, so a rerun adds nothing.

use std::collections::BTreeMap;

use anyhow::Context;
use chrono::NaiveDate;
use sea_orm::TransactionTrait;

use super::{acting, explain, output::DemoData};
use crate::{
    access::Caller,
    clock::Now,
    db::Db,
    error::AppError,
    orders::{
        self, Order, OrderStatus, PostInput, Tranche,
        assign::{self, AssignInput, LinkInput, OfferInput},
        draft,
        funding::{self, PaymentInput},
        hires::{self, DepartureInput, HireInput},
        input::OrderInput,
        progress,
    },
    pagination::PageParams,
    programs::CertificateKind,
};

/// Runs one step in its own transaction.
pub(super) async fn step<T>(
    db: &Db,
    doing: &str,
    f: impl AsyncFnOnce(&sea_orm::DatabaseTransaction) -> Result<T, AppError>,
) -> anyhow::Result<T> {
    let txn = db.write.begin().await?;
    let out = f(&txn).await.map_err(explain(doing.to_owned()))?;
    txn.commit().await?;
    Ok(out)
}

pub(super) fn day(text: &str) -> anyhow::Result<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").with_context(|| format!("demo date {text}"))
}

fn post(title: &str, pay: &str, headcount: u32, place: &str) -> PostInput {
    PostInput {
        title: title.into(),
        monthly_pay: pay.into(),
        headcount,
        place: place.into(),
    }
}

/// The employer's order of this title, created on `created` if it is not there yet.
async fn order(
    db: &Db,
    city: &str,
    employer: &Caller,
    input: OrderInput,
    created: Now,
    data: &mut DemoData,
) -> anyhow::Result<Order> {
    let all = PageParams {
        limit: Some(100),
        cursor: None,
    };
    let mine = orders::list(&db.read, employer, &all).await?;
    if let Some(found) = mine.items.into_iter().find(|o| o.title == input.title) {
        data.summary.orders.present();
        return Ok(found);
    }
    let title = input.title.clone();
    let made = step(db, &format!("creating order {title}"), async |txn| {
        draft::create(txn, employer, city, input, created).await
    })
    .await?;
    data.summary.orders.added();
    Ok(made)
}

/// Submits the order and confirms its posts (both idempotent).
async fn submit_and_confirm(db: &Db, employer: &Caller, id: &str, on: Now) -> anyhow::Result<()> {
    step(db, "submitting an order", async |txn| {
        draft::submit(txn, employer, id, on).await
    })
    .await?;
    step(db, "confirming an order's posts", async |txn| {
        draft::confirm_posts(txn, employer, id, on).await
    })
    .await?;
    Ok(())
}

/// Loads the two demo orders in `city` (the registry's region code, whose funding rules
/// they follow); `cohorts` maps cohort codes to ids.
pub async fn load(
    db: &Db,
    city: &str,
    callers: &BTreeMap<&'static str, Caller>,
    cohorts: &BTreeMap<&str, String>,
    data: &mut DemoData,
    now: Now,
) -> anyhow::Result<()> {
    homestay(db, city, callers, cohorts, data, now).await?;
    bakery(db, city, callers, data, now).await
}

async fn homestay(
    db: &Db,
    city: &str,
    callers: &BTreeMap<&'static str, Caller>,
    cohorts: &BTreeMap<&str, String>,
    data: &mut DemoData,
    now: Now,
) -> anyhow::Result<()> {
    let employer = acting(callers, "homestay")?;
    let centre = acting(callers, "centre")?;
    let bureau = acting(callers, "bureau")?;
    let cohort_id = cohorts
        .get("MSZLR-2026-02")
        .context("the spring homestay cohort was not loaded")?
        .clone();
    let at = |text: &str, hour: u32| -> anyhow::Result<Now> { Ok(now.back_to(day(text)?, hour)) };
    let input = OrderInput {
        title: "2026年旺季民宿接待员订单班".into(),
        occupation_code: None,
        standard_code: Some("150784-MSZLR".into()),
        trainees_wanted: 25,
        hire_commitment: 8,
        deadline: day("2026-06-30")?,
        notes: "旺季（6–9月）前到岗；住宿由民宿提供。".into(),
        hire_certificate_kind: Some(CertificateKind::Completion),
        posts: vec![
            post("民宿前台接待", "4500", 5, "室韦俄罗斯民族乡"),
            post("民宿管家", "5200", 3, "室韦俄罗斯民族乡"),
        ],
    };
    let o = order(db, city, employer, input, at("2026-03-18", 9)?, data).await?;
    if o.status == OrderStatus::Closed {
        return Ok(());
    }
    if o.provider_id.is_none() {
        submit_and_confirm(db, employer, &o.id, at("2026-03-19", 10)?).await?;
        let offered = at("2026-03-20", 15)?;
        let note = OfferInput {
            note: "4月13日起在恩和开班，可接收25人。".into(),
        };
        step(db, "offering to take the homestay order", async |txn| {
            assign::offer(txn, centre, &o.id, note, offered).await
        })
        .await?;
        let terms = AssignInput {
            provider_id: centre.organisation_id.clone().context("the centre")?,
            training_fee: "75000".into(),
        };
        let assigned = at("2026-03-24", 11)?;
        step(db, "assigning the homestay order", async |txn| {
            assign::assign(txn, bureau, &o.id, terms, assigned).await
        })
        .await?;
    }
    let link = LinkInput { cohort_id };
    let linked = at("2026-03-26", 9)?;
    step(db, "linking the spring homestay cohort", async |txn| {
        assign::link_cohort(txn, centre, &o.id, link, linked).await
    })
    .await?;
    let paid = at("2026-04-08", 14)?;
    let funding = funding::get(&db.read, bureau, &o.id, paid.today).await?;
    if funding.payments.is_empty() {
        let payment = PaymentInput {
            tranche: Tranche::Assignment,
            amount: funding.on_assignment.amount.clone(),
            paid_on: paid.today,
            note: "按订单培训资金规则分派时拨付".into(),
        };
        step(db, "paying the assignment share", async |txn| {
            funding::record_payment(txn, bureau, &o.id, payment, paid).await
        })
        .await?;
    }
    hire_some(db, employer, centre, &o, at("2026-05-06", 9)?, data).await?;
    let left = at("2026-07-15", 17)?;
    let seen = progress::get(&db.read, employer, &o.id, left.today).await?;
    if let Some(hire) = seen
        .trainees
        .iter()
        .filter_map(|t| t.hire.as_ref())
        .filter(|h| h.employment == orders::Employment::Own)
        .nth(2)
    {
        let input = DepartureInput {
            left_on: left.today,
        };
        step(db, "recording a departure", async |txn| {
            hires::depart(txn, employer, &o.id, &hire.id, input, left).await
        })
        .await?;
    }
    Ok(())
}

/// Eight holders of a standing completion certificate hired by the employer on `on`
/// (front desk, then housekeeping), and two more by another employer, recorded by the
/// provider.
async fn hire_some(
    db: &Db,
    employer: &Caller,
    provider: &Caller,
    o: &Order,
    on: Now,
    data: &mut DemoData,
) -> anyhow::Result<()> {
    let seen = progress::get(&db.read, employer, &o.id, on.today).await?;
    let holders: Vec<&str> = seen
        .trainees
        .iter()
        .filter(|t| {
            t.certificates.iter().any(|c| {
                c.kind == CertificateKind::Completion
                    && c.status == crate::certificates::CertificateStatus::Valid
            })
        })
        .map(|t| t.person_id.as_str())
        .collect();
    let posts: Vec<&str> = o.posts.iter().map(|p| p.id.as_str()).collect();
    for (i, person) in holders.iter().take(10).enumerate() {
        let (caller, input) = if i < 8 {
            let post_id = posts
                .get(if i < 5 { 0 } else { 1 })
                .map(|p| (*p).to_owned());
            let input = HireInput {
                person_id: (*person).to_owned(),
                post_id,
                other_employer_name: None,
                hired_on: on.today,
            };
            (employer, input)
        } else {
            let input = HireInput {
                person_id: (*person).to_owned(),
                post_id: None,
                other_employer_name: Some("额尔古纳市室韦界河人家民宿".into()),
                hired_on: on.today,
            };
            (provider, input)
        };
        let (_, created) = step(db, "recording a hire", async |txn| {
            hires::record(txn, caller, &o.id, input, on).await
        })
        .await?;
        if created {
            data.summary.hires.added();
        } else {
            data.summary.hires.present();
        }
    }
    Ok(())
}

async fn bakery(
    db: &Db,
    city: &str,
    callers: &BTreeMap<&'static str, Caller>,
    data: &mut DemoData,
    now: Now,
) -> anyhow::Result<()> {
    let employer = acting(callers, "bakery")?;
    let school = acting(callers, "school")?;
    let created = now.back_to(day("2026-11-09")?, 10);
    let input = OrderInput {
        title: "2027年春季土炉烤饼师傅订单班".into(),
        occupation_code: None,
        standard_code: Some("150784-TLKB".into()),
        trainees_wanted: 12,
        hire_commitment: 6,
        deadline: day("2027-04-30")?,
        notes: "五一前到岗，优先录用恩和、室韦本地学员。".into(),
        hire_certificate_kind: Some(CertificateKind::Specialty),
        posts: vec![
            post("土炉烤饼师傅", "4800", 4, "恩和俄罗斯民族乡"),
            post("面点学徒", "3800", 2, "恩和俄罗斯民族乡"),
        ],
    };
    let o = order(db, city, employer, input, created, data).await?;
    if o.status == OrderStatus::Draft || o.status == OrderStatus::Submitted {
        submit_and_confirm(db, employer, &o.id, created).await?;
        let offered = now.back_to(day("2026-11-12")?, 16);
        let note = OfferInput {
            note: "可于2027年3月在恩和列巴坊实训基地开班。".into(),
        };
        step(db, "offering to take the bakery order", async |txn| {
            assign::offer(txn, school, &o.id, note, offered).await
        })
        .await?;
    }
    Ok(())
}

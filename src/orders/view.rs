//! What an order looks like to a caller: the record, its posts, the employer (contact
//! details only for those entitled), and for the bureau the offers and the providers
//! whose programs fit an open order. Many orders are viewed with one query per kind of
//! record, never one per order.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, FixedOffset, NaiveDate};
use entities::{
    order_offers as offer, order_posts as post, orders as order, organisations as organisation,
    programs as program, standards as standard,
};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Fen, OrderOutcome, OrderStatus, choices::LinkedCohort};
use crate::{
    access::{Caller, rules},
    error::AppError,
    organisations::{OrgKind, OrgStatus},
    programs::CertificateKind,
    stored::Stored,
};

/// One post the order trains for.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PostInput {
    /// 1–40 characters, e.g. `民宿前台接待`.
    pub title: String,
    /// Monthly pay in yuan as a decimal string, e.g. `"4500"` or `"4500.50"`.
    pub monthly_pay: String,
    /// 1–1000.
    pub headcount: u32,
    /// Where the post is, up to 100 characters.
    #[serde(default)]
    pub place: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Post {
    pub id: String,
    pub title: String,
    /// Yuan, two decimals.
    pub monthly_pay: String,
    pub headcount: u32,
    pub place: String,
}

/// The employer; `address` and `contact_phone` only for those entitled (its staff, the
/// bureau, the assigned provider).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Party {
    pub id: String,
    pub name: String,
    pub address: Option<String>,
    pub contact_phone: Option<String>,
}

/// A provider that runs a program for the order's occupation or standard.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Candidate {
    pub provider_id: String,
    pub name: String,
    /// The titles of its fitting programs.
    pub programs: Vec<String>,
}

/// A provider's offer to take an open order.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Offer {
    pub id: String,
    pub provider_id: String,
    pub provider_name: String,
    pub note: String,
    pub offered_at: DateTime<FixedOffset>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Order {
    pub id: String,
    pub employer: Party,
    pub title: String,
    pub occupation_code: Option<String>,
    pub standard_code: Option<String>,
    pub trainees_wanted: u32,
    pub hire_commitment: u32,
    pub deadline: NaiveDate,
    pub notes: String,
    /// The certificate a trainee must hold to be hired against the order.
    pub hire_certificate_kind: CertificateKind,
    pub status: OrderStatus,
    pub status_label: String,
    pub outcome: Option<OrderOutcome>,
    pub close_reason: Option<String>,
    pub provider_id: Option<String>,
    pub provider_name: Option<String>,
    /// Yuan, two decimals; set by the bureau on assignment.
    pub training_fee: Option<String>,
    pub posts: Vec<Post>,
    /// The cohorts fulfilling the order, in the order they were linked.
    pub cohorts: Vec<LinkedCohort>,
    pub posts_confirmed_at: Option<DateTime<FixedOffset>>,
    pub submitted_at: Option<DateTime<FixedOffset>>,
    pub assigned_at: Option<DateTime<FixedOffset>>,
    pub closed_at: Option<DateTime<FixedOffset>>,
    pub created_at: DateTime<FixedOffset>,
    /// The bureau, on an open order: providers whose programs fit it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub candidates: Option<Vec<Candidate>>,
    /// The bureau, on an open order: providers' offers to take it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offers: Option<Vec<Offer>>,
}

pub(crate) async fn one(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    row: order::Model,
) -> Result<Order, AppError> {
    let mut all = many(conn, caller, vec![row]).await?;
    all.pop()
        .ok_or_else(|| anyhow::anyhow!("an order viewed vanished").into())
}

pub(crate) async fn many(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    rows: Vec<order::Model>,
) -> Result<Vec<Order>, AppError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<&str> = rows.iter().map(|o| o.id.as_str()).collect();
    let mut posts: HashMap<String, Vec<Post>> = HashMap::new();
    for p in post::Entity::find()
        .filter(post::Column::OrderId.is_in(ids.iter().copied()))
        .order_by_asc(post::Column::Position)
        .all(conn)
        .await?
    {
        posts.entry(p.order_id.clone()).or_default().push(Post {
            id: p.id,
            title: p.title,
            monthly_pay: Fen(p.monthly_pay_fen).yuan(),
            headcount: u32::try_from(p.headcount).unwrap_or_default(),
            place: p.place,
        });
    }
    let org_ids: HashSet<&str> = rows
        .iter()
        .flat_map(|o| std::iter::once(o.employer_id.as_str()).chain(o.provider_id.as_deref()))
        .collect();
    let orgs: HashMap<String, organisation::Model> = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(org_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|o| (o.id.clone(), o))
        .collect();
    let mut cohorts = super::choices::linked(conn, &ids).await?;
    let open: Vec<&order::Model> = rows
        .iter()
        .filter(|o| caller.is_bureau() && o.status == OrderStatus::Submitted.as_str())
        .collect();
    let mut candidates = candidates(conn, &open).await?;
    let mut offers = offers(conn, &open).await?;
    let mut out = Vec::with_capacity(rows.len());
    for o in rows {
        let status = OrderStatus::read("orders", &o.id, &o.status)?;
        let outcome = o
            .outcome
            .as_deref()
            .map(|w| OrderOutcome::read("orders", &o.id, w))
            .transpose()?;
        let employer = orgs.get(&o.employer_id);
        let contacts = rules::sees_order_contacts(caller, &o.employer_id, o.provider_id.as_deref());
        let is_open = caller.is_bureau() && status == OrderStatus::Submitted;
        out.push(Order {
            employer: Party {
                id: o.employer_id.clone(),
                name: employer.map(|e| e.name.clone()).unwrap_or_default(),
                address: employer
                    .filter(|_| contacts)
                    .and_then(|e| e.address.clone()),
                contact_phone: employer
                    .filter(|_| contacts)
                    .and_then(|e| e.contact_phone.clone()),
            },
            hire_certificate_kind: CertificateKind::read(
                "orders",
                &o.id,
                &o.hire_certificate_kind,
            )?,
            status_label: status.label().into(),
            status,
            outcome,
            provider_name: o
                .provider_id
                .as_ref()
                .and_then(|p| orgs.get(p))
                .map(|p| p.name.clone()),
            training_fee: o.training_fee_fen.map(|f| Fen(f).yuan()),
            posts: posts.remove(&o.id).unwrap_or_default(),
            cohorts: cohorts.remove(&o.id).unwrap_or_default(),
            trainees_wanted: u32::try_from(o.trainees_wanted).unwrap_or_default(),
            hire_commitment: u32::try_from(o.hire_commitment).unwrap_or_default(),
            candidates: is_open.then(|| candidates.remove(&o.id).unwrap_or_default()),
            offers: is_open.then(|| offers.remove(&o.id).unwrap_or_default()),
            id: o.id,
            title: o.title,
            occupation_code: o.occupation_code,
            standard_code: o.standard_code,
            deadline: o.deadline,
            notes: o.notes,
            close_reason: o.close_reason,
            provider_id: o.provider_id,
            posts_confirmed_at: o.posts_confirmed_at,
            submitted_at: o.submitted_at,
            assigned_at: o.assigned_at,
            closed_at: o.closed_at,
            created_at: o.created_at,
        });
    }
    Ok(out)
}

/// The approved providers running a program that fits each order (the order's occupation,
/// or any version of its standard), in three queries for any number of orders.
pub(crate) async fn candidates(
    conn: &impl ConnectionTrait,
    orders: &[&order::Model],
) -> Result<HashMap<String, Vec<Candidate>>, AppError> {
    let fitting = fitting_programs(conn, orders).await?;
    let provider_ids: HashSet<&str> = fitting
        .values()
        .flatten()
        .map(|p| p.provider_id.as_str())
        .collect();
    let providers: HashMap<String, organisation::Model> = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(provider_ids))
        .filter(organisation::Column::Kind.eq(OrgKind::TrainingProvider.as_str()))
        .filter(organisation::Column::Status.eq(OrgStatus::Approved.as_str()))
        .all(conn)
        .await?
        .into_iter()
        .map(|o| (o.id.clone(), o))
        .collect();
    let mut out = HashMap::new();
    for (order_id, programs) in fitting {
        let mut list: Vec<Candidate> = Vec::new();
        for p in programs {
            let Some(provider) = providers.get(&p.provider_id) else {
                continue;
            };
            match list.iter_mut().find(|c| c.provider_id == p.provider_id) {
                Some(c) => c.programs.push(p.title.clone()),
                None => list.push(Candidate {
                    provider_id: provider.id.clone(),
                    name: provider.name.clone(),
                    programs: vec![p.title.clone()],
                }),
            }
        }
        out.insert(order_id, list);
    }
    Ok(out)
}

/// Each order's fitting programs: those of its occupation, or of any version of its
/// standard.
pub(crate) async fn fitting_programs(
    conn: &impl ConnectionTrait,
    orders: &[&order::Model],
) -> Result<HashMap<String, Vec<program::Model>>, AppError> {
    let occupations: HashSet<&str> = orders
        .iter()
        .filter_map(|o| o.occupation_code.as_deref())
        .collect();
    let codes: HashSet<&str> = orders
        .iter()
        .filter_map(|o| o.standard_code.as_deref())
        .collect();
    if occupations.is_empty() && codes.is_empty() {
        return Ok(HashMap::new());
    }
    let standards: HashMap<String, String> = standard::Entity::find()
        .filter(standard::Column::Code.is_in(codes))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.id, s.code))
        .collect();
    let programs = program::Entity::find()
        .filter(
            Condition::any()
                .add(program::Column::OccupationCode.is_in(occupations))
                .add(program::Column::StandardId.is_in(standards.keys().map(String::as_str))),
        )
        .order_by_asc(program::Column::Id)
        .all(conn)
        .await?;
    let mut out: HashMap<String, Vec<program::Model>> = HashMap::new();
    for o in orders {
        let fits: Vec<program::Model> = programs
            .iter()
            .filter(|p| fits(o, p, &standards))
            .cloned()
            .collect();
        out.insert(o.id.clone(), fits);
    }
    Ok(out)
}

/// Whether a program trains for the order's occupation or standard; `standards` maps
/// standard ids to their codes.
pub(crate) fn fits(
    o: &order::Model,
    p: &program::Model,
    standards: &HashMap<String, String>,
) -> bool {
    match (&o.occupation_code, &o.standard_code) {
        (Some(occupation), _) => p.occupation_code.as_ref() == Some(occupation),
        (None, Some(code)) => p
            .standard_id
            .as_ref()
            .and_then(|s| standards.get(s))
            .is_some_and(|c| c == code),
        (None, None) => false,
    }
}

async fn offers(
    conn: &impl ConnectionTrait,
    orders: &[&order::Model],
) -> Result<HashMap<String, Vec<Offer>>, AppError> {
    if orders.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = offer::Entity::find()
        .filter(offer::Column::OrderId.is_in(orders.iter().map(|o| o.id.as_str())))
        .order_by_asc(offer::Column::OfferedAt)
        .all(conn)
        .await?;
    let names: HashMap<String, String> = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(rows.iter().map(|r| r.provider_id.as_str())))
        .all(conn)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let mut out: HashMap<String, Vec<Offer>> = HashMap::new();
    for r in rows {
        out.entry(r.order_id).or_default().push(Offer {
            provider_name: names.get(&r.provider_id).cloned().unwrap_or_default(),
            id: r.id,
            provider_id: r.provider_id,
            note: r.note,
            offered_at: r.offered_at,
        });
    }
    Ok(out)
}

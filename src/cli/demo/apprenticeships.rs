//! The demo's enterprise new-style apprenticeships (企业新型学徒制), through the
//! apprenticeship and certificate capabilities with dated steps: the homestay company and
//! the training centre's one-year agreement for 前厅服务员 at 四级/中级工 (March 2025 –
//! February 2026) — one apprentice completed every milestone and holds both the
//! apprenticeship certificate and, after a passed assessment, the skill-level certificate;
//! one completed without a certificate yet; one left early in the summer — and the bakery
//! and the vocational school's two-year agreement for 中式面点师 (from March 2026) with
//! three apprentices part-way through their milestones. Agreements are found by their
//! enterprise, occupation and start, apprentices by their ID number, and every step is
//! idempotent, so a rerun adds nothing. The subsidy ledger is in [`super::apprentice_ledger`].

use std::collections::BTreeMap;

use anyhow::Context;

use super::{
    acting, apprentice_ledger, apprentice_progress, codes,
    orders::{day, step},
    output::DemoData,
};
use crate::{
    access::Caller,
    apprenticeships::{
        self, AgreementInput, MilestoneInput, ModuleInput, agreements,
        apprentices::{self, Apprentice, ApprenticeInput, MentorInput, TeacherInput},
    },
    certificates::Services,
    clock::Now,
    db::Db,
    pagination::PageParams,
    people::Gender,
};

/// What becomes of one apprentice.
pub(super) enum Fate {
    /// Still training, with this many of the plan's milestones done.
    Training(usize),
    /// Left early on the day, for the reason, with this many milestones done.
    Left(&'static str, &'static str, usize),
    /// Completed every milestone and the apprenticeship on the day; `certified`: with
    /// both certificates.
    Completed(&'static str, bool),
}

pub(super) struct ApprenticeSpec {
    name: &'static str,
    birth: &'static str,
    gender: Gender,
    serial: u32,
    pub(super) fate: Fate,
}

pub(super) struct AgreementSpec {
    pub(super) employer: &'static str,
    pub(super) provider: &'static str,
    pub(super) occupation: &'static str,
    pub(super) level: &'static str,
    starts_on: &'static str,
    ends_on: &'static str,
    modules: &'static [(&'static str, u32, u32)],
    milestones: &'static [(&'static str, &'static str)],
    mentor: (&'static str, &'static str, &'static str),
    teacher: &'static str,
    apprentices: &'static [ApprenticeSpec],
}

const AGREEMENTS: [AgreementSpec; 2] = [
    AgreementSpec {
        employer: "homestay",
        provider: "centre",
        occupation: "4-03-01-01",
        level: "level4",
        starts_on: "2025-03-01",
        ends_on: "2026-02-28",
        modules: &[
            ("民宿前台接待与预订管理", 40, 120),
            ("客房服务与旺季运营", 30, 160),
        ],
        milestones: &[
            ("独立完成入住接待", "2025-06-30"),
            ("独立负责旺季客房管理", "2025-10-31"),
            ("完成民宿服务综合实操", "2026-02-15"),
        ],
        mentor: ("包玉梅", "民宿管家主管", "level3"),
        teacher: "韩雪",
        apprentices: &[
            ApprenticeSpec {
                name: "乌日娜",
                birth: "2001-05-12",
                gender: Gender::Female,
                serial: 61,
                fate: Fate::Completed("2026-03-02", true),
            },
            ApprenticeSpec {
                name: "孟和",
                birth: "2000-11-03",
                gender: Gender::Male,
                serial: 62,
                fate: Fate::Completed("2026-03-02", false),
            },
            ApprenticeSpec {
                name: "高晓雪",
                birth: "2003-02-20",
                gender: Gender::Female,
                serial: 63,
                fate: Fate::Left("2025-08-15", "家庭原因离职返乡", 1),
            },
        ],
    },
    AgreementSpec {
        employer: "bakery",
        provider: "school",
        occupation: "4-03-02-02",
        level: "level4",
        starts_on: "2026-03-01",
        ends_on: "2028-02-29",
        modules: &[
            ("面点原料与发酵工艺", 60, 100),
            ("土炉烤饼与俄式列巴制作", 40, 240),
            ("食品安全与店面生产管理", 30, 60),
        ],
        milestones: &[
            ("独立完成和面发酵", "2026-06-30"),
            ("独立完成整炉烤制", "2026-10-31"),
            ("独立完成俄式列巴全流程", "2027-06-30"),
            ("带班完成一个生产季", "2028-01-31"),
        ],
        mentor: ("王建国", "烘焙车间主任", "level2"),
        teacher: "刘海燕",
        apprentices: &[
            ApprenticeSpec {
                name: "巴图",
                birth: "2002-08-09",
                gender: Gender::Male,
                serial: 64,
                fate: Fate::Training(2),
            },
            ApprenticeSpec {
                name: "陈静",
                birth: "2004-01-17",
                gender: Gender::Female,
                serial: 65,
                fate: Fate::Training(1),
            },
            ApprenticeSpec {
                name: "赵志强",
                birth: "1999-04-26",
                gender: Gender::Male,
                serial: 66,
                fate: Fate::Training(0),
            },
        ],
    },
];

/// Loads both agreements with their apprentices, the ledger and the certificates.
pub async fn load(
    db: &Db,
    services: &Services,
    callers: &BTreeMap<&'static str, Caller>,
    data: &mut DemoData,
    now: Now,
) -> anyhow::Result<()> {
    let at = |text: &str, hour: u32| -> anyhow::Result<Now> { Ok(now.back_to(day(text)?, hour)) };
    let city = services.region_code.as_str();
    apprentice_ledger::rates(db, city, acting(callers, "bureau")?).await?;
    for (n, spec) in AGREEMENTS.iter().enumerate() {
        let starts = day(spec.starts_on)?;
        let filed = now.back_to(
            starts
                .checked_sub_days(chrono::Days::new(7))
                .context("a date")?,
            10,
        );
        if filed.today > now.today {
            continue;
        }
        let agreement = agreement(db, city, callers, spec, filed, data).await?;
        let employer = acting(callers, spec.employer)?;
        let mut people = Vec::new();
        for a in spec.apprentices {
            people
                .push(apprentice(db, services, employer, spec, &agreement, a, filed, data).await?);
        }
        // The bureau books the advances ten days into the apprenticeship.
        let booked = now.back_to(
            starts
                .checked_add_days(chrono::Days::new(9))
                .context("a date")?,
            9,
        );
        apprentice_ledger::generate(db, acting(callers, "bureau")?, &agreement.id, booked).await?;
        if n == 0 {
            let paid = at("2025-03-25", 15)?;
            apprentice_ledger::close_and_pay(db, acting(callers, "bureau")?, employer, paid, data)
                .await?;
        }
        for (a, row) in spec.apprentices.iter().zip(&people) {
            apprentice_progress::progress_of(
                db, services, callers, spec, &agreement, a, row, data, now,
            )
            .await?;
        }
    }
    Ok(())
}

/// The employer's agreement for the spec's occupation and start, written, submitted and
/// filed on `filed` if it is not there yet.
async fn agreement(
    db: &Db,
    city: &str,
    callers: &BTreeMap<&'static str, Caller>,
    spec: &AgreementSpec,
    filed: Now,
    data: &mut DemoData,
) -> anyhow::Result<apprenticeships::Agreement> {
    let employer = acting(callers, spec.employer)?;
    let all = PageParams {
        limit: Some(100),
        cursor: None,
    };
    let starts_on = day(spec.starts_on)?;
    let mine = apprenticeships::list(&db.read, employer, &all).await?;
    if let Some(found) = mine
        .items
        .into_iter()
        .find(|a| a.occupation_code == spec.occupation && a.starts_on == starts_on)
    {
        data.summary.apprenticeship_agreements.present();
        return Ok(found);
    }
    let provider = acting(callers, spec.provider)?
        .organisation_id
        .clone()
        .context("the provider")?;
    let input = AgreementInput {
        provider_id: provider,
        occupation_code: spec.occupation.into(),
        target_level: spec.level.into(),
        starts_on,
        ends_on: day(spec.ends_on)?,
        extension_reason: None,
        modules: spec
            .modules
            .iter()
            .map(|(title, theory, practice)| ModuleInput {
                title: (*title).into(),
                theory_hours: *theory,
                practice_hours: *practice,
            })
            .collect(),
        milestones: spec
            .milestones
            .iter()
            .map(|(title, due)| {
                Ok(MilestoneInput {
                    title: (*title).into(),
                    due_on: day(due)?,
                })
            })
            .collect::<anyhow::Result<_>>()?,
    };
    let bureau = acting(callers, "bureau")?;
    let made = step(db, "filing an apprenticeship agreement", async |txn| {
        let a = agreements::create(txn, employer, city, input, filed).await?;
        agreements::submit(txn, employer, &a.id, filed).await?;
        agreements::file(txn, bureau, &a.id, filed).await
    })
    .await?;
    data.summary.apprenticeship_agreements.added();
    Ok(made)
}

/// The apprentice of the spec, registered on `on` unless the enterprise has them already.
#[expect(
    clippy::too_many_arguments,
    reason = "the demo's context, the agreement and the apprentice: each is needed"
)]
async fn apprentice(
    db: &Db,
    services: &Services,
    employer: &Caller,
    spec: &AgreementSpec,
    agreement: &apprenticeships::Agreement,
    a: &ApprenticeSpec,
    on: Now,
    data: &mut DemoData,
) -> anyhow::Result<Apprentice> {
    let keys = services.pii.as_ref();
    let citizen_id = codes::citizen_id("150784", day(a.birth)?, a.serial, a.gender)?;
    let listed = apprentices::list(&db.read, keys, employer, &agreement.id).await?;
    if let Some(found) = listed
        .into_iter()
        .find(|r| r.person.citizen_id == citizen_id.as_str())
    {
        data.summary.apprentices.present();
        return Ok(found);
    }
    let (name, post, level) = spec.mentor;
    let input = ApprenticeInput {
        name: a.name.into(),
        citizen_id: citizen_id.as_str().into(),
        phone: None,
        contract_starts_on: day(spec.starts_on)?
            .checked_sub_days(chrono::Days::new(14))
            .context("a date")?,
        contract_ends_on: day(spec.ends_on)?
            .checked_add_months(chrono::Months::new(24))
            .context("a date")?,
        mentor: Some(MentorInput {
            name: name.into(),
            post: post.into(),
            skill_level: level.into(),
            // The enterprise's demo login stands for the mentor, so that milestone
            // reminders have someone to go to.
            account_id: Some(employer.account_id.clone()),
        }),
        teacher: Some(TeacherInput {
            name: spec.teacher.into(),
            account_id: None,
        }),
    };
    let added = step(db, "registering an apprentice", async |txn| {
        apprentices::add(txn, keys, employer, &agreement.id, input, on).await
    })
    .await?;
    data.summary.apprentices.added();
    Ok(added)
}

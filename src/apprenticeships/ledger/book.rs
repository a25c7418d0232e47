//! Booking the ledger: what each apprentice is due for each apprenticeship year that has
//! begun — the advance, the balance once they complete, the claw-back when they leave
//! early — compared with what is booked, and the difference written as the rules say
//! (a new entry, a held one released, an open period's entry corrected, or an adjustment
//! in the open period when the entry's period is closed).

use std::collections::{HashMap, HashSet};

use chrono::Datelike;
use entities::{
    apprentice_milestones as done, apprentices as apprentice,
    apprenticeship_agreements as agreement, apprenticeship_milestones as milestone,
    apprenticeship_subsidy_entries as entry, apprenticeship_subsidy_rates as rate,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, Set,
};

use super::{Booked, lock_ledger};
use crate::{
    apprenticeships::{
        ApprenticeStatus, EntryKind, EntryStatus, periods, rates,
        status::Check,
        terms::{self, AppYear},
    },
    audit::{self, Actor, Change},
    clock::Now,
    error::AppError,
    money::Fen,
    pagination::new_id,
    stored::Stored,
};

/// The checks an entry passed and the reasons of those it failed.
#[derive(Default)]
struct Verdict {
    passed: Vec<Check>,
    failed: Vec<&'static str>,
}

impl Verdict {
    fn check(&mut self, ok: bool, check: Check, reason: &'static str) {
        if ok {
            self.passed.push(check);
        } else {
            self.failed.push(reason);
        }
    }
}

/// One apprentice's ledger in the making: its entries as booked so far.
struct Ledger<'a> {
    actor: &'a Actor,
    a: &'a agreement::Model,
    r: &'a apprentice::Model,
    now: Now,
    entries: Vec<entry::Model>,
    closed: HashMap<String, bool>,
    open: Option<String>,
    out: Booked,
}

impl Ledger<'_> {
    async fn open_period(&mut self, conn: &impl ConnectionTrait) -> Result<String, AppError> {
        if let Some(code) = &self.open {
            return Ok(code.clone());
        }
        let code = periods::open_period(conn, self.now.today).await?;
        self.open = Some(code.clone());
        Ok(code)
    }

    /// What is booked for `kind` in year `n`: the entry and its adjustments.
    fn booked_total(&self, kind: EntryKind, n: i32) -> i64 {
        self.entries
            .iter()
            .filter(|e| e.apprenticeship_year == n && e.status == EntryStatus::Booked.as_str())
            .filter(|e| {
                e.kind == kind.as_str()
                    || e.kind == EntryKind::Adjustment.as_str()
                        && e.adjusts.as_deref() == Some(kind.as_str())
            })
            .map(|e| e.amount_fen)
            .sum()
    }

    async fn audit(
        &self,
        conn: &impl ConnectionTrait,
        action: &str,
        e: &entry::Model,
    ) -> Result<(), AppError> {
        audit::append(
            conn,
            self.actor,
            Change {
                action,
                record_type: "apprenticeship_subsidy_entry",
                record_id: &e.id,
                summary: serde_json::json!({"apprentice_id": e.apprentice_id, "year": e.apprenticeship_year,
                    "kind": e.kind, "adjusts": e.adjusts, "amount": Fen(e.amount_fen).to_string(),
                    "status": e.status, "period": e.period, "held_reason": e.held_reason}),
            },
        )
        .await?;
        Ok(())
    }

    async fn insert(
        &mut self,
        conn: &impl ConnectionTrait,
        (kind, adjusts, y): (EntryKind, Option<EntryKind>, &AppYear),
        amount: i64,
        verdict: &Verdict,
    ) -> Result<(), AppError> {
        let held = !verdict.failed.is_empty();
        let period = if held {
            None
        } else {
            Some(self.open_period(conn).await?)
        };
        let slot = match (adjusts, &period) {
            (Some(k), Some(p)) => format!("{}@{p}", k.as_str()),
            _ => String::new(),
        };
        let row = entry::ActiveModel {
            id: Set(new_id()),
            apprentice_id: Set(self.r.id.clone()),
            agreement_id: Set(self.a.id.clone()),
            employer_id: Set(self.a.employer_id.clone()),
            apprenticeship_year: Set(y.number),
            rate_year: Set(y.starts_on.year()),
            kind: Set(kind.as_str().to_owned()),
            adjusts: Set(adjusts.map(|k| k.as_str().to_owned())),
            slot: Set(slot),
            amount_fen: Set(amount),
            status: Set(if held {
                EntryStatus::Held
            } else {
                EntryStatus::Booked
            }
            .as_str()
            .to_owned()),
            period: Set(period),
            checks: Set(checks_json(&verdict.passed)),
            held_reason: Set(held.then(|| verdict.failed.join("；"))),
            created_at: Set(self.now.stamp()),
            updated_at: Set(self.now.stamp()),
        }
        .insert(conn)
        .await?;
        let action = match (held, adjusts) {
            (true, _) => {
                self.out.held += 1;
                "apprenticeship_subsidy.hold"
            }
            (false, Some(_)) => {
                self.out.adjusted += 1;
                "apprenticeship_subsidy.adjust"
            }
            (false, None) => {
                self.out.booked += 1;
                "apprenticeship_subsidy.book"
            }
        };
        self.audit(conn, action, &row).await?;
        self.entries.push(row);
        Ok(())
    }

    async fn update(
        &mut self,
        conn: &impl ConnectionTrait,
        i: usize,
        action: &str,
        change: impl FnOnce(&mut entry::ActiveModel),
    ) -> Result<(), AppError> {
        let mut active = self.entries[i].clone().into_active_model();
        change(&mut active);
        active.updated_at = Set(self.now.stamp());
        let row = active.update(conn).await?;
        self.audit(conn, action, &row).await?;
        self.entries[i] = row;
        Ok(())
    }

    /// Makes what is booked for `kind` in year `y` equal `amount`, as the rules allow.
    async fn want(
        &mut self,
        conn: &impl ConnectionTrait,
        kind: EntryKind,
        y: &AppYear,
        amount: i64,
        verdict: Verdict,
    ) -> Result<(), AppError> {
        let found = self.entries.iter().position(|e| {
            e.kind == kind.as_str() && e.apprenticeship_year == y.number && e.slot.is_empty()
        });
        let ok = verdict.failed.is_empty();
        let Some(i) = found else {
            if amount != 0 || !ok {
                self.insert(conn, (kind, None, y), amount, &verdict).await?;
            }
            return Ok(());
        };
        let e = &self.entries[i];
        if e.status == EntryStatus::Held.as_str() {
            if ok {
                let period = self.open_period(conn).await?;
                self.out.released += 1;
                let checks = checks_json(&verdict.passed);
                return self
                    .update(conn, i, "apprenticeship_subsidy.release", |m| {
                        m.status = Set(EntryStatus::Booked.as_str().to_owned());
                        m.period = Set(Some(period));
                        m.amount_fen = Set(amount);
                        m.checks = Set(checks);
                        m.held_reason = Set(None);
                    })
                    .await;
            }
            let reason = verdict.failed.join("；");
            if e.amount_fen != amount || e.held_reason.as_deref() != Some(reason.as_str()) {
                self.out.held += 1;
                let checks = checks_json(&verdict.passed);
                return self
                    .update(conn, i, "apprenticeship_subsidy.hold", |m| {
                        m.amount_fen = Set(amount);
                        m.checks = Set(checks);
                        m.held_reason = Set(Some(reason));
                    })
                    .await;
            }
            return Ok(());
        }
        let diff = amount - self.booked_total(kind, y.number);
        if diff == 0 {
            return Ok(());
        }
        let period_closed = e
            .period
            .as_ref()
            .is_some_and(|p| self.closed.get(p) == Some(&true));
        if !period_closed {
            self.out.corrected += 1;
            let corrected = e.amount_fen + diff;
            return self
                .update(conn, i, "apprenticeship_subsidy.correct", |m| {
                    m.amount_fen = Set(corrected);
                })
                .await;
        }
        let open = self.open_period(conn).await?;
        let slot = format!("{}@{open}", kind.as_str());
        let adjustment = self.entries.iter().position(|e| {
            e.kind == EntryKind::Adjustment.as_str()
                && e.apprenticeship_year == y.number
                && e.slot == slot
        });
        match adjustment {
            Some(j) => {
                self.out.adjusted += 1;
                let amount = self.entries[j].amount_fen + diff;
                self.update(conn, j, "apprenticeship_subsidy.adjust", |m| {
                    m.amount_fen = Set(amount);
                })
                .await
            }
            None => {
                let grounds = Verdict {
                    passed: verdict.passed,
                    failed: Vec::new(),
                };
                self.insert(conn, (EntryKind::Adjustment, Some(kind), y), diff, &grounds)
                    .await
            }
        }
    }
}

fn checks_json(checks: &[Check]) -> String {
    serde_json::json!(checks.iter().map(|c| c.as_str()).collect::<Vec<_>>()).to_string()
}

/// Books what one apprentice is due as of today. Called under the agreement's lock.
pub(crate) async fn book_apprentice(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    a: &agreement::Model,
    r: &apprentice::Model,
    now: Now,
) -> Result<Booked, AppError> {
    lock_ledger(conn).await?;
    let rates: HashMap<i32, rate::Model> =
        rates::by_year(conn, &a.city_code, &a.target_level).await?;
    let plan = milestone::Entity::find()
        .filter(milestone::Column::AgreementId.eq(&a.id))
        .all(conn)
        .await?;
    let met: HashSet<String> = done::Entity::find()
        .filter(done::Column::ApprenticeId.eq(&r.id))
        .all(conn)
        .await?
        .into_iter()
        .map(|d| d.milestone_id)
        .collect();
    let entries = entry::Entity::find()
        .filter(entry::Column::ApprenticeId.eq(&r.id))
        .all(conn)
        .await?;
    let status = ApprenticeStatus::read("apprentices", &r.id, &r.status)?;
    let mut ledger = Ledger {
        actor,
        a,
        r,
        now,
        entries,
        closed: periods::closed(conn).await?,
        open: None,
        out: Booked::default(),
    };
    for y in terms::years(a.starts_on, a.ends_on) {
        if y.starts_on > now.today || r.left_on.is_some_and(|l| l < y.starts_on) {
            break;
        }
        let rate = rates.get(&y.starts_on.year());
        let yearly = rate.map_or(0, |rt| rt.yearly_amount_fen * i64::from(y.months) / 12);
        let common = |v: &mut Verdict| {
            v.check(
                rate.is_some(),
                Check::RateConfigured,
                "该年度未配置此目标等级的补贴标准",
            );
            v.check(
                r.contract_starts_on <= y.starts_on && r.contract_ends_on >= y.ends_on,
                Check::ContractCoversPeriod,
                "劳动合同未覆盖该培养年度",
            );
            v.check(
                !r.mentor_name.is_empty(),
                Check::MentorAssigned,
                "未配备企业导师",
            );
        };
        let mut v = Verdict::default();
        common(&mut v);
        let employed = if y.number == 1 {
            Check::EmployedAtStart
        } else {
            Check::StillEmployedAtAnniversary
        };
        v.check(true, employed, "");
        let due_met = plan
            .iter()
            .filter(|m| m.due_on < y.starts_on)
            .all(|m| met.contains(&m.id));
        v.check(
            due_met,
            Check::MilestonesMet,
            "此前到期的培养节点未全部完成",
        );
        let share = rate.map_or(0, |rt| rt.advance_share_percent);
        let advance = Fen(yearly).share(share).0;
        ledger
            .want(conn, EntryKind::Advance, &y, advance, v)
            .await?;
        if status == ApprenticeStatus::Completed {
            let mut v = Verdict::default();
            common(&mut v);
            v.check(true, Check::StillEmployedAtAnniversary, "");
            let all_met = plan.iter().all(|m| met.contains(&m.id));
            v.check(all_met, Check::MilestonesMet, "培养计划的节点未全部完成");
            let balance = yearly - ledger.booked_total(EntryKind::Advance, y.number);
            ledger
                .want(conn, EntryKind::Balance, &y, balance, v)
                .await?;
        }
        let left_in_year = r
            .left_on
            .is_some_and(|l| y.starts_on <= l && l <= y.ends_on);
        if status == ApprenticeStatus::Left && left_in_year {
            let back = -ledger.booked_total(EntryKind::Advance, y.number);
            let v = Verdict {
                passed: vec![Check::LeftEarly],
                failed: Vec::new(),
            };
            ledger.want(conn, EntryKind::Clawback, &y, back, v).await?;
        }
    }
    Ok(ledger.out)
}

//! The apprenticeship subsidy ledger: per enterprise and year what is due, paid and to
//! recover, every entry with its checks (or why it is held), and for the bureau the
//! periods it closes, the payments it records, the booking run and the yearly rates.
//! An enterprise sees its own figures and entries.

use askama::Template;
use axum::{
    extract::{Path, Query, State},
    response::{IntoResponse, Response},
};
use axum_extra::extract::cookie::CookieJar;
use chrono::Datelike;
use serde::Deserialize;

use super::{Failed, Pairs, date_field, field, finish, unreadable};
use crate::{
    access::Role,
    apprenticeships::{
        ledger::{self, Entry, LedgerQuery, generate, summary},
        names::{self, Named},
        periods::{self, PaymentInput, PeriodView},
        rates::{self, Rate, RateInput},
        status::PeriodStatus,
    },
    error::AppError,
    http::{
        AppState,
        policy::{Bureau, LedgerReaders},
        web::{
            WebError, html,
            session::{CheckedForm, Session, SignedIn},
            staff::{FieldErrors, Shell},
        },
    },
    organisations::{self, OrgKind},
    standards::reference,
};

/// One entry as the page lists it.
pub struct EntryLine {
    entry: Entry,
    apprentice: Option<Named>,
    employer: String,
}

/// One enterprise's figures, named.
pub struct SummaryLine {
    employer: String,
    figures: summary::Summary,
}

#[derive(Template)]
#[template(path = "apprenticeships/ledger.html")]
struct LedgerPage {
    shell: Shell,
    is_bureau: bool,
    year: i32,
    summaries: Vec<SummaryLine>,
    entries: Vec<EntryLine>,
    next_page: Option<String>,
    periods: Vec<PeriodView>,
    rates: Vec<Rate>,
    employers: Vec<(String, String)>,
    levels: Vec<reference::SkillLevel>,
    region: String,
    today: String,
    failed: Failed,
}

impl LedgerPage {
    fn open(&self, p: &PeriodView) -> bool {
        p.status == PeriodStatus::Open
    }

    fn level_label<'a>(&'a self, code: &'a str) -> &'a str {
        self.levels
            .iter()
            .find(|l| l.code == code)
            .map_or(code, |l| l.label.as_str())
    }
}

#[derive(Deserialize)]
pub struct LedgerParams {
    year: Option<i32>,
    cursor: Option<String>,
}

/// The ledger page.
pub async fn page(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<LedgerReaders>,
    jar: CookieJar,
    Query(q): Query<LedgerParams>,
) -> Result<Response, WebError> {
    let year = q.year.filter(|y| (2000..=2100).contains(y));
    render(&app, &session, jar, year, q.cursor, Failed::none()).await
}

async fn render(
    app: &AppState,
    session: &Session,
    jar: CookieJar,
    year: Option<i32>,
    cursor: Option<String>,
    failed: Failed,
) -> Result<Response, WebError> {
    let conn = &app.db.read;
    let caller = &session.caller;
    let today = app.now().today;
    let year = year.unwrap_or(today.year());
    let is_bureau = caller.role == Role::BureauAdmin;
    let directory: std::collections::HashMap<String, String> =
        organisations::directory(conn).await?.into_iter().collect();
    let name_of = |id: &str| directory.get(id).cloned().unwrap_or_default();
    let summaries = summary::list(conn, caller, year)
        .await?
        .into_iter()
        .map(|figures| SummaryLine {
            employer: name_of(&figures.employer_id),
            figures,
        })
        .collect();
    let query = LedgerQuery {
        year: Some(year),
        limit: Some(100),
        cursor: cursor.filter(|c| !c.is_empty()),
        ..LedgerQuery::default()
    };
    let page = ledger::list(conn, caller, &query).await?;
    let ids: Vec<&str> = page
        .items
        .iter()
        .map(|e| e.apprentice_id.as_str())
        .collect();
    let mut named = names::of(conn, caller, &ids).await?;
    let entries = page
        .items
        .into_iter()
        .map(|entry| EntryLine {
            apprentice: named.remove(&entry.apprentice_id),
            employer: name_of(&entry.employer_id),
            entry,
        })
        .collect();
    let (periods, rates, employers) = if is_bureau {
        let employers = organisations::approved_of_kind(conn, OrgKind::Employer).await?;
        (
            periods::list(conn).await?,
            rates::list(conn).await?,
            employers,
        )
    } else {
        Default::default()
    };
    let levels = reference::skill_levels(conn)
        .await
        .map_err(AppError::from)?
        .into_iter()
        .filter(|l| l.national_digit.is_some())
        .collect();
    let (shell, jar) = Shell::load(app, session, "/apprenticeships/ledger", jar).await?;
    let status = failed.refusal.status;
    let page = LedgerPage {
        shell,
        is_bureau,
        year,
        summaries,
        entries,
        next_page: page.next_cursor.map(|c| {
            let query = serde_urlencoded::to_string([("year", year.to_string()), ("cursor", c)])
                .unwrap_or_default();
            format!("/apprenticeships/ledger?{query}")
        }),
        periods,
        rates,
        employers,
        levels,
        region: app.config.region_code.clone(),
        today: today.to_string(),
        failed,
    };
    Ok((jar, html(status, page.render())).into_response())
}

async fn done(
    app: &AppState,
    session: &Session,
    jar: CookieJar,
    year: Option<i32>,
    form: &'static str,
    typed: Pairs,
    outcome: Result<String, AppError>,
) -> Result<Response, WebError> {
    let to = match year {
        Some(y) => format!("/apprenticeships/ledger?year={y}"),
        None => "/apprenticeships/ledger".to_owned(),
    };
    let again = async |jar, failed| render(app, session, jar, year, None, failed).await;
    finish(jar, to, form, typed, outcome, again).await
}

/// The bureau books what is due into the open period (advances, balances, claw-backs and
/// adjustments), as `POST /api/v1/apprenticeships/ledger/generate` does.
pub async fn book(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Bureau>,
    jar: CookieJar,
    CheckedForm(pairs): CheckedForm<Pairs>,
) -> Result<Response, WebError> {
    let caller = session.caller.clone();
    let outcome = app
        .write(async |txn| generate::generate(txn, &caller, app.now()).await)
        .await
        .map(|b| {
            format!(
                "已记账：新入账 {} 笔，暂缓 {} 笔，放行 {} 笔，更正 {} 笔，跨期调整 {} 笔。",
                b.booked, b.held, b.released, b.corrected, b.adjusted
            )
        });
    done(&app, &session, jar, None, "book", pairs, outcome).await
}

/// The bureau closes a period: its entries never change after.
pub async fn close(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Bureau>,
    jar: CookieJar,
    Path(code): Path<String>,
    CheckedForm(pairs): CheckedForm<Pairs>,
) -> Result<Response, WebError> {
    let caller = session.caller.clone();
    let outcome = app
        .write(async |txn| periods::close(txn, &caller, &code, app.now()).await)
        .await
        .map(|p| format!("已结账 {}（{} 至 {}）。", p.code, p.starts_on, p.ends_on));
    done(&app, &session, jar, None, "close", pairs, outcome).await
}

fn year_field(pairs: &Pairs, errors: &mut FieldErrors) -> Option<i32> {
    let year = field(pairs, "year")
        .parse()
        .ok()
        .filter(|y| (2000..=2100).contains(y));
    if year.is_none() {
        errors.push("year", "请填写年度，如 2026");
    }
    year
}

/// The bureau records a payment to an enterprise (or money recovered from one).
pub async fn payment(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Bureau>,
    jar: CookieJar,
    CheckedForm(pairs): CheckedForm<Pairs>,
) -> Result<Response, WebError> {
    let mut errors = FieldErrors::default();
    let year = year_field(&pairs, &mut errors);
    let paid_on = date_field(&pairs, "paid_on", &mut errors);
    let outcome = match (year, paid_on) {
        (Some(year), Some(paid_on)) => {
            let input = PaymentInput {
                employer_id: field(&pairs, "employer_id"),
                year,
                amount: field(&pairs, "amount"),
                recovered: field(&pairs, "recovered") == "1",
                paid_on,
                note: field(&pairs, "note"),
            };
            let caller = session.caller.clone();
            app.write(async |txn| periods::record_payment(txn, &caller, input, app.now()).await)
                .await
                .map(|s| {
                    format!(
                        "已记录。{} 年度应拨 {} 元，已拨 {} 元，待拨 {} 元，应追回 {} 元。",
                        s.year, s.due, s.paid, s.to_pay, s.to_recover
                    )
                })
        }
        _ => Err(unreadable(errors)),
    };
    done(&app, &session, jar, year, "payment", pairs, outcome).await
}

/// The bureau sets the yearly subsidy per apprentice for a target level in its city.
pub async fn set_rate(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Bureau>,
    jar: CookieJar,
    CheckedForm(pairs): CheckedForm<Pairs>,
) -> Result<Response, WebError> {
    let mut errors = FieldErrors::default();
    let year = year_field(&pairs, &mut errors);
    let level = field(&pairs, "level");
    let known = reference::skill_level(&app.db.read, &level)
        .await
        .map_err(AppError::from)?
        .is_some_and(|l| l.national_digit.is_some());
    if !known {
        errors.push("level", "请选择目标等级");
    }
    let share = field(&pairs, "advance_share_percent").parse::<u32>().ok();
    if share.is_none() {
        errors.push("advance_share_percent", "请填写0–50的整数");
    }
    let outcome = match (year, share) {
        (Some(year), Some(advance_share_percent)) if errors.is_empty() => {
            let input = RateInput {
                yearly_amount: field(&pairs, "yearly_amount"),
                advance_share_percent,
            };
            let caller = session.caller.clone();
            let (city, y) = (app.config.region_code.clone(), year.to_string());
            app.write(async |txn| rates::set(txn, &caller, (&city, &y, &level), input).await)
                .await
                .map(|r| {
                    format!(
                        "已设定 {} 年度补贴标准：每人每年 {} 元，预拨不超过 {}%。",
                        r.year, r.yearly_amount, r.advance_share_percent
                    )
                })
        }
        _ => Err(unreadable(errors)),
    };
    done(&app, &session, jar, year, "rate", pairs, outcome).await
}

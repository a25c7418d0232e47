//! The bureau's funding rules of training orders: every city's rule by year, and a form to
//! set one (a new year's, or a change that orders assigned that year follow from then on).

use askama::Template;
use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::CookieJar;

use super::actions::{Pairs, field};
use crate::{
    error::AppError,
    http::{
        AppState,
        policy::Bureau,
        web::{
            WebError, html,
            session::{CheckedForm, Session, SignedIn},
            staff::{FieldErrors, Refusal, Shell, with_flash},
        },
    },
    orders::funding_rules::{self, FundingRule, FundingRuleInput},
};

#[derive(Template)]
#[template(path = "orders/rules.html")]
struct RulesPage {
    shell: Shell,
    rules: Vec<FundingRule>,
    typed: Pairs,
    errors: FieldErrors,
    refusal: Option<String>,
}

impl RulesPage {
    fn typed(&self, name: &str) -> &str {
        self.typed
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

async fn render(
    app: &AppState,
    session: &Session,
    jar: CookieJar,
    typed: Pairs,
    refusal: Refusal,
) -> Result<Response, WebError> {
    let rules = funding_rules::rules(&app.db.read).await?;
    let (shell, jar) = Shell::load(app, session, "/orders", jar).await?;
    let page = RulesPage {
        shell,
        rules,
        typed,
        errors: refusal.errors,
        refusal: refusal.message,
    };
    Ok((jar, html(refusal.status, page.render())).into_response())
}

/// The rules and the form, filled for the registry's city and the current year.
pub async fn index(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Bureau>,
    jar: CookieJar,
) -> Result<Response, WebError> {
    let year = chrono::Datelike::year(&app.now().today).to_string();
    let typed = vec![
        ("city_code".to_owned(), app.config.region_code.clone()),
        ("year".to_owned(), year),
    ];
    render(&app, &session, jar, typed, Refusal::none()).await
}

/// Sets one rule; a refusal shows each error under its field with what was typed kept.
pub async fn set(
    State(app): State<AppState>,
    SignedIn(session, _): SignedIn<Bureau>,
    jar: CookieJar,
    CheckedForm(pairs): CheckedForm<Pairs>,
) -> Result<Response, WebError> {
    let mut errors = FieldErrors::default();
    let mut percent = |name: &str| -> u32 {
        match field(&pairs, name).parse::<u32>() {
            Ok(n) if n <= 100 => n,
            _ => {
                errors.push(name, "请填写0–100之间的整数");
                0
            }
        }
    };
    let input = FundingRuleInput {
        assignment_share_percent: percent("assignment_share_percent"),
        outcome_share_percent: percent("outcome_share_percent"),
        outcome_threshold_percent: percent("outcome_threshold_percent"),
        months_employed: percent("months_employed"),
    };
    let (city, year) = (field(&pairs, "city_code"), field(&pairs, "year"));
    if city.len() != 6 || !city.chars().all(|c| c.is_ascii_digit()) {
        errors.push("city_code", "请填写6位行政区划代码，如 150784");
    }
    if !year
        .parse::<i32>()
        .is_ok_and(|y| (2000..=2100).contains(&y))
    {
        errors.push("year", "请填写年份，如 2027");
    }
    if !errors.is_empty() {
        return render(&app, &session, jar, pairs, Refusal::fields(errors)).await;
    }
    let caller = session.caller.clone();
    let saved = app
        .write(async |txn| funding_rules::set_rule(txn, &caller, &city, &year, input).await)
        .await;
    match saved {
        Ok(rule) => {
            let done = format!(
                "已保存{}市{}年的订单培训资金规则。",
                rule.city_code, rule.year
            );
            let jar = with_flash(jar, &done);
            Ok((jar, Redirect::to("/orders/funding-rules")).into_response())
        }
        Err(refused @ AppError::Invalid { .. }) => {
            let refusal = Refusal::of(Some(refused))?;
            render(&app, &session, jar, pairs, refusal).await
        }
        Err(other) => Err(other.into()),
    }
}

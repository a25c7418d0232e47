//! Loading the fixed part of the data set — organisations, staff accounts, programs —
//! through the capability functions, creating only what its natural key does not find.

use std::collections::BTreeMap;

use anyhow::{Context, bail};
use entities::{accounts as account, organisations as organisation, programs as program};
use sea_orm::TransactionTrait;
use secrecy::SecretString;

use super::{
    catalogue::{self, ACCOUNTS, ORGANISATIONS, PROGRAMS, Target},
    codes,
    credentials::Credentials,
    explain, lookup,
    output::{AccountOut, DemoData, OrganisationOut, ProgramOut},
};
use crate::{
    access::{Caller, Role, Scope},
    audit::Actor,
    auth::accounts,
    clock::Now,
    db::Db,
    organisations::{self, OrgKind, OrgStatus, OrganisationInput},
    programs::{self, ProgramInput},
    stored::Stored,
};

/// Organisation ids by catalogue key.
pub type OrgIds = BTreeMap<&'static str, String>;

/// Creates (or finds, by credit code) and approves every organisation.
pub async fn organisations(
    db: &Db,
    actor: &Actor,
    data: &mut DemoData,
    now: Now,
) -> anyhow::Result<OrgIds> {
    let txn = db.write.begin().await?;
    let mut ids = OrgIds::new();
    for spec in ORGANISATIONS {
        let code = codes::credit_code(spec.registration, spec.region, spec.seed)?;
        let org = match lookup::row_where(&txn, [(organisation::Column::CreditCode, code.as_str())])
            .await?
        {
            Some(row) if OrgKind::read("organisations", &row.id, &row.kind)? != spec.kind => bail!(
                "credit code {code} is registered to {} ({}), not a {}",
                row.name,
                row.kind,
                spec.kind.as_str()
            ),
            Some(row) => {
                data.summary.organisations.present();
                row.id
            }
            None => {
                let input = OrganisationInput {
                    kind: spec.kind,
                    name: spec.name.to_owned(),
                    credit_code: code.to_string(),
                    address: Some(spec.address.to_owned()),
                    contact_phone: Some(spec.phone.to_owned()),
                    // Evaluation organisations number skill-level certificates with these.
                    national_code: (spec.kind == OrgKind::EvaluationOrg).then(|| "0815".to_owned()),
                    site_code: (spec.kind == OrgKind::EvaluationOrg).then(|| "150784".to_owned()),
                };
                let org = organisations::create(&txn, actor, input, now)
                    .await
                    .map_err(explain(format!("registering {}", spec.name)))?;
                data.summary.organisations.added();
                org.id
            }
        };
        let org = organisations::set_status(&txn, actor, &org, OrgStatus::Approved, now)
            .await
            .map_err(explain(format!("approving {}", spec.name)))?;
        ids.insert(spec.key, org.id.clone());
        data.organisations.push(OrganisationOut {
            id: org.id,
            kind: org.kind,
            name: org.name,
            credit_code: org.credit_code,
        });
    }
    txn.commit().await?;
    Ok(ids)
}

/// Creates (or finds, by login) every staff account; returns, by organisation key, the
/// caller each organisation's first account acts as.
pub async fn staff(
    db: &Db,
    actor: &Actor,
    orgs: &OrgIds,
    credentials: &mut Credentials,
    data: &mut DemoData,
    now: Now,
) -> anyhow::Result<BTreeMap<&'static str, Caller>> {
    let txn = db.write.begin().await?;
    let mut callers = BTreeMap::new();
    for spec in ACCOUNTS {
        let org_id = orgs.get(spec.org).with_context(|| {
            format!(
                "account {} names unknown organisation {}",
                spec.login, spec.org
            )
        })?;
        let (account_id, password) =
            match lookup::row_where(&txn, [(account::Column::Login, spec.login)]).await? {
                Some(row)
                    if Role::read("accounts", &row.id, &row.role)? != spec.role
                        || row.organisation_id.as_ref() != Some(org_id) =>
                {
                    bail!(
                        "login {} already belongs to another {} account; use a fresh database",
                        row.login,
                        row.role
                    )
                }
                Some(row) => {
                    data.summary.staff_accounts.present();
                    (row.id, credentials.get(spec.login))
                }
                None => {
                    let password = credentials.get_or_generate(spec.login);
                    // Stored before the account exists: an account whose password was lost
                    // would be no use to a demo.
                    credentials.save()?;
                    let new = accounts::NewAccount {
                        login: spec.login.to_owned(),
                        password: SecretString::from(password.clone()),
                        role: spec.role,
                        organisation_id: Some(org_id.clone()),
                        display_name: Some(spec.display_name.to_owned()),
                    };
                    let account = accounts::create(&txn, actor, new, now)
                        .await
                        .map_err(explain(format!("creating account {}", spec.login)))?;
                    data.summary.staff_accounts.added();
                    (account.id, Some(password))
                }
            };
        if catalogue::acting_login(spec.org) == Some(spec.login) {
            callers.insert(
                spec.org,
                Caller {
                    account_id,
                    login: spec.login.to_owned(),
                    role: spec.role,
                    organisation_id: Some(org_id.clone()),
                    token_id: "demo".to_owned(),
                    minted_by: None,
                },
            );
        }
        data.accounts.push(AccountOut {
            login: spec.login.to_owned(),
            password,
            role: spec.role,
            organisation_id: Some(org_id.clone()),
            display_name: spec.display_name.to_owned(),
        });
    }
    txn.commit().await?;
    Ok(callers)
}

/// Creates (or finds, by provider and title) every program; returns their ids by
/// catalogue key.
pub async fn programs(
    db: &Db,
    callers: &BTreeMap<&'static str, Caller>,
    data: &mut DemoData,
    now: Now,
) -> anyhow::Result<BTreeMap<&'static str, ProgramOut>> {
    let txn = db.write.begin().await?;
    let mut out = BTreeMap::new();
    for spec in PROGRAMS {
        let caller = callers
            .get(spec.provider)
            .with_context(|| format!("no staff account for provider {}", spec.provider))?;
        let provider_id = caller.organisation_id.clone().unwrap_or_default();
        let id = match lookup::row_where(
            &txn,
            [
                (program::Column::ProviderId, provider_id.as_str()),
                (program::Column::Title, spec.title),
            ],
        )
        .await?
        {
            Some(row) => {
                data.summary.programs.present();
                row.id
            }
            None => {
                let (standard_code, occupation_code, level) = match spec.target {
                    Target::Standard(code) => (Some(code.to_owned()), None, None),
                    Target::Occupation { code, level } => {
                        (None, Some(code.to_owned()), Some(level.to_owned()))
                    }
                };
                let input = ProgramInput {
                    title: spec.title.to_owned(),
                    hours: spec.hours,
                    standard_code,
                    occupation_code,
                    level,
                    min_age: Some(spec.min_age),
                    max_age: Some(spec.max_age),
                    certificates: spec
                        .certificates
                        .iter()
                        .map(|k| catalogue::rule(*k))
                        .collect(),
                };
                let program = programs::create(&txn, &caller.actor(), &provider_id, input, now)
                    .await
                    .map_err(explain(format!("creating program {}", spec.title)))?;
                data.summary.programs.added();
                program.id
            }
        };
        let program = programs::get(&txn, &Scope::All, &id)
            .await
            .map_err(explain(format!("reading program {}", spec.title)))?;
        let view = ProgramOut {
            id: program.id,
            provider_id: program.provider_id,
            title: program.title,
            hours: program.hours,
            standard_code: program.standard_code,
            standard_version: program.standard_version,
            occupation_code: program.occupation_code,
            level: program.level,
        };
        data.programs.push(view.clone());
        out.insert(spec.key, view);
    }
    txn.commit().await?;
    Ok(out)
}

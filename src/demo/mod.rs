//! `registry demo`: a realistic, fictional data set for Erguna — the bureau, two training
//! providers, an evaluation organisation, a licensing authority and two employers with
//! their staff; programs on the three local standards and one occupation; seven 2026
//! cohorts with generated trainees, results, withdrawals and a few trainee logins.
//!
//! Everything goes through the capability functions, so every rule is checked and every
//! change is in the audit log. The data comes from fixed seeds and each record is looked
//! up by its natural key before it is created, so running the command again adds
//! nothing. Passwords are random; they are kept in `<data_dir>/demo/credentials.json`
//! (mode 0600) so a rerun can report them again.

mod catalogue;
mod classes;
mod codes;
mod credentials;
mod lookup;
mod names;
mod output;
mod schedule;
mod setup;
mod trainees;

use std::path::Path;

use anyhow::Context;

use crate::{
    audit::Actor,
    config::Config,
    db::Db,
    error::AppError,
    people::PiiKeys,
    startup::{open_database, pii_keys},
};
use catalogue::PROGRAMS;
use credentials::Credentials;
pub use output::{Count, DemoData, Summary};
use schedule::COHORTS;

/// Loads the demo data set into the configured database, prints a summary and, with
/// `out`, writes the logins, passwords and ids as JSON.
pub async fn run(config: &Config, out: Option<&Path>) -> anyhow::Result<()> {
    let db = open_database(config).await?;
    let keys = pii_keys(config)?;
    let data = load(&db, &keys, &config.data_dir).await?;
    println!("{}", data.summary);
    let missing = data
        .accounts
        .iter()
        .filter(|a| a.password.is_none())
        .count();
    if missing > 0 {
        println!(
            "  注意：{missing} 个账号已存在，但数据目录中没有其密码（{}），输出中密码为 null",
            Credentials::load(&config.data_dir)?.path().display()
        );
    }
    if let Some(path) = out {
        output::write(&data, path)?;
        println!("账号、密码和编号已写入 {}", path.display());
    }
    Ok(())
}

/// Brings the database to the demo data set and describes it. Safe to call again: what
/// exists is found, not duplicated.
pub async fn load(db: &Db, keys: &PiiKeys, data_dir: &Path) -> anyhow::Result<DemoData> {
    check_keys(db, keys).await?;
    let actor = Actor::system("demo");
    let mut credentials = Credentials::load(data_dir)?;
    let mut data = DemoData::default();
    let orgs = setup::organisations(db, &actor, &mut data).await?;
    let callers = setup::staff(db, &actor, &orgs, &mut credentials, &mut data).await?;
    let programs = setup::programs(db, &callers, &mut data).await?;
    let all = trainees::generate_all(COHORTS, |key| PROGRAMS.iter().find(|p| p.key == key))?;
    let evaluation_org_id = orgs
        .get("evaluator")
        .context("no evaluation organisation")?;
    for spec in COHORTS {
        let program_spec = PROGRAMS
            .iter()
            .find(|p| p.key == spec.program)
            .with_context(|| format!("cohort {} names an unknown program", spec.code))?;
        let class = classes::Class {
            keys,
            caller: callers
                .get(program_spec.provider)
                .with_context(|| format!("no staff account for {}", program_spec.provider))?,
            program: programs
                .get(spec.program)
                .with_context(|| format!("program {} was not loaded", spec.program))?,
            evaluation_org_id,
        };
        let trainees = all.get(spec.code).map(Vec::as_slice).unwrap_or_default();
        classes::load(db, &class, spec, trainees, &mut credentials, &mut data).await?;
    }
    data.summary.people = classes::people_count(&all);
    Ok(data)
}

/// Refuses to go on with PII keys that do not open the people already registered: the
/// blind index would not find them, and the demo would register everyone a second time.
async fn check_keys(db: &Db, keys: &PiiKeys) -> anyhow::Result<()> {
    if let Some(person) = lookup::any_person(&db.read).await?
        && keys.open(&person.citizen_id_sealed).is_err()
    {
        anyhow::bail!(
            "个人信息密钥（REGISTRY_PII_KEY 或数据目录中的 keys/pii.key）与数据库中已登记人员所用的\
             密钥不一致，无法识别已有学员；请使用原来的数据目录或密钥"
        );
    }
    Ok(())
}

/// Turns a refusal from a capability into an error that says what was being done and
/// which fields were refused.
fn explain(doing: String) -> impl FnOnce(AppError) -> anyhow::Error {
    move |e| match e {
        AppError::Internal(inner) => inner.context(doing),
        other => {
            let body = other.body();
            let fields: Vec<String> = body
                .fields
                .iter()
                .map(|f| format!("{}: {}", f.field, f.reason))
                .collect();
            anyhow::anyhow!(
                "{doing}: {} [{}] {}",
                body.error,
                fields.join(", "),
                body.message
            )
        }
    }
}

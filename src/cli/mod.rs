//! The `registry` command line (docs/API.md "Command line"), and the demo data set it
//! loads.

pub mod demo;
mod import;
mod keys;
mod report;
mod verify;

use std::{io::BufRead, path::PathBuf, process::ExitCode};

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use sea_orm::TransactionTrait;
use secrecy::SecretString;

use crate::{
    access::Role,
    audit::{self, Actor},
    auth::accounts,
    clock::Clock,
    config::Config,
    organisations::{self, OrgKind, OrgStatus, OrganisationInput},
    people,
    startup::{Application, open_database},
    stored::Stored,
    telemetry,
};

#[derive(Parser)]
#[command(
    name = "registry",
    version,
    about = "额尔古纳市职业技能培训与证书登记系统 (Erguna skills registry)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the server (migrates the database first).
    Serve,
    /// Apply migrations and exit.
    Migrate,
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage organisations.
    #[command(subcommand)]
    Org(OrgCommand),
    /// Audit log tools.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Credential signing keys.
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// Verify a certificate PDF or credential JSON offline against a saved did.json, and
    /// report its status when the registry is reachable (exit code 1 unless genuine and valid).
    Verify {
        file: PathBuf,
        /// The registry's DID document (saved from /.well-known/did.json). Default: fetch
        /// it from REGISTRY_BASE_URL.
        #[arg(long)]
        did: Option<PathBuf>,
        /// Skip the online status check.
        #[arg(long)]
        offline: bool,
    },
    /// Enrol a cohort from a spreadsheet (XLSX, or CSV in UTF-8 or GBK; columns 姓名,
    /// 身份证号, optional 手机号, 重点群体) as the account --as, all or nothing (exit code 1
    /// if any row is refused); people already in the cohort are skipped.
    Import(import::ImportArgs),
    /// The bureau's reports: the dashboard of a year, and the files the reports page
    /// exports, written to a file (the full ledger audited under --as).
    #[command(subcommand)]
    Report(report::ReportCommand),
    /// Load a realistic demo data set (idempotent) and write its logins, passwords and ids
    /// as JSON
    Demo {
        /// Where to write them (default: demo.json in the data directory).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add an account; the password is read from the first line of stdin.
    Add {
        #[arg(long)]
        login: String,
        /// bureau_admin, provider_staff, assessor, licensing_officer, employer or trainee.
        #[arg(long)]
        role: String,
        /// The organisation's id (required for every role but bureau_admin and trainee).
        #[arg(long)]
        org: Option<String>,
        #[arg(long)]
        name: Option<String>,
        /// For --role trainee (required): the id of the person the account belongs to.
        #[arg(long)]
        person: Option<String>,
    },
}

#[derive(Subcommand)]
enum OrgCommand {
    /// Register an organisation and print its id.
    Add {
        /// bureau, training_provider, evaluation_org, licensing_authority or employer.
        #[arg(long)]
        kind: String,
        #[arg(long)]
        name: String,
        /// 统一社会信用代码 (18 characters).
        #[arg(long)]
        credit_code: String,
        /// Approve it at once.
        #[arg(long)]
        approve: bool,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the hash chain and name the first broken entry (exit code 1 if broken).
    Verify,
}

/// Runs the command line and turns its outcome into an exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("错误：无法启动运行时：{e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误：{e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let config = Config::from_env()?;
    let now = Clock::system(config.utc_offset).now();
    match cli.command {
        Command::Serve => {
            let app = Application::build(config).await?;
            tracing::info!(addr = %app.local_addr(), "registry listening");
            app.run_until_stopped().await?;
        }
        Command::Migrate => {
            open_database(&config).await?;
            println!("数据库已迁移到最新版本");
        }
        Command::User(UserCommand::Add {
            login,
            role,
            org,
            name,
            person,
        }) => {
            let role = Role::parse(&role)?;
            if role == Role::Trainee && person.is_none() {
                bail!("学员账号须关联到学员本人：请用 --person 指定学员（人员）编号");
            }
            if role != Role::Trainee && person.is_some() {
                bail!("--person 仅用于学员账号（--role trainee）");
            }
            let password = read_password()?;
            let db = open_database(&config).await?;
            let txn = db.write.begin().await?;
            let actor = Actor::system("cli");
            let account = match person {
                Some(person_id) => {
                    let row = people::store::find_row(&txn, &person_id)
                        .await
                        .map_err(|e| anyhow::anyhow!("{}", e.body().message))?
                        .with_context(|| format!("没有编号为 {person_id} 的学员"))?;
                    people::store::give_login(&txn, &actor, row, login, password, now).await
                }
                None => {
                    let new = accounts::NewAccount {
                        login,
                        password,
                        role,
                        organisation_id: org,
                        display_name: name,
                    };
                    accounts::create(&txn, &actor, new, now).await
                }
            }
            .map_err(|e| anyhow::anyhow!("{}", e.body().message))?;
            txn.commit().await?;
            println!("{}", account.id);
        }
        Command::Org(OrgCommand::Add {
            kind,
            name,
            credit_code,
            approve,
        }) => {
            let kind = OrgKind::parse(&kind)?;
            let db = open_database(&config).await?;
            let txn = db.write.begin().await?;
            let actor = Actor::system("cli");
            let input = OrganisationInput {
                kind,
                name,
                credit_code,
                address: None,
                contact_phone: None,
                national_code: None,
                site_code: None,
            };
            let org = organisations::create(&txn, &actor, input, now)
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.body().message))?;
            if approve {
                organisations::set_status(&txn, &actor, &org.id, OrgStatus::Approved, now)
                    .await
                    .map_err(|e| anyhow::anyhow!("{}", e.body().message))?;
            }
            txn.commit().await?;
            println!("{}", org.id);
        }
        Command::Demo { out } => demo::run(&config, out.as_deref(), now).await?,
        Command::Import(args) => return import::run(&config, args, now).await,
        Command::Report(command) => return report::run(&config, command, now).await,
        Command::Verify { file, did, offline } => {
            return verify::verify_file(&config, &file, did.as_deref(), offline).await;
        }
        Command::Keys(command) => keys::run(&config, command, now).await?,
        Command::Audit(AuditCommand::Verify) => {
            let db = open_database(&config).await?;
            let report = audit::verify(&db.read).await?;
            match report.first_broken {
                None => println!("审计日志完整：共 {} 条记录，哈希链校验通过", report.entries),
                Some(broken) => {
                    println!(
                        "审计日志已被篡改：第 {} 条记录起哈希链断裂（{}）",
                        broken.seq, broken.reason
                    );
                    return Ok(ExitCode::FAILURE);
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn read_password() -> anyhow::Result<SecretString> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from stdin")?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        bail!("no password on stdin (pipe it in: echo 'secret' | registry user add …)");
    }
    Ok(password.into())
}

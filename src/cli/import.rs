//! `registry import`: enrolling a cohort from a spreadsheet at the command line — the
//! bureau's historical ledgers (up to `REGISTRY_LEDGER_IMPORT_MAX_ROWS` rows, 200,000 by
//! default) or a provider's list — as a named account (`--as LOGIN`: a bureau
//! administrator, or staff of the cohort's provider), which the audit log names for every
//! person and enrolment written. The same checks and all-or-nothing rule as an upload;
//! a progress bar on stderr when it is a terminal.

use std::{path::PathBuf, process::ExitCode, time::Duration};

use anyhow::{Context, bail};
use entities::{accounts as account, organisations as organisation};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionTrait};

use crate::{
    access::{Caller, Role},
    clock::Now,
    config::Config,
    error::AppError,
    imports::{
        self, Import, ImportReport, Limits,
        progress::{Phase, Progress},
    },
    instance,
    organisations::OrgStatus,
    startup::{self, open_database},
    stored::Stored,
    untrusted,
};

/// How many skipped rows the summary lists.
const SKIPPED_SHOWN: usize = 10;

#[derive(clap::Args)]
pub(super) struct ImportArgs {
    /// The spreadsheet: XLSX, or CSV in UTF-8 or GBK; columns 姓名, 身份证号, optional
    /// 手机号, 重点群体.
    file: PathBuf,
    /// The cohort's id.
    #[arg(long)]
    cohort: String,
    /// The account the import is made as, and audited under: a bureau administrator, or
    /// staff of the cohort's provider.
    #[arg(long = "as", value_name = "LOGIN")]
    login: String,
    /// Check every row and keep nothing.
    #[arg(long)]
    dry_run: bool,
}

/// Runs an import; exit code 1 when the file or any row is refused.
pub(super) async fn run(config: &Config, args: ImportArgs, now: Now) -> anyhow::Result<ExitCode> {
    let limits = Limits::rows(config.ledger_import_max_rows);
    let file = &args.file;
    let bytes = untrusted::read_file(file, limits.file_bytes())
        .with_context(|| format!("无法读取文件 {}", file.display()))?
        .with_context(|| {
            format!(
                "文件 {} 超过 {} MiB，超出一次导入的上限（{} 行）",
                file.display(),
                limits.file_bytes() >> 20,
                limits.max_rows()
            )
        })?;
    let db = open_database(config).await?;
    let pii = startup::pii_keys(config)?;
    let shared = instance::Shared {
        pii: Some(&pii),
        ..Default::default()
    };
    instance::ensure_shared(&db, &shared, now).await?;
    let caller = caller_for(&db.read, &args.login).await?;
    let bar = Bar::new();
    bar.reading();
    let upload = match imports::read(bytes, limits).await {
        Ok(upload) => upload,
        Err(e) => {
            bar.done();
            return Ok(refused(&e));
        }
    };
    let txn = db.write.begin().await?;
    let import = Import {
        cohort_id: &args.cohort,
        upload,
        dry_run: args.dry_run,
        progress: &bar,
    };
    let outcome = imports::enrol_all(&txn, &pii, &caller, import, now).await;
    bar.done();
    match outcome {
        Ok(report) => {
            if args.dry_run {
                txn.rollback().await?;
            } else {
                txn.commit().await?;
            }
            print_report(&report);
            Ok(ExitCode::SUCCESS)
        }
        Err(AppError::NotFound) => {
            txn.rollback().await?;
            bail!(
                "没有编号为 {} 的班次，或账号 {} 无权为它导入名单",
                args.cohort,
                args.login
            )
        }
        Err(e) => {
            txn.rollback().await?;
            Ok(refused(&e))
        }
    }
}

/// The caller an import acts as: the account `login`, which must be able to sign in
/// (not disabled, not an integration account, its organisation approved) and be a bureau
/// administrator or provider staff. The cohort's own check decides which cohorts.
async fn caller_for(conn: &impl ConnectionTrait, login: &str) -> anyhow::Result<Caller> {
    let account = account::Entity::find()
        .filter(account::Column::Login.eq(login))
        .one(conn)
        .await?
        .with_context(|| format!("没有登录名为 {login} 的账号"))?;
    if account.disabled {
        bail!("账号 {login} 已停用，不能导入名单");
    }
    if account.integration {
        bail!(
            "账号 {login} 是系统对接账号，不能在命令行导入名单；请用人社局管理员或培训机构工作人员的账号"
        );
    }
    let role = Role::read("accounts", &account.id, &account.role)?;
    if !matches!(role, Role::BureauAdmin | Role::ProviderStaff) {
        bail!(
            "账号 {login} 的角色是{}；只有人社局管理员或培训机构工作人员可以导入名单",
            role.label()
        );
    }
    if let Some(org_id) = &account.organisation_id {
        let org = organisation::Entity::find_by_id(org_id.clone())
            .one(conn)
            .await?
            .with_context(|| format!("账号 {login} 所属的机构不存在"))?;
        if OrgStatus::read("organisations", &org.id, &org.status)? != OrgStatus::Approved {
            bail!("账号 {login} 所属的机构（{}）未获批准或已暂停", org.name);
        }
    }
    Ok(Caller {
        account_id: account.id,
        login: account.login,
        role,
        organisation_id: account.organisation_id,
        token_id: "cli".to_owned(),
        minted_by: None,
    })
}

fn print_report(report: &ImportReport) {
    let (enrolled, skipped) = (report.enrolled.len(), report.skipped.len());
    if report.dry_run {
        println!(
            "检查通过：共 {} 行，{enrolled} 名可导入，{skipped} 名已在本班次中将跳过（试运行，未写入）",
            report.rows
        );
    } else {
        println!("已导入 {enrolled} 名学员，跳过 {skipped} 名已在本班次中的学员");
    }
    for row in report.skipped.iter().take(SKIPPED_SHOWN) {
        println!("  第{}行  {}  {}", row.row, row.citizen_id, row.message);
    }
    if skipped > SKIPPED_SHOWN {
        println!("  ……");
    }
}

/// Prints an import's refusal, field by field; the failing exit code.
pub(super) fn refused(e: &AppError) -> ExitCode {
    let body = e.body();
    eprintln!("{}", body.message);
    for f in body.fields {
        match f.row {
            Some(row) => eprintln!("  第{row}行  {}  {}", f.field, f.reason),
            None => eprintln!("  {}  {}", f.field, f.reason),
        }
    }
    ExitCode::FAILURE
}

/// The progress bar on stderr; drawn only when stderr is a terminal.
struct Bar(ProgressBar);

impl Bar {
    fn new() -> Self {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        Self(bar)
    }

    fn reading(&self) {
        self.0.set_style(ProgressStyle::default_spinner());
        self.0.set_message("读取表格");
        self.0.enable_steady_tick(Duration::from_millis(200));
    }

    fn done(&self) {
        self.0.finish_and_clear();
    }
}

impl Progress for Bar {
    fn start(&self, phase: Phase, rows: u64) {
        self.0.disable_steady_tick();
        if let Ok(style) = ProgressStyle::with_template(
            "{msg} [{bar:40}] {human_pos}/{human_len} 行 （{per_sec}，约 {eta} 完成）",
        ) {
            self.0.set_style(style.progress_chars("=> "));
        }
        self.0.set_message(phase.label());
        self.0.set_length(rows);
        self.0.set_position(0);
    }

    fn advance(&self, rows: u64) {
        self.0.inc(rows);
    }
}

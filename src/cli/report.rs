//! `registry report …`: the bureau's reports at the command line — the dashboard of a
//! statistical year, and the files the reports page exports, written with the same bytes
//! (the full ledger audited as from the page, under the bureau account named with `--as`),
//! with bounded memory whatever their size and a progress bar on stderr when it is a
//! terminal.

use std::{path::PathBuf, process::ExitCode, sync::Arc};

use anyhow::{Context, bail};
use entities::accounts as account;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionTrait};
use tokio::io::AsyncWriteExt;

use crate::{
    access::{Caller, Role},
    clock::Now,
    config::Config,
    instance,
    reports::{
        self,
        dashboard::{self, Count, Dashboard},
        dispatch, dispatch_file,
        export::{self, Format},
        ledger, notice,
        periods::ReportPeriod,
    },
    startup::{self, open_database},
    stored::Stored,
};

/// The reports, one subcommand each.
#[derive(clap::Subcommand)]
pub(super) enum ReportCommand {
    /// The dashboard of a statistical year: each measure against its target, by month;
    /// person-times by key group and provider; certificates by kind and status; orders and
    /// agreements by stage.
    Dashboard {
        #[command(flatten)]
        year: YearArg,
        /// Print the JSON the API answers (GET /api/v1/reports/dashboard) instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// The 培训合格证书 ledger of a statistical year, as the reports page exports it: ID
    /// numbers masked, or with --full in clear (audited under --as).
    Ledger(LedgerArgs),
    /// A reporting period's dispatch (统计月报、季报、年报) as the period's page exports it:
    /// a locked period from its frozen figures, the same bytes every time.
    Dispatch {
        /// `YYYY-MM` (the statistical month: 21st of the month before to the 20th),
        /// `YYYY-Qn` or `YYYY`.
        #[arg(long)]
        period: String,
        #[arg(long, value_enum, default_value = "xlsx")]
        format: FileFormat,
        /// Where to write the file (replaced if it exists; readable by its owner only).
        #[arg(long)]
        out: PathBuf,
    },
    /// The 公示 list of subsidised items of a statistical year or one of its months, names
    /// and ID numbers masked, as the reports page exports it.
    Notice {
        #[command(flatten)]
        year: YearArg,
        /// 1–12: one statistical month of the year.
        #[arg(long)]
        month: Option<u32>,
        #[arg(long, value_enum, default_value = "xlsx")]
        format: FileFormat,
        /// Where to write the file (replaced if it exists; readable by its owner only).
        #[arg(long)]
        out: PathBuf,
    },
}

/// Which statistical year.
#[derive(clap::Args)]
pub(super) struct YearArg {
    /// 2000–2100 (21 December of the year before to 20 December); the current statistical
    /// year when absent.
    #[arg(long)]
    year: Option<i32>,
}

impl YearArg {
    fn resolve(&self, now: Now) -> anyhow::Result<i32> {
        match self.year {
            None => Ok(reports::year_of(now.today)),
            Some(y) if (2000..=2100).contains(&y) => Ok(y),
            Some(_) => bail!("年度须为2000–2100"),
        }
    }
}

/// The file an export is written as.
#[derive(Clone, Copy, clap::ValueEnum)]
pub(super) enum FileFormat {
    /// UTF-8 with a byte-order mark.
    Csv,
    Xlsx,
}

impl From<FileFormat> for Format {
    fn from(format: FileFormat) -> Self {
        match format {
            FileFormat::Csv => Format::Csv,
            FileFormat::Xlsx => Format::Xlsx,
        }
    }
}

#[derive(clap::Args)]
pub(super) struct LedgerArgs {
    #[command(flatten)]
    year: YearArg,
    /// The ID numbers in clear: the bureau's own ledger, audited.
    #[arg(long, requires = "login")]
    full: bool,
    /// The bureau administrator a full ledger is exported as, and audited under.
    #[arg(long = "as", value_name = "LOGIN")]
    login: Option<String>,
    #[arg(long, value_enum, default_value = "csv")]
    format: FileFormat,
    /// Where to write the file (replaced if it exists; readable by its owner only).
    #[arg(long)]
    out: PathBuf,
}

/// Runs a report command.
pub(super) async fn run(
    config: &Config,
    command: ReportCommand,
    now: Now,
) -> anyhow::Result<ExitCode> {
    match command {
        ReportCommand::Dashboard { year, json } => {
            let year = year.resolve(now)?;
            let db = open_database(config).await?;
            let d = dashboard::get(&db.read, year, now.today)
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.body().message))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&d)?);
            } else {
                print_dashboard(&d);
            }
        }
        ReportCommand::Ledger(args) => export_ledger(config, args, now).await?,
        ReportCommand::Dispatch {
            period,
            format,
            out,
        } => {
            let Some(period) = ReportPeriod::parse(&period) else {
                bail!("统计期 {period} 无效：应为 2026-03（月）、2026-Q1（季）或 2026（年）");
            };
            let db = open_database(config).await?;
            let d = dispatch::get(&db.read, &period)
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.body().message))?;
            let bytes = match format {
                FileFormat::Csv => dispatch_file::csv(&d),
                FileFormat::Xlsx => dispatch_file::xlsx(&d),
            }
            .map_err(|e| anyhow::anyhow!("{}", e.body().message))?;
            write(export::whole(bytes), &out).await?;
            let state = if d.lock.is_some() {
                "已锁定"
            } else {
                "未锁定，数字随记录变化"
            };
            println!(
                "已导出{}{}（{state}），写入 {}",
                d.title,
                d.period.kind.label(),
                out.display()
            );
        }
        ReportCommand::Notice {
            year,
            month,
            format,
            out,
        } => {
            let year = year.resolve(now)?;
            if month.is_some_and(|m| !(1..=12).contains(&m)) {
                bail!("月份须为1–12");
            }
            let db = open_database(config).await?;
            let lines = notice::lines(&db.read, year, month)
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.body().message))?;
            let bytes = match format {
                FileFormat::Csv => notice::csv(&lines),
                FileFormat::Xlsx => notice::xlsx(&lines, year),
            }
            .map_err(|e| anyhow::anyhow!("{}", e.body().message))?;
            write(export::whole(bytes), &out).await?;
            println!(
                "已导出 {year} 年补贴公示名单：{} 行，写入 {}",
                lines.len(),
                out.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn export_ledger(config: &Config, args: LedgerArgs, now: Now) -> anyhow::Result<()> {
    let year = args.year.resolve(now)?;
    let db = open_database(config).await?;
    let pii = Arc::new(startup::pii_keys(config)?);
    let shared = instance::Shared {
        pii: Some(&pii),
        ..Default::default()
    };
    instance::ensure_shared(&db, &shared, now).await?;
    let caller = match (&args.login, args.full) {
        (Some(login), true) => Some(bureau_caller(&db.read, login).await?),
        _ => None,
    };
    let reading = ledger::Reading::open(&db, pii, year, args.full)
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.body().message))?;
    let lines = reading.lines();
    if let Some(caller) = &caller {
        let txn = db.write.begin().await?;
        ledger::audit_full(&txn, caller, year, lines)
            .await
            .map_err(|e| anyhow::anyhow!("{}", e.body().message))?;
        txn.commit().await?;
    }
    let bar = bar(lines);
    let advance = bar.clone();
    let pieces = export::spawn(reading, ledger::table(year), args.format.into(), move |n| {
        advance.inc(n)
    });
    let written = write(pieces, &args.out).await;
    bar.finish_and_clear();
    written?;
    let which = if args.full {
        "（含身份证号，已记入审计日志）"
    } else {
        ""
    };
    println!(
        "已导出 {year} 年培训合格证书台账{which}：{lines} 行，写入 {}",
        args.out.display()
    );
    Ok(())
}

/// Writes the pieces into `out` through a temporary name beside it, so that a failed
/// export never leaves a file that looks whole.
async fn write(mut pieces: export::Pieces, out: &std::path::Path) -> anyhow::Result<()> {
    let name = out.file_name().context("--out 须是文件名")?;
    let part = out.with_file_name(format!("{}.part", name.to_string_lossy()));
    let mut file = tokio::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&part)
        .await
        .with_context(|| format!("无法写入 {}", part.display()))?;
    while let Some(piece) = pieces.recv().await {
        let written = match piece {
            Ok(bytes) => file.write_all(&bytes).await.map_err(anyhow::Error::from),
            Err(e) => Err(anyhow::anyhow!("导出失败：{e}")),
        };
        if let Err(e) = written {
            drop(file);
            let _ = tokio::fs::remove_file(&part).await;
            return Err(e.context(format!("未写入 {}", out.display())));
        }
    }
    file.sync_all().await?;
    drop(file);
    tokio::fs::rename(&part, out)
        .await
        .with_context(|| format!("无法写入 {}", out.display()))
}

/// A bar of `lines` lines on stderr, drawn only when it is a terminal.
fn bar(lines: u64) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(lines), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("导出 [{bar:40}] {human_pos}/{human_len} 行 （约 {eta} 完成）")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// The account a full export is made as: a bureau administrator who can sign in.
async fn bureau_caller(conn: &impl ConnectionTrait, login: &str) -> anyhow::Result<Caller> {
    let account = account::Entity::find()
        .filter(account::Column::Login.eq(login))
        .one(conn)
        .await?
        .with_context(|| format!("没有登录名为 {login} 的账号"))?;
    if account.disabled || account.integration {
        bail!("账号 {login} 已停用或是系统对接账号，不能导出含身份证号的台账");
    }
    let role = Role::read("accounts", &account.id, &account.role)?;
    if role != Role::BureauAdmin {
        bail!(
            "账号 {login} 的角色是{}；只有人社局管理员可以导出含身份证号的台账",
            role.label()
        );
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

fn print_dashboard(d: &Dashboard) {
    println!(
        "{} 年度统计（{} 至 {}，全年已过 {}%）",
        d.year, d.starts_on, d.ends_on, d.elapsed_percent
    );
    for line in &d.lines {
        let target = match (line.target, line.percent) {
            (Some(t), Some(p)) => format!(" / 目标 {t}（完成 {p}%）"),
            _ => " （未设目标）".to_owned(),
        };
        println!("\n{}：{}{target}", line.label, line.actual);
        let months: Vec<String> = d
            .months
            .iter()
            .zip(&line.by_month)
            .map(|(m, n)| format!("{}月 {n}", m.get(5..).unwrap_or(m)))
            .collect();
        println!("  {}", months.join("  "));
    }
    counts("培训人次（按重点群体）", &d.by_key_group);
    counts("培训人次（按培训机构）", &d.by_provider);
    println!("\n证书（按类别、状态）");
    for kind in &d.certificates {
        let statuses: Vec<String> = kind
            .by_status
            .iter()
            .map(|c| format!("{} {}", c.label, c.count))
            .collect();
        println!("  {} {}  {}", kind.label, kind.total, statuses.join("，"));
    }
    counts("订单（按阶段）", &d.orders_by_status);
    counts("学徒制协议（按阶段）", &d.agreements_by_status);
}

fn counts(title: &str, counts: &[Count]) {
    println!("\n{title}");
    if counts.is_empty() {
        println!("  （无）");
    }
    for c in counts {
        println!("  {} {}", c.label, c.count);
    }
}

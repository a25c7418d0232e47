//! The dashboard's figures for the demo data set equal counts worked out here from plain
//! SQL and the test's own reading of the statistical month (21st to 20th) — every line,
//! month and breakdown of every year the demo touches; every figure on the dashboard page
//! links to a list of exactly that many masked rows, paged, in a fixed number of
//! statements whatever the rows; a query naming no figure is a Chinese 4xx page; and the
//! 公示 list reads back from CSV and XLSX with the order trainees' shares and the ledger's
//! booked entries.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, QueryResult, Statement};
use serde_json::Value;

use crate::{
    helpers::{PASSWORD, TestApp},
    visitor::{Visitor, download},
};

async fn select(app: &TestApp, sql: &str) -> Vec<QueryResult> {
    let backend = app.db.read.get_database_backend();
    app.db
        .read
        .query_all_raw(Statement::from_string(backend, sql))
        .await
        .expect("the query")
}

fn text(row: &QueryResult, at: usize) -> String {
    row.try_get_by_index::<String>(at).expect("text")
}

fn day(row: &QueryResult, at: usize) -> NaiveDate {
    row.try_get_by_index::<NaiveDate>(at).expect("a date")
}

/// The statistical month a day counts in, worked out here: the 21st and after belong to
/// the next month (21 December to the next year's January).
fn month_of(d: NaiveDate) -> (i32, usize) {
    match (d.day() >= 21, d.month()) {
        (false, m) => (d.year(), m as usize),
        (true, 12) => (d.year() + 1, 1),
        (true, m) => (d.year(), m as usize + 1),
    }
}

/// What the dashboard should say for each year, counted from the rows.
#[derive(Default, Debug)]
struct Expected {
    /// (year, measure) → counts per month.
    lines: BTreeMap<(i32, String), [i64; 12]>,
    groups: BTreeMap<i32, BTreeMap<String, i64>>,
    providers: BTreeMap<i32, BTreeMap<String, i64>>,
    /// year → (kind, status) → count.
    certificates: BTreeMap<i32, BTreeMap<(String, String), i64>>,
    orders: BTreeMap<String, i64>,
    agreements: BTreeMap<String, i64>,
}

impl Expected {
    fn add(&mut self, measure: &str, d: NaiveDate) {
        let (year, month) = month_of(d);
        self.lines.entry((year, measure.to_owned())).or_default()[month - 1] += 1;
    }
}

async fn expected(app: &TestApp) -> Expected {
    let mut e = Expected::default();
    let mut tags: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in select(app, "SELECT person_id, key_group FROM person_key_groups").await {
        tags.entry(text(&r, 0)).or_default().push(text(&r, 1));
    }
    let enrolments = "SELECT c.ends_on, e.person_id, c.provider_id FROM enrolments e \
                      JOIN cohorts c ON c.id = e.cohort_id WHERE e.status <> 'withdrawn'";
    for r in select(app, enrolments).await {
        let (ends, person, provider) = (day(&r, 0), text(&r, 1), text(&r, 2));
        let year = month_of(ends).0;
        e.add("training", ends);
        *e.providers
            .entry(year)
            .or_default()
            .entry(provider)
            .or_default() += 1;
        let groups = tags.get(&person).cloned().unwrap_or_default();
        if !groups.is_empty() {
            e.add("key_group_training", ends);
        }
        for g in groups {
            *e.groups.entry(year).or_default().entry(g).or_default() += 1;
        }
    }
    let apprentices = "SELECT g.starts_on FROM apprentices a \
                       JOIN apprenticeship_agreements g ON g.id = a.agreement_id \
                       WHERE g.status = 'filed'";
    for r in select(app, apprentices).await {
        e.add("apprentices", day(&r, 0));
    }
    let measures = [
        ("completion", "completion_certificates"),
        ("skill_level", "skill_level_certificates"),
        ("specialty", "specialty_certificates"),
        ("licence", "licences"),
        ("apprenticeship", "apprenticeship_certificates"),
    ];
    let certificates =
        "SELECT valid_from, kind, status FROM certificates WHERE supersedes_id IS NULL";
    for r in select(app, certificates).await {
        let (issued, kind, status) = (day(&r, 0), text(&r, 1), text(&r, 2));
        if let Some((_, measure)) = measures.iter().find(|(k, _)| *k == kind) {
            e.add(measure, issued);
        }
        *e.certificates
            .entry(month_of(issued).0)
            .or_default()
            .entry((kind, status))
            .or_default() += 1;
    }
    for r in select(app, "SELECT status FROM orders").await {
        *e.orders.entry(text(&r, 0)).or_default() += 1;
    }
    for r in select(app, "SELECT status FROM apprenticeship_agreements").await {
        *e.agreements.entry(text(&r, 0)).or_default() += 1;
    }
    e
}

/// `{key, count}` lists as a map, the zeros left out.
fn counts(list: &Value) -> BTreeMap<String, i64> {
    list.as_array()
        .expect("counts")
        .iter()
        .map(|c| {
            (
                c["key"].as_str().unwrap().to_owned(),
                c["count"].as_i64().unwrap(),
            )
        })
        .filter(|(_, n)| *n > 0)
        .collect()
}

fn check_year(dash: &Value, e: &Expected, year: i32) {
    for line in dash["lines"].as_array().expect("lines") {
        let measure = line["measure"].as_str().unwrap().to_owned();
        let want = e
            .lines
            .get(&(year, measure.clone()))
            .copied()
            .unwrap_or_default();
        let got: Vec<i64> = serde_json::from_value(line["by_month"].clone()).unwrap();
        assert_eq!(got, want.to_vec(), "{year} {measure} by month");
        assert_eq!(line["actual"], want.iter().sum::<i64>(), "{year} {measure}");
    }
    assert_eq!(
        counts(&dash["by_key_group"]),
        e.groups.get(&year).cloned().unwrap_or_default(),
        "{year} by key group"
    );
    assert_eq!(
        counts(&dash["by_provider"]),
        e.providers.get(&year).cloned().unwrap_or_default(),
        "{year} by provider"
    );
    let mut certificates = BTreeMap::new();
    for k in dash["certificates"].as_array().expect("certificates") {
        let kind = k["kind"].as_str().unwrap().to_owned();
        let by_status = counts(&k["by_status"]);
        assert_eq!(k["total"], by_status.values().sum::<i64>(), "{year} {kind}");
        for (status, n) in by_status {
            certificates.insert((kind.clone(), status), n);
        }
    }
    assert_eq!(
        certificates,
        e.certificates.get(&year).cloned().unwrap_or_default(),
        "{year} certificates"
    );
    assert_eq!(counts(&dash["orders_by_status"]), e.orders, "orders");
    assert_eq!(
        counts(&dash["agreements_by_status"]),
        e.agreements,
        "agreements"
    );
}

/// Each `class="drill"` link of a page with the number it shows.
fn drill_links(body: &str) -> Vec<(String, i64)> {
    body.split("<a class=\"drill\" href=\"")
        .skip(1)
        .map(|rest| {
            let (href, rest) = rest.split_once('"').expect("href");
            let count = rest
                .split_once("data-count=\"")
                .and_then(|(_, r)| r.split_once('"'))
                .map(|(n, _)| n.parse().expect("a count"))
                .expect("data-count");
            (href.replace("&amp;", "&").replace("&#38;", "&"), count)
        })
        .collect()
}

/// Follows a rows link page by page: the rows listed, the total shown, the statements of
/// each page.
async fn walk(visitor: &mut Visitor<'_>, href: &str) -> (i64, i64, Vec<u32>) {
    let (mut listed, mut shown, mut statements) = (0, -1, Vec::new());
    let mut next = Some(href.to_owned());
    while let Some(path) = next.take() {
        let page = visitor.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
        listed += page.body.matches("<li data-row>").count() as i64;
        shown = page
            .body
            .split_once("id=\"rows-total\">")
            .and_then(|(_, r)| r.split_once('<'))
            .map(|(n, _)| n.parse().expect("the total"))
            .expect("the total");
        statements.extend(page.statements);
        next = page
            .body
            .split_once("\" rel=\"next\"")
            .and_then(|(before, _)| before.rsplit_once("<a href=\""))
            .map(|(_, h)| h.replace("&amp;", "&").replace("&#38;", "&"));
    }
    (listed, shown, statements)
}

async fn demo(app: &TestApp) -> (String, String) {
    let out = app.data_dir.join("demo-out.json");
    crate::demo::run_demo(app, &out);
    let data: Value = serde_json::from_slice(&std::fs::read(&out).expect("out")).expect("json");
    let bureau = data["accounts"]
        .as_array()
        .and_then(|a| a.iter().find(|a| a["role"] == "bureau_admin"))
        .expect("a bureau account");
    (
        bureau["login"].as_str().unwrap().to_owned(),
        bureau["password"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn the_demo_dashboard_equals_counts_from_plain_sql_and_each_figure_lists_as_many_rows() {
    let app = TestApp::spawn_with(|c| c.statement_count_header = true).await;
    let (login, password) = demo(&app).await;
    let token = app.login(&login, &password).await;
    let e = expected(&app).await;
    let years: BTreeSet<i32> = e.lines.keys().map(|(y, _)| *y).collect();
    assert!(years.contains(&2026), "{years:?}");
    assert!(
        e.lines.len() >= 5,
        "the demo fills most lines: {:?}",
        e.lines
    );
    for &year in &years {
        let (status, dash) = app
            .get(&format!("/api/v1/reports/dashboard?year={year}"), &token)
            .await;
        assert_eq!(status, StatusCode::OK, "{dash}");
        check_year(&dash, &e, year);
    }

    // Every figure on the page links to exactly as many rows.
    let mut office = Visitor::new(&app);
    office.sign_in(&login, &password).await;
    let mut statements: BTreeMap<String, BTreeSet<u32>> = BTreeMap::new();
    let mut followed = 0;
    for &year in &years {
        let page = office.get(&format!("/reports?year={year}")).await;
        assert_eq!(page.status, StatusCode::OK);
        let links = drill_links(&page.body);
        assert!(links.len() > 7 * 13, "{year}: {} links", links.len());
        for (href, count) in links {
            let (listed, shown, used) = walk(&mut office, &href).await;
            assert_eq!((listed, shown), (count, count), "{href}");
            // The kind of row: the figure and, for a measure, which one.
            let of: Vec<&str> = href
                .split(['?', '&'])
                .filter(|p| p.starts_with("of=") || p.starts_with("measure="))
                .collect();
            let of = of.join("&");
            statements.entry(of).or_default().extend(used);
            followed += 1;
        }
    }
    assert!(followed > 100, "{followed}");
    // One query for the page, one count and a fixed number of look-ups, whatever the
    // number of rows (a page of 50 and a page of none run the same statements).
    for (of, used) in &statements {
        assert_eq!(used.len(), 1, "{of}: {used:?}");
    }

    // The API pages the same rows, masked.
    let path = "/api/v1/reports/rows?of=measure&measure=training&year=2026";
    let (status, first) = app.get(path, &token).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["rows"]["kind"], "enrolments");
    let total = first["total"].as_i64().unwrap();
    assert!(total > 50, "{total}");
    let mut items = first["rows"]["items"].as_array().unwrap().clone();
    let mut cursor = first["next_cursor"].clone();
    while let Some(c) = cursor.as_str() {
        let (_, more) = app.get(&format!("{path}&cursor={c}"), &token).await;
        items.extend(more["rows"]["items"].as_array().unwrap().clone());
        cursor = more["next_cursor"].clone();
    }
    assert_eq!(items.len() as i64, total);
    let ids: BTreeSet<&str> = items
        .iter()
        .map(|i| i["enrolment_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), items.len(), "no row twice across pages");
    for i in &items {
        assert!(i["name"].as_str().unwrap().contains('*'), "{i}");
        let id = i["citizen_id"].as_str().unwrap();
        assert!(id.chars().count() == 18 && id.contains("********"), "{i}");
    }
}

#[tokio::test]
async fn a_query_that_names_no_figure_gets_a_chinese_page_and_only_the_bureau_reads_rows() {
    let app = TestApp::spawn().await;
    let bureau = app.training(1).await.bureau;
    let mut office = Visitor::new(&app);
    office.sign_in("bureau", PASSWORD).await;
    for (path, field) in [
        ("/reports/rows", "请指明要查看的统计数字"),
        (
            "/reports/rows?of=measure&measure=smiles&year=2026",
            "没有这个统计指标",
        ),
        (
            "/reports/rows?of=measure&measure=training&year=abc",
            "年度须为2000–2100的整数",
        ),
        (
            "/reports/rows?of=measure&measure=training&month=13",
            "月份须为1–12",
        ),
        ("/reports/rows?of=orders&status=flying", "没有这个订单阶段"),
        (
            "/reports/rows?of=certificates&kind=completion&status=lost",
            "没有这个证书状态",
        ),
        (
            "/reports/public-notice?year=1999",
            "年度须为2000–2100的整数",
        ),
        ("/reports/public-notice?format=pdf", "格式须为 csv 或 xlsx"),
    ] {
        let page = office.get(path).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        assert!(page.body.contains(field), "{path}: {}", page.body);
    }
    let nobody = "/reports/rows?of=provider&provider=00000000-0000-0000-0000-000000000000";
    assert_eq!(office.get(nobody).await.status, StatusCode::NOT_FOUND);
    let empty = office.get("/reports/rows?of=agreements&status=filed").await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.body.contains("没有记录"), "{}", empty.body);

    let (status, body) = app
        .get("/api/v1/reports/rows?of=orders&status=flying", &bureau)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["fields"][0]["field"], "status", "{body}");
    let mut other = Visitor::new(&app);
    other.sign_in("provider-staff", PASSWORD).await;
    let refused = other.get("/reports/rows?of=orders&status=draft").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        other.get("/reports/public-notice").await.status,
        StatusCode::FORBIDDEN
    );
}

/// Yuan with two decimals as fen.
fn fen(yuan: &str) -> i64 {
    let (whole, frac) = yuan.split_once('.').expect("two decimals");
    let sign = if whole.starts_with('-') { -1 } else { 1 };
    sign * (whole.trim_start_matches('-').parse::<i64>().unwrap() * 100
        + frac.parse::<i64>().unwrap())
}

#[tokio::test]
async fn the_public_notice_lists_order_trainees_shares_and_booked_ledger_entries_masked() {
    use calamine::{Reader, Xlsx};

    let app = TestApp::spawn().await;
    let (login, password) = demo(&app).await;
    // Worked out from the rows: each order's trainees (current enrolments in its
    // cohorts, once each) share its fee; each booked ledger entry is a line.
    let trainees = "SELECT o.id, o.training_fee_fen, COUNT(DISTINCT e.person_id) FROM orders o \
                    JOIN order_cohorts l ON l.order_id = o.id \
                    JOIN enrolments e ON e.cohort_id = l.cohort_id \
                    WHERE e.status = 'enrolled' AND o.training_fee_fen IS NOT NULL \
                    GROUP BY o.id, o.training_fee_fen";
    let orders = select(&app, trainees).await;
    assert!(!orders.is_empty(), "the demo has an order in training");
    let order_lines: i64 = orders
        .iter()
        .map(|r| r.try_get_by_index::<i64>(2).unwrap())
        .sum();
    let order_fees: i64 = orders
        .iter()
        .map(|r| r.try_get_by_index::<i64>(1).unwrap())
        .sum();
    let entries = select(
        &app,
        "SELECT period, amount_fen FROM apprenticeship_subsidy_entries WHERE status = 'booked'",
    )
    .await;
    let years: BTreeSet<String> = entries.iter().map(|r| text(r, 0)[..4].to_owned()).collect();
    assert!(!entries.is_empty());

    let mut office = Visitor::new(&app);
    office.sign_in(&login, &password).await;
    let (mut order_seen, mut order_sum, mut entry_seen, mut entry_sum) = (0, 0, 0, 0);
    let mut years = years;
    years.extend((2025..=2027).map(|y: i32| y.to_string()));
    for year in &years {
        let (status, csv) = download(
            &app,
            &office,
            &format!("/reports/public-notice?year={year}"),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(&csv[..3], &[0xEF, 0xBB, 0xBF]);
        // `registry report notice` writes the same file.
        let out = app.data_dir.join(format!("notice-{year}.csv"));
        let ran = crate::report_exports::registry(
            &app,
            &[
                "report",
                "notice",
                "--year",
                year,
                "--format",
                "csv",
                "--out",
                out.to_str().unwrap(),
            ],
        );
        assert!(
            ran.status.success(),
            "{}",
            String::from_utf8_lossy(&ran.stderr)
        );
        assert_eq!(std::fs::read(&out).expect("the file"), csv);
        let mut reader = csv::Reader::from_reader(&csv[3..]);
        let header: Vec<String> = reader
            .headers()
            .expect("a header")
            .iter()
            .map(str::to_owned)
            .collect();
        assert_eq!(header[0], "姓名");
        assert_eq!(header[6], "补贴金额（元）");
        let lines: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.expect("a line").iter().map(str::to_owned).collect())
            .collect();
        for line in &lines {
            assert!(line[0].contains('*'), "{line:?}");
            assert!(line[1].contains("********"), "{line:?}");
            assert!(line[5].starts_with(year.as_str()), "{line:?}");
            match line[2].as_str() {
                "订单式培训" => {
                    order_seen += 1;
                    order_sum += fen(&line[6]);
                }
                "企业新型学徒制" => {
                    entry_seen += 1;
                    entry_sum += fen(&line[6]);
                }
                other => panic!("{other}"),
            }
        }
        // The workbook says the same, cell for cell.
        let (status, xlsx) = download(
            &app,
            &office,
            &format!("/reports/public-notice?year={year}&format=xlsx"),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let mut book = Xlsx::new(std::io::Cursor::new(xlsx)).expect("an XLSX");
        let first = book.sheet_names()[0].clone();
        let range = book.worksheet_range(&first).expect("a sheet");
        let rows: Vec<Vec<String>> = range
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        assert_eq!(rows[0], header);
        assert_eq!(rows[1..].to_vec(), lines, "{year}");
    }
    // Every trainee once, the shares adding up to the fees (the demo's cohorts end in
    // its years); every booked entry once, to the fen.
    assert_eq!(order_seen, order_lines);
    assert_eq!(order_sum, order_fees);
    let booked: i64 = entries
        .iter()
        .map(|r| r.try_get_by_index::<i64>(1).unwrap())
        .sum();
    assert_eq!((entry_seen, entry_sum), (entries.len() as i64, booked));
    // One month: a part of the year.
    let (status, _) = download(&app, &office, "/reports/public-notice?year=2026&month=3").await;
    assert_eq!(status, StatusCode::OK);
}

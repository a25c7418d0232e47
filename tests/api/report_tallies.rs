//! The dashboard's tallies (migration `create_report_tallies`, `reports::tally`) against
//! the live counts of the measures' own definitions (`reports::actuals`), after every
//! kind of change the triggers must follow: enrolments made, withdrawn and made again, a
//! key-group tag arriving with a later enrolment (it counts for the person's earlier
//! enrolment too), certificates issued, revoked (the licence on it suspended) and
//! re-issued by a name correction, and folds — also two at once — between them.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use registry::{
    people::KeyGroup,
    reports::{
        actuals::{self, Who},
        tally,
    },
};
use reqwest::StatusCode;
use sea_orm::{
    QuerySelect,
    sea_query::{Asterisk, Expr, Func},
};
use serde_json::{Value, json};

use crate::{
    certificates::chain,
    corrections::{id_of, licensed, name_correction},
    helpers::{TestApp, citizen_id},
    reports::enrol,
};

/// Every day the tests' records fall on.
const ALL_TIME: (NaiveDate, NaiveDate) = (
    NaiveDate::from_ymd_opt(2000, 1, 1).expect("a day"),
    NaiveDate::from_ymd_opt(2099, 12, 31).expect("a day"),
);

type Tallied<K> = BTreeMap<K, i64>;

/// The certificates as the tally has them and as counted live: (kind, day, status).
async fn certificates(app: &TestApp) -> [Tallied<(String, NaiveDate, String)>; 2] {
    let tallied = tally::certificates(&app.db.read, ALL_TIME)
        .await
        .expect("tally")
        .into_iter()
        .map(|(k, d, s, n)| ((k, d, s), n))
        .collect();
    let live: Vec<(String, NaiveDate, String, i64)> = actuals::counted_certificates(ALL_TIME, None)
        .select_only()
        .column(entities::certificates::Column::Kind)
        .column(entities::certificates::Column::ValidFrom)
        .column(entities::certificates::Column::Status)
        .column_as(Expr::from(Func::count(Expr::col(Asterisk))), "n")
        .group_by(entities::certificates::Column::Kind)
        .group_by(entities::certificates::Column::ValidFrom)
        .group_by(entities::certificates::Column::Status)
        .into_tuple()
        .all(&app.db.read)
        .await
        .expect("live");
    let live = live
        .into_iter()
        .map(|(k, d, s, n)| ((k, d, s), n))
        .collect();
    [tallied, live]
}

/// The enrolments as the tally has them and as counted live: (end day, provider, word).
async fn enrolments(app: &TestApp) -> [Tallied<(NaiveDate, String, String)>; 2] {
    let tallied = tally::enrolments(&app.db.read, ALL_TIME)
        .await
        .expect("tally")
        .into_iter()
        .map(|(d, p, g, n)| ((d, p, g), n))
        .collect();
    let mut live = BTreeMap::new();
    let mut whos = vec![
        (Who::Everyone, tally::EVERYONE.to_owned()),
        (Who::KeyGroups, tally::ANY_GROUP.to_owned()),
    ];
    whos.extend(KeyGroup::ALL.map(|g| (Who::Group(g), g.as_str().to_owned())));
    for (who, word) in whos {
        let rows: Vec<(NaiveDate, String, i64)> = actuals::counted_enrolments(ALL_TIME, who)
            .select_only()
            .column(entities::cohorts::Column::EndsOn)
            .column(entities::cohorts::Column::ProviderId)
            .column_as(Expr::from(Func::count(Expr::col(Asterisk))), "n")
            .group_by(entities::cohorts::Column::EndsOn)
            .group_by(entities::cohorts::Column::ProviderId)
            .into_tuple()
            .all(&app.db.read)
            .await
            .expect("live");
        for (day, provider, n) in rows {
            live.insert((day, provider, word.clone()), n);
        }
    }
    [tallied, live]
}

/// The tallies equal the live counts; returns how many enrolments and certificates
/// they hold, so that each step can show it changed something.
async fn holds(app: &TestApp, after: &str) -> (i64, i64) {
    let [tallied, live] = enrolments(app).await;
    assert_eq!(tallied, live, "enrolments after {after}");
    let everyone = tallied
        .iter()
        .filter(|((_, _, g), _)| g.is_empty())
        .map(|(_, n)| n)
        .sum();
    let [tallied, live] = certificates(app).await;
    assert_eq!(tallied, live, "certificates after {after}");
    (everyone, tallied.values().sum())
}

async fn tally_rows(app: &TestApp) -> i64 {
    app.count("report_certificate_tallies").await + app.count("report_enrolment_tallies").await
}

async fn post_ok(app: &TestApp, path: &str, token: &str, body: Value) -> Value {
    let (status, answer) = app.post(path, token, body).await;
    assert!(status.is_success(), "{path}: {status} {answer}");
    answer
}

#[tokio::test]
async fn the_tallies_follow_every_change_the_measures_count_and_survive_folding() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    assert_eq!(holds(&app, "nothing").await, (0, 0));

    // A chain of three certificates for someone without a tag; two tagged trainees (one
    // in two groups), and one who leaves.
    let (first, [_, specialty, _]) =
        licensed(&app, &c, "娜仁花", &citizen_id("19900412", 11)).await;
    let second = enrol(
        &app,
        &c.staff,
        &c.homestay_cohort,
        "其木格",
        &citizen_id("19920101", 12),
        &["graduate"],
    )
    .await;
    enrol(
        &app,
        &c.staff,
        &c.pastry_cohort,
        "巴特尔",
        &citizen_id("19880303", 13),
        &["graduate", "unemployed"],
    )
    .await;
    let leaver = enrol(
        &app,
        &c.staff,
        &c.homestay_cohort,
        "李红梅",
        &citizen_id("19950505", 14),
        &[],
    )
    .await;
    assert_eq!(holds(&app, "enrolling and issuing").await, (4, 3));

    let withdraw = |enrolment: String| {
        let app = &app;
        let staff = c.staff.clone();
        async move {
            post_ok(
                app,
                &format!("/api/v1/enrolments/{enrolment}/withdraw"),
                &staff,
                json!({"reason": "外出务工"}),
            )
            .await;
        }
    };
    withdraw(leaver).await;
    assert_eq!(holds(&app, "a withdrawal").await, (3, 3));

    // The first trainee enrols again elsewhere as a veteran: the tag counts for her
    // homestay enrolment as well.
    enrol(
        &app,
        &c.staff,
        &c.pastry_cohort,
        "娜仁花",
        &citizen_id("19900412", 11),
        &["veteran_or_military_family"],
    )
    .await;
    let (_, enrolments) = holds(&app, "a tag arriving later").await;
    let [tallied, _] = self::enrolments(&app).await;
    let veterans: i64 = tallied
        .iter()
        .filter(|((_, _, g), _)| g == "veteran_or_military_family")
        .map(|(_, n)| n)
        .sum();
    assert_eq!(
        (veterans, enrolments),
        (2, 3),
        "both of her enrolments, three certificates"
    );

    // Someone without a tag enrols again in two groups at once: both tags arrive in one
    // statement, and she becomes one of the key groups for both enrolments.
    let third = citizen_id("19930707", 15);
    enrol(&app, &c.staff, &c.homestay_cohort, "斯琴", &third, &[]).await;
    enrol(
        &app,
        &c.staff,
        &c.pastry_cohort,
        "斯琴",
        &third,
        &["graduate", "unemployed"],
    )
    .await;
    assert_eq!(holds(&app, "two tags at once").await.0, 6);

    let before = tally_rows(&app).await;
    tally::fold(&app.db.write, 1).await.expect("fold");
    assert!(
        tally_rows(&app).await < before,
        "folding sums rows ({before} before)"
    );
    holds(&app, "folding").await;

    // Revoking the specialty certificate suspends the licence on it; correcting the name
    // re-issues all three (the re-issues are not counted, the old ones are superseded).
    post_ok(
        &app,
        &format!("/api/v1/certificates/{}/revoke", id_of(&specialty)),
        &c.assessor,
        json!({"reason": "代考"}),
    )
    .await;
    holds(&app, "a revocation and the licence it suspends").await;
    let (status, corrected) = app
        .post(
            &format!("/api/v1/people/{first}/corrections"),
            &c.staff,
            name_correction("娜仁高娃"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{corrected}");
    assert_eq!(
        holds(&app, "a name correction").await.1,
        3,
        "re-issues are not counted again"
    );

    // The tagged trainee leaves after all, while two instances fold at once.
    withdraw(second).await;
    let (a, b) = tokio::join!(tally::fold(&app.db.write, 1), tally::fold(&app.db.write, 1));
    a.expect("one fold");
    b.expect("the other fold");
    let second_instance = app.second_instance().await;
    tally::fold(&second_instance.db.write, 1)
        .await
        .expect("a fold on another connection");
    assert_eq!(holds(&app, "a withdrawal and three folds").await, (5, 3));
}

//! A training order through its pages (issue 14): the employer writes an order with its
//! posts, submits it and confirms the posts; the bureau sees the fitting provider and
//! assigns it with the fee; the provider links its cohort; the employer records a hire
//! from the masked trainees and sees the progress change. Each page fits a phone.

use chrono::Duration;
use registry::access::Role;
use serde_json::json;

use super::Browser;
use crate::{
    certificates::{chain, passing},
    helpers::{TestApp, citizen_id},
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_goes_from_the_employer_through_the_bureau_and_provider_to_a_hire() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    for (i, name) in ["娜仁花", "巴特尔", "其木格"].iter().enumerate() {
        app.trainee(
            &c,
            &c.homestay_cohort,
            name,
            &citizen_id("19960301", 500 + i as u32),
            passing(),
        )
        .await;
    }
    app.post(
        &format!("/api/v1/cohorts/{}/certificates", c.homestay_cohort),
        &c.staff,
        json!({}),
    )
    .await;
    let employer = app
        .organisation(&c.bureau, "employer", "额尔古纳市湿地民宿有限公司")
        .await;
    app.account("hotel", Role::Employer, Some(&employer)).await;
    let deadline = (app.clock.now().today + Duration::days(60)).to_string();

    // The employer writes the order; a refused form keeps what was typed, errors below.
    let b = Browser::phone().await;
    b.sign_in_as(&app, "hotel").await;
    b.open(&format!("{}/orders/new", app.base)).await;
    b.type_into("#title", "2027年旺季民宿接待员订单班").await;
    b.type_into("#trainees_wanted", "3").await;
    b.type_into("#hire_commitment", "5").await;
    b.eval(&format!(
        "document.querySelector('#subject').value = 's:150784-MSZLR';
         document.querySelector('#deadline').value = '{deadline}'; return null"
    ))
    .await;
    b.type_into("#post_title_1", "民宿前台接待").await;
    b.type_into("#post_pay_1", "4500").await;
    b.type_into("#post_headcount_1", "2").await;
    b.type_into("#post_place_1", "拉布大林").await;
    b.submit("form[action='/orders'] button[type=submit]:not([name=more])")
        .await;
    let refused = b.text().await;
    assert!(
        refused.contains("承诺录用人数不得多于培训人数"),
        "{refused}"
    );
    assert_eq!(
        b.eval("return document.querySelector('#post_title_1').value")
            .await,
        "民宿前台接待"
    );
    b.fits("order-form-refused-390").await;
    b.type_into("#hire_commitment", "2").await;
    b.submit("form[action='/orders'] button[type=submit]:not([name=more])")
        .await;
    let page = b.text().await;
    assert!(page.contains("已保存订单草稿"), "{page}");
    assert!(
        page.contains("民宿前台接待 · 月薪 4500.00 元 · 2 人"),
        "{page}"
    );
    let order_path = b
        .eval("return location.pathname")
        .await
        .as_str()
        .expect("path")
        .to_owned();
    b.submit("form[action$='/submit'] button").await;
    assert!(b.text().await.contains("已提交订单"));
    b.submit("form[action$='/confirm-posts'] button").await;
    let page = b.text().await;
    assert!(page.contains("已确认岗位"), "{page}");
    b.fits("order-employer-submitted-390").await;

    // The bureau sees the provider whose program fits and assigns the order with the fee.
    let bureau = Browser::phone().await;
    bureau.sign_in_as(&app, "bureau").await;
    bureau.open(&format!("{}/orders", app.base)).await;
    assert!(bureau.text().await.contains("2027年旺季民宿接待员订单班"));
    bureau.open(&format!("{}{order_path}", app.base)).await;
    let page = bureau.text().await;
    assert!(page.contains("民宿主理人培训"), "{page}");
    bureau.fits("order-bureau-open-390").await;
    bureau.type_into("#training_fee", "一万").await;
    bureau.submit("form[action$='/assign'] button").await;
    let page = bureau.text().await;
    assert!(page.contains("培训费须为以元计的金额"), "{page}");
    bureau.type_into("#training_fee", "36000").await;
    bureau.submit("form[action$='/assign'] button").await;
    let page = bureau.text().await;
    assert!(page.contains("已将订单分派给"), "{page}");
    assert!(page.contains("培训费 36000.00 元"), "{page}");
    bureau
        .open(&format!("{}/orders/funding-rules", app.base))
        .await;
    assert!(bureau.text().await.contains("分派时 70%"));
    bureau.fits("order-funding-rules-390").await;

    // The provider links its cohort; the trainees appear with their names.
    let provider = Browser::phone().await;
    provider.sign_in_as(&app, "staff").await;
    provider.open(&format!("{}{order_path}", app.base)).await;
    provider.submit("form[action$='/cohorts'] button").await;
    let page = provider.text().await;
    assert!(page.contains("已关联班次"), "{page}");
    assert!(page.contains("娜仁花"), "{page}");
    provider.fits("order-provider-linked-390").await;

    // The employer sees its trainees masked, records a hire, and the progress follows.
    b.open(&format!("{}{order_path}", app.base)).await;
    let page = b.text().await;
    assert!(page.contains("娜*花"), "{page}");
    assert!(
        !page.contains("娜仁花"),
        "the employer sees names masked: {page}"
    );
    assert!(page.contains("0 / 2 人"), "{page}");
    b.eval(
        "const s = document.querySelector('#person_id');
         s.value = [...s.options].find(o => o.text.startsWith('娜*花')).value; return null",
    )
    .await;
    b.submit("form[action$='/hires#hire'] button").await;
    let page = b.text().await;
    assert!(page.contains("已登记录用"), "{page}");
    assert!(page.contains("录用为民宿前台接待"), "{page}");
    assert!(page.contains("1 / 2 人"), "{page}");
    b.fits("order-employer-hired-390").await;
}

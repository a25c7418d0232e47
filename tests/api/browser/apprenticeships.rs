//! An apprenticeship through its pages (issue 15): the enterprise writes an agreement with
//! its plan and submits it, the bureau files it, the enterprise registers an apprentice
//! with both mentors (a refusal first, under its field, what was typed kept), the
//! provider's teacher records a milestone, the bureau sets the year's rate and books the
//! ledger, and the enterprise's ledger shows the advance. Each page fits a phone.

use chrono::Months;
use registry::access::Role;

use super::Browser;
use crate::helpers::{TestApp, citizen_id};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agreement_is_filed_an_apprentice_added_a_milestone_met_and_the_advance_booked() {
    let app = TestApp::spawn().await;
    let bureau_token = app.bureau().await;
    let provider = app
        .organisation(
            &bureau_token,
            "training_provider",
            "额尔古纳市职业技能培训中心",
        )
        .await;
    app.account("teacher", Role::ProviderStaff, Some(&provider))
        .await;
    let bakery = app
        .organisation(&bureau_token, "employer", "额尔古纳市根河湾烤饼有限公司")
        .await;
    app.account("bakery", Role::Employer, Some(&bakery)).await;
    let today = app.clock.now().today;
    let end = today
        .checked_add_months(Months::new(24))
        .and_then(|d| d.pred_opt())
        .expect("end");
    let milestone_due = today.checked_add_months(Months::new(6)).expect("due");

    // The enterprise writes the agreement: provider, occupation, level, period, plan.
    let b = Browser::phone().await;
    b.sign_in_as(&app, "bakery").await;
    b.open(&format!("{}/apprenticeships/new", app.base)).await;
    b.eval(&format!(
        "const pick = (sel, text) => {{ const s = document.querySelector(sel);
           s.value = [...s.options].find(o => o.text.includes(text)).value; }};
         pick('#provider_id', '职业技能培训中心');
         pick('#occupation_code', '4-03-02-02');
         pick('#target_level', '中级工');
         document.querySelector('#starts_on').value = '{today}';
         document.querySelector('#ends_on').value = '{end}';
         document.querySelector('#milestone_due_on_1').value = '{milestone_due}';
         return null"
    ))
    .await;
    b.type_into("#module_title_1", "烤饼原料与发酵").await;
    b.type_into("#module_theory_1", "40").await;
    b.type_into("#module_practice_1", "80").await;
    b.type_into("#milestone_title_1", "独立完成和面发酵").await;
    b.fits("apprenticeship-form-390").await;
    b.submit("form[action='/apprenticeships'] button[type=submit]:not([name=more])")
        .await;
    let page = b.text().await;
    assert!(page.contains("已保存学徒培养协议"), "{page}");
    assert!(page.contains("理论 40 · 实操 80"), "{page}");
    let agreement = b
        .eval("return location.pathname")
        .await
        .as_str()
        .expect("path")
        .to_owned();
    b.submit("form[action$='/submit'] button").await;
    let page = b.text().await;
    assert!(page.contains("已提交人社局备案"), "{page}");
    assert!(page.contains("待备案"), "{page}");

    // The bureau files it.
    let bureau = Browser::phone().await;
    bureau.sign_in_as(&app, "bureau").await;
    bureau.open(&format!("{}/apprenticeships", app.base)).await;
    assert!(bureau.text().await.contains("额尔古纳市根河湾烤饼有限公司"));
    bureau.open(&format!("{}{agreement}", app.base)).await;
    bureau.fits("apprenticeship-bureau-submitted-390").await;
    bureau.submit("form[action$='/file'] button").await;
    let page = bureau.text().await;
    assert!(page.contains("已备案，企业可以登记学徒"), "{page}");

    // The enterprise registers an apprentice; without a teacher the rule is named under
    // the teacher and what was typed stays; with both mentors the apprentice is added.
    b.open(&format!("{}{agreement}", app.base)).await;
    let contract_start = today.checked_sub_months(Months::new(1)).expect("start");
    let contract_end = end.checked_add_months(Months::new(12)).expect("end");
    b.type_into("#name", "乌日娜").await;
    b.type_into("#citizen_id", &citizen_id("20000315", 321))
        .await;
    b.eval(&format!(
        "document.querySelector('#contract_starts_on').value = '{contract_start}';
         document.querySelector('#contract_ends_on').value = '{contract_end}';
         const s = document.querySelector('#mentor_skill_level');
         s.value = [...s.options].find(o => o.text.includes('技师')).value; return null"
    ))
    .await;
    b.type_into("#mentor_name", "王师傅").await;
    b.type_into("#mentor_post", "烤饼车间主任").await;
    b.submit("form[action*='/apprentices#'] button").await;
    let page = b.text().await;
    assert!(page.contains("须配备培训机构的院校导师"), "{page}");
    assert_eq!(
        b.eval("return document.querySelector('#mentor_name').value")
            .await,
        "王师傅"
    );
    b.fits("apprentice-refused-390").await;
    b.type_into("#teacher_name", "刘老师").await;
    b.submit("form[action*='/apprentices#'] button").await;
    let page = b.text().await;
    assert!(page.contains("已登记学徒乌日娜"), "{page}");
    assert!(page.contains("学徒（1 人）"), "{page}");

    // The provider's teacher records the milestone on the apprentice's page.
    let teacher = Browser::phone().await;
    teacher.sign_in_as(&app, "teacher").await;
    teacher.open(&format!("{}{agreement}", app.base)).await;
    teacher.click("#apprentices a").await;
    teacher.submit("form[action*='/milestones/'] button").await;
    let page = teacher.text().await;
    assert!(page.contains("已记录节点“独立完成和面发酵”完成"), "{page}");
    assert!(page.contains("培训机构确认"), "{page}");
    assert!(
        page.contains("乌*娜"),
        "the provider sees the name masked: {page}"
    );
    teacher.fits("apprentice-milestone-390").await;

    // The bureau sets the year's rate for 中级工 and books the ledger.
    bureau
        .open(&format!("{}/apprenticeships/ledger", app.base))
        .await;
    bureau
        .eval(
            "const s = document.querySelector('#level');
             s.value = [...s.options].find(o => o.text.includes('中级工')).value; return null",
        )
        .await;
    bureau.type_into("#yearly_amount", "5000").await;
    bureau.type_into("#advance_share_percent", "50").await;
    bureau.submit("form[action*='/ledger/rates'] button").await;
    let page = bureau.text().await;
    assert!(page.contains("每人每年 5000.00 元"), "{page}");
    bureau.submit("form[action$='/ledger/book'] button").await;
    let page = bureau.text().await;
    assert!(page.contains("已记账：新入账 1 笔"), "{page}");
    bureau.fits("apprenticeship-ledger-bureau-390").await;

    // The enterprise's ledger shows the advance: half of 5000 yuan.
    b.open(&format!("{}/apprenticeships/ledger", app.base))
        .await;
    let page = b.text().await;
    assert!(page.contains("乌日娜 · 预拨 · 2500.00 元"), "{page}");
    assert!(page.contains("已配备企业导师"), "{page}");
    b.fits("apprenticeship-ledger-employer-390").await;
}

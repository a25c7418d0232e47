//! The issuer's uploaded seal on the paper, and a licence titled by its own name.

use image::{ImageEncoder, Rgb, RgbImage, Rgba, RgbaImage, codecs::png::PngEncoder};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::{
    certificates::{chain, fields_of, passing, pdf_text},
    helpers::{TestApp, citizen_id},
    paper::{images_of, own_organisation, png_of, seal_png},
};

#[tokio::test]
async fn a_seal_must_be_a_transparent_png_of_the_organisation_and_its_certificates_print_it() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let licensing = own_organisation(&app, &c.officer).await;
    let path = format!("/api/v1/organisations/{licensing}/seal");
    let opaque = {
        let mut png = Vec::new();
        PngEncoder::new(&mut png)
            .write_image(
                &RgbImage::from_pixel(300, 300, Rgb([200, 30, 40])),
                300,
                300,
                image::ExtendedColorType::Rgb8,
            )
            .unwrap();
        png
    };
    let white = png_of(&RgbaImage::from_pixel(300, 300, Rgba([255, 255, 255, 255])));
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new(&mut jpeg)
        .encode_image(&RgbImage::from_pixel(300, 300, Rgb([200, 30, 40])))
        .unwrap();
    for (content_type, bytes, reason) in [
        ("image/jpeg", jpeg.clone(), "format"),
        ("image/png", jpeg, "format"),
        ("image/png", opaque, "no_transparency"),
        ("image/png", white, "not_transparent"),
        ("image/png", vec![0; 600 * 1024], "too_large"),
    ] {
        let (status, body) = app.put_bytes(&path, &c.officer, content_type, bytes).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reason}: {body}");
        assert_eq!(fields_of(&body), [format!("file:{reason}")], "{body}");
    }
    let (status, _) = app
        .put_bytes(&path, &c.bureau, "image/png", seal_png())
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "the bureau cannot give another its seal"
    );
    let (status, _) = app
        .put_bytes(&path, &c.staff, "image/png", seal_png())
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(app.count("organisation_seals").await, 0);
    let (status, seal) = app
        .put_bytes(&path, &c.officer, "image/png", seal_png())
        .await;
    assert_eq!(status, StatusCode::OK, "{seal}");

    // The licence, titled by its own name, with the seal and 准入事项; the registry's own
    // look-up address only.
    let (enrolment, _) = app
        .trainee(
            &c,
            &c.homestay_cohort,
            "娜仁花",
            &citizen_id("19900412", 222),
            passing(),
        )
        .await;
    app.post(
        &format!("/api/v1/cohorts/{}/certificates", c.homestay_cohort),
        &c.staff,
        json!({}),
    )
    .await;
    let assessment = app.assess(&c, &enrolment, None, 78, 84).await;
    let (status, specialty) = app
        .post(
            "/api/v1/certificates",
            &c.assessor,
            json!({"kind": "specialty", "enrolment_id": enrolment, "assessment_id": assessment}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{specialty}");
    let specialty_pdf = app
        .pdf_of(specialty["id"].as_str().unwrap(), &c.assessor)
        .await;
    assert_eq!(
        images_of(&specialty_pdf),
        [],
        "no seal uploaded, none printed"
    );
    let (status, licence) = app
        .post(
            "/api/v1/certificates",
            &c.officer,
            json!({"kind": "licence", "enrolment_id": enrolment, "valid_until": "2029-12-31"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{licence}");
    let pdf = app
        .pdf_of(licence["id"].as_str().unwrap(), &c.officer)
        .await;
    let images = images_of(&pdf);
    assert_eq!(images.len(), 1, "{images:?}");
    assert_eq!((images[0].0.as_str(), images[0].4), ("ImSeal", true));
    let text = pdf_text(&pdf);
    assert!(text.contains("民宿经营接待从业资格证"), "{text}");
    assert!(text.contains("准入事项") && text.contains("民宿经营接待从业"));
    assert!(
        text.contains(&format!("证书查询网址：{}/v/", app.base)),
        "{text}"
    );
    assert!(!text.contains("osta"), "{text}");

    let (status, v) = app
        .call(
            Method::GET,
            &format!("/api/v1/verify/{}", licence["token"].as_str().unwrap()),
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["title"], "民宿经营接待从业资格证");
    assert_eq!(v["licensed_activity"], "民宿经营接待从业");
    assert_eq!(v["program"], Value::Null);
}

#[tokio::test]
async fn a_licence_rule_must_name_the_licence() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (status, body) = app
        .post(
            "/api/v1/programs",
            &c.staff,
            json!({"title": "民宿主理人培训", "hours": 100, "standard_code": "150784-MSZLR",
                   "certificates": [{"kind": "completion", "licence_title": "结业证"},
                                    {"kind": "specialty"},
                                    {"kind": "licence", "licensed_activity": "民宿经营接待从业"},
                                    {"kind": "licence", "licence_title": "民宿经营接待从业许可"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = fields_of(&body);
    for expected in [
        "certificates[0].licence_title:licence_only",
        "certificates[2].licence_title:required",
        "certificates[3].licence_title:not_a_licence_name",
    ] {
        assert!(
            fields.contains(&expected.to_owned()),
            "{expected} not in {fields:?}"
        );
    }
}

//! The paper: the holder's photo on a skill-level certificate, the look-up addresses each
//! kind prints, and the verification answer telling what the paper tells (the seal and the
//! licence's title are in `seals`). Shared here: uploading pictures and reading a PDF's
//! images.

use image::{ImageEncoder, Rgba, RgbaImage, codecs::png::PngEncoder};
use lopdf::{Document, Object};
use reqwest::{Method, StatusCode};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::{
    certificates::{Chain, chain, fields_of, passing, pdf_text},
    helpers::{TestApp, citizen_id},
};

impl TestApp {
    /// Sends `bytes` as the raw body of a PUT, on a connection of its own: a refused upload
    /// may end its connection after the answer, and a pooled connection the server is
    /// closing would reset the next request sent on it (a client-side race, not a refusal).
    pub async fn put_bytes(
        &self,
        path: &str,
        token: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> (StatusCode, Value) {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .build()
            .expect("a client");
        let resp = client
            .put(format!("{}{path}", self.base))
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(bytes)
            .send()
            .await
            .expect("request sent");
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Uploads a plain photo of the person as the provider's staff.
    pub async fn upload_photo(&self, c: &Chain, person: &str) {
        let (status, body) = self
            .put_bytes(
                &format!("/api/v1/people/{person}/photo"),
                &c.staff,
                "image/png",
                photo_png(),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    pub async fn pdf_of(&self, id: &str, token: &str) -> Vec<u8> {
        self.client
            .get(format!("{}/api/v1/certificates/{id}/pdf", self.base))
            .bearer_auth(token)
            .send()
            .await
            .expect("pdf")
            .bytes()
            .await
            .expect("bytes")
            .to_vec()
    }
}

pub fn png_of(image: &RgbaImage) -> Vec<u8> {
    let mut bytes = Vec::new();
    PngEncoder::new(&mut bytes)
        .write_image(
            image,
            image.width(),
            image.height(),
            image::ExtendedColorType::Rgba8,
        )
        .unwrap();
    bytes
}

/// A passport-like photo: a blue figure on a light ground, wider than the photo frame.
pub fn photo_png() -> Vec<u8> {
    png_of(&RgbaImage::from_fn(900, 800, |x, _| {
        if (300..600).contains(&x) {
            Rgba([30, 60, 200, 255])
        } else {
            Rgba([235, 235, 235, 255])
        }
    }))
}

/// A seal as an organisation would upload it: a red ring on a transparent ground.
pub fn seal_png() -> Vec<u8> {
    png_of(&RgbaImage::from_fn(300, 300, |x, y| {
        let d = ((x as f32 - 150.0).powi(2) + (y as f32 - 150.0).powi(2)).sqrt();
        if (120.0..145.0).contains(&d) {
            Rgba([200, 30, 40, 255])
        } else {
            Rgba([0, 0, 0, 0])
        }
    }))
}

/// The image XObjects a PDF embeds, as `(name, filter, width, height, has a soft mask)`.
pub fn images_of(pdf: &[u8]) -> Vec<(String, String, i64, i64, bool)> {
    let doc = Document::load_mem(pdf).expect("a PDF");
    let page = doc.get_pages().into_values().next().expect("a page");
    let resources = doc
        .get_dictionary(page)
        .and_then(|p| p.get(b"Resources"))
        .and_then(|r| doc.dereference(r).map(|(_, o)| o.clone()))
        .expect("resources");
    let Ok(xobjects) = resources
        .as_dict()
        .and_then(|r| r.get(b"XObject"))
        .and_then(|x| doc.dereference(x).map(|(_, o)| o.clone()))
    else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for (name, object) in xobjects.as_dict().expect("a dictionary") {
        let Ok((_, Object::Stream(stream))) = doc.dereference(object) else {
            continue;
        };
        let dict = &stream.dict;
        let word = |key: &[u8]| {
            dict.get(key)
                .and_then(Object::as_name)
                .map(|n| String::from_utf8_lossy(n).into_owned())
                .unwrap_or_default()
        };
        if word(b"Subtype") != "Image" {
            continue;
        }
        let int = |key: &[u8]| dict.get(key).and_then(Object::as_i64).unwrap_or(0);
        found.push((
            String::from_utf8_lossy(name).into_owned(),
            word(b"Filter"),
            int(b"Width"),
            int(b"Height"),
            dict.has(b"SMask"),
        ));
    }
    found.sort();
    found
}

/// The `cm` matrix the page content places `/name` with.
pub fn placement_of(pdf: &[u8], name: &str) -> Option<Vec<f32>> {
    let doc = Document::load_mem(pdf).expect("a PDF");
    let page = doc.get_pages().into_values().next()?;
    let content = doc.get_and_decode_page_content(page).ok()?;
    let mut last_cm = None;
    for op in content.operations {
        match op.operator.as_str() {
            "cm" => {
                last_cm = Some(
                    op.operands
                        .iter()
                        .filter_map(|o| o.as_float().ok())
                        .collect(),
                )
            }
            "Do" if op.operands.first().and_then(|o| o.as_name().ok()) == Some(name.as_bytes()) => {
                return last_cm;
            }
            _ => {}
        }
    }
    None
}

pub async fn own_organisation(app: &TestApp, token: &str) -> String {
    let (_, orgs) = app.get("/api/v1/organisations", token).await;
    orgs["items"][0]["id"].as_str().expect("id").to_owned()
}

#[tokio::test]
async fn a_skill_level_certificate_is_refused_without_a_photo_and_prints_the_photo_with_one() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let result = json!({"attended_hours": 115, "theory_score": 82, "practical_score": 88});
    let (enrolment, person) = app
        .trainee(
            &c,
            &c.pastry_cohort,
            "王小明",
            &citizen_id("19950101", 111),
            result,
        )
        .await;
    app.post(
        &format!("/api/v1/cohorts/{}/certificates", c.pastry_cohort),
        &c.staff,
        json!({}),
    )
    .await;
    let assessment = app.assess(&c, &enrolment, Some("level4"), 75, 80).await;
    let request =
        json!({"kind": "skill_level", "enrolment_id": enrolment, "assessment_id": assessment});
    let before = app.count("certificates").await;

    let (status, refused) = app
        .post("/api/v1/certificates", &c.assessor, request.clone())
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(fields_of(&refused), ["person.photo:missing"]);
    assert!(
        refused["message"].as_str().unwrap().contains("照片"),
        "{refused}"
    );
    assert_eq!(app.count("certificates").await, before, "nothing written");

    app.upload_photo(&c, &person).await;
    let (status, cert) = app.post("/api/v1/certificates", &c.assessor, request).await;
    assert_eq!(status, StatusCode::CREATED, "{cert}");
    let pdf = app.pdf_of(cert["id"].as_str().unwrap(), &c.assessor).await;
    let images = images_of(&pdf);
    assert_eq!(
        images,
        [(
            "ImPhoto".to_owned(),
            "DCTDecode".to_owned(),
            413,
            531,
            false
        )]
    );
    // The photo fills the 35 × 45 mm frame at 145 mm from the left, 82 mm from the top.
    let cm = placement_of(&pdf, "ImPhoto").expect("the photo is drawn");
    let expected = [99.21, 0.0, 0.0, 127.56, 411.02, 481.89];
    assert!(
        cm.iter()
            .zip(expected)
            .all(|(got, want)| (got - want).abs() < 0.05),
        "{cm:?}"
    );
    let text = pdf_text(&pdf);
    assert!(
        text.contains("证书查询网址：http://jndj.osta.org.cn"),
        "{text}"
    );
    assert!(
        text.contains("机构查询网址：http://pjjg.osta.org.cn"),
        "{text}"
    );
    assert!(
        !text.contains("照片"),
        "the frame is filled, not labelled: {text}"
    );
}

#[tokio::test]
async fn photo_uploads_refuse_what_is_not_a_fitting_jpeg_or_png_and_keep_nothing() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (_, person) = app
        .trainee(
            &c,
            &c.homestay_cohort,
            "娜仁花",
            &citizen_id("19900412", 222),
            passing(),
        )
        .await;
    let path = format!("/api/v1/people/{person}/photo");
    let gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x00\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;".to_vec();
    let blank = |w, h| png_of(&RgbaImage::from_pixel(w, h, Rgba([200, 200, 200, 255])));
    // A PNG cut off in its pixel data, as an interrupted copy leaves it.
    let mut truncated = png_of(&RgbaImage::from_fn(600, 800, |x, y| {
        Rgba([(x % 251) as u8, (y % 241) as u8, 90, 255])
    }));
    truncated.truncate(truncated.len() / 2);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("image/gif", gif.clone(), "format"),
        ("image/png", gif, "format"),
        ("image/jpeg", vec![0xFF; 2 * 1024 * 1024 + 1], "too_large"),
        // 8,100 pixels wide (over 8,000), and a 5,000 × 5,000 "bomb" of a few KB.
        ("image/png", blank(8_100, 10), "too_many_pixels"),
        ("image/png", blank(5_000, 5_000), "too_many_pixels"),
        ("image/png", blank(100, 120), "too_small"),
        ("image/png", truncated, "corrupt"),
    ];
    for (content_type, bytes, reason) in cases {
        let (status, body) = app.put_bytes(&path, &c.staff, content_type, bytes).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reason}: {body}");
        assert_eq!(fields_of(&body), [format!("file:{reason}")], "{body}");
        assert!(body["message"].as_str().is_some_and(|m| m.contains("照片")));
    }
    // Roles: an assessor may not; another provider's staff does not see the person.
    let (status, _) = app
        .put_bytes(&path, &c.assessor, "image/png", photo_png())
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let other = app
        .organisation(
            &c.bureau,
            "training_provider",
            "额尔古纳市草原人家职业培训学校",
        )
        .await;
    let stranger = app
        .account(
            "stranger",
            registry::access::Role::ProviderStaff,
            Some(&other),
        )
        .await;
    let (status, _) = app
        .put_bytes(&path, &stranger, "image/png", photo_png())
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(app.count("person_photos").await, 0, "nothing written");

    let (status, _) = app.call(Method::GET, "/health", None, None).await;
    assert_eq!(status, StatusCode::OK, "the server is still up");
    let (status, photo) = app
        .put_bytes(&path, &c.bureau, "image/png", photo_png())
        .await;
    assert_eq!(status, StatusCode::OK, "{photo}");
    assert_eq!(
        (photo["width"].as_u64(), photo["height"].as_u64()),
        (Some(413), Some(531))
    );
    // Sealed at rest: the stored bytes are not a JPEG.
    let row = app
        .db
        .read
        .query_one_raw(sea_orm::Statement::from_string(
            app.db.backend(),
            "SELECT jpeg_sealed FROM person_photos",
        ))
        .await
        .unwrap()
        .unwrap();
    let sealed: Vec<u8> = row.try_get("", "jpeg_sealed").unwrap();
    assert!(sealed.len() > 1000 && !sealed.starts_with(&[0xFF, 0xD8]));
}

#[tokio::test]
async fn a_completion_certificate_and_its_verification_tell_the_program_hours_and_period() {
    let app = TestApp::spawn().await;
    let c = chain(&app).await;
    let (id, token, _) = app
        .completion(&c, "娜仁花", &citizen_id("19900412", 222))
        .await;
    let pdf = app.pdf_of(&id, &c.staff).await;
    assert_eq!(images_of(&pdf), [], "no photo uploaded, no seal uploaded");
    let text = pdf_text(&pdf);
    for expected in [
        "证件类型",
        "居民身份证",
        "培训项目",
        "民宿主理人培训",
        "100学时",
    ] {
        assert!(text.contains(expected), "{expected} not in {text}");
    }
    assert!(
        text.contains(&format!("证书查询网址：{}/v/", app.base)),
        "{text}"
    );
    assert!(!text.contains("osta"), "{text}");

    let (status, v) = app
        .call(Method::GET, &format!("/api/v1/verify/{token}"), None, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (
            &v["program"],
            &v["hours"],
            &v["training_from"],
            &v["training_until"]
        ),
        (
            &json!("民宿主理人培训"),
            &json!(100),
            &json!("2026-05-06"),
            &json!("2026-06-20")
        )
    );
    let page = app
        .client
        .get(format!("{}/v/{token}", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for expected in [
        "培训项目",
        "民宿主理人培训",
        "100学时",
        "2026-05-06 至 2026-06-20",
        "记录现行有效",
        "照片",
    ] {
        assert!(page.contains(expected), "{expected} not on the page");
    }
    assert!(
        !page.contains("未被篡改"),
        "a scan cannot know the paper is unaltered"
    );
}

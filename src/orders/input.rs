//! An order as the employer writes it, checked field by field (every refusal a Chinese
//! rule under its field).

use chrono::NaiveDate;
use entities::{occupations as occupation, standards as standard};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{Fen, PostInput};
use crate::{
    error::{AppError, FieldError},
    programs::CertificateKind,
};

/// An order as the employer writes it: exactly one of `occupation_code` and
/// `standard_code`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct OrderInput {
    /// 1–60 characters, e.g. `2026年旺季民宿接待员订单班`.
    pub title: String,
    pub occupation_code: Option<String>,
    /// A local industry standard's code, e.g. `150784-MSZLR`.
    pub standard_code: Option<String>,
    /// How many trainees the employer wants trained, 1–5000.
    pub trainees_wanted: u32,
    /// How many it commits to hire: at most the trainees wanted and the posts' headcount.
    pub hire_commitment: u32,
    /// The day by which the trainees should be certified; after today.
    pub deadline: NaiveDate,
    #[serde(default)]
    pub notes: String,
    /// The certificate a hire requires; `completion` unless said.
    pub hire_certificate_kind: Option<CertificateKind>,
    #[serde(default)]
    pub posts: Vec<PostInput>,
}

pub(crate) struct Checked {
    pub title: String,
    pub occupation_code: Option<String>,
    pub standard_code: Option<String>,
    pub notes: String,
    pub posts: Vec<(String, Fen, i32, String)>,
}

pub(crate) async fn check(
    conn: &impl ConnectionTrait,
    input: &OrderInput,
    today: NaiveDate,
) -> Result<Checked, AppError> {
    let mut fields = Vec::new();
    let title = input.title.trim().to_owned();
    if !(1..=60).contains(&title.chars().count()) {
        fields.push(FieldError::new("title", "length", "订单名称须为1–60个字符"));
    }
    let trimmed = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let occupation_code = trimmed(&input.occupation_code);
    let standard_code = trimmed(&input.standard_code);
    match (&occupation_code, &standard_code) {
        (Some(_), Some(_)) | (None, None) => fields.push(FieldError::new(
            "occupation_code",
            "one_of",
            "职业（工种）代码与专项能力标准代码须填写且只填写其一",
        )),
        (Some(code), None) => {
            if occupation::Entity::find_by_id(code.clone())
                .one(conn)
                .await?
                .is_none()
            {
                fields.push(FieldError::new(
                    "occupation_code",
                    "unknown",
                    "没有这个职业（工种）代码",
                ));
            }
        }
        (None, Some(code)) => {
            let known = standard::Entity::find()
                .filter(standard::Column::Code.eq(code))
                .count(conn)
                .await?;
            if known == 0 {
                fields.push(FieldError::new(
                    "standard_code",
                    "unknown",
                    "没有这个专项能力标准代码",
                ));
            }
        }
    }
    if !(1..=5000).contains(&input.trainees_wanted) {
        fields.push(FieldError::new(
            "trainees_wanted",
            "out_of_range",
            "培训人数须在1–5000之间",
        ));
    }
    if input.hire_commitment > input.trainees_wanted {
        fields.push(FieldError::new(
            "hire_commitment",
            "more_than_trainees",
            "承诺录用人数不得多于培训人数",
        ));
    }
    if input.deadline <= today {
        fields.push(FieldError::new(
            "deadline",
            "not_in_future",
            "完成期限须晚于今天",
        ));
    }
    let notes = input.notes.trim().to_owned();
    if notes.chars().count() > 1000 {
        fields.push(FieldError::new("notes", "too_long", "备注不超过1000个字符"));
    }
    if input.posts.len() > 20 {
        fields.push(FieldError::new("posts", "too_many", "岗位最多20个"));
    }
    let mut posts = Vec::new();
    for (i, p) in input.posts.iter().enumerate() {
        let title = p.title.trim().to_owned();
        if !(1..=40).contains(&title.chars().count()) {
            fields.push(FieldError::new(
                format!("posts[{i}].title"),
                "length",
                "岗位名称须为1–40个字符",
            ));
        }
        let pay = Fen::parse_yuan(&p.monthly_pay);
        if pay.is_none() {
            fields.push(FieldError::new(
                format!("posts[{i}].monthly_pay"),
                "not_an_amount",
                "月薪须为以元计的金额，如 4500 或 4500.50",
            ));
        }
        if !(1..=1000).contains(&p.headcount) {
            fields.push(FieldError::new(
                format!("posts[{i}].headcount"),
                "out_of_range",
                "岗位人数须在1–1000之间",
            ));
        }
        let place = p.place.trim().to_owned();
        if place.chars().count() > 100 {
            fields.push(FieldError::new(
                format!("posts[{i}].place"),
                "too_long",
                "工作地点不超过100个字符",
            ));
        }
        posts.push((title, pay.unwrap_or_default(), p.headcount as i32, place));
    }
    let headcount: i64 = posts.iter().map(|p| i64::from(p.2)).sum();
    if !input.posts.is_empty() && i64::from(input.hire_commitment) > headcount {
        fields.push(FieldError::new(
            "hire_commitment",
            "more_than_posts",
            "承诺录用人数不得多于各岗位人数之和",
        ));
    }
    if !fields.is_empty() {
        return Err(AppError::invalid_fields("订单信息无效", fields));
    }
    Ok(Checked {
        title,
        occupation_code,
        standard_code,
        notes,
        posts,
    })
}

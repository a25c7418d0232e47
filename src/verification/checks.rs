//! An employer's own record of the certificates it has checked — by number, by an
//! uploaded file, or by opening a QR code while signed in. Kept for that employer only;
//! the holder is shown masked, as the public page shows them.

use std::collections::HashMap;

use chrono::NaiveDate;
use entities::{certificates as certificate, people as person, verifier_checks as check};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    sea_query::{Expr, ExprTrait, OnConflict},
};

use crate::{
    access::{Caller, Role},
    certificates::CertificateStatus,
    clock::Now,
    error::AppError,
    pagination::{self, Page, PageParams},
    people::mask_name,
    programs::CertificateKind,
    stored::Stored,
};

/// How the employer came to the certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Number,
    Document,
    QrCode,
}

impl Via {
    fn as_str(self) -> &'static str {
        match self {
            Self::Number => "number",
            Self::Document => "document",
            Self::QrCode => "qr",
        }
    }

    fn label(word: &str) -> &'static str {
        match word {
            "number" => "按编号查询",
            "document" => "上传文件核验",
            _ => "扫码查验",
        }
    }
}

/// Notes that the caller checked the certificate, when the caller is an employer's
/// account; anyone else's checks are not kept.
pub async fn note(
    conn: &impl ConnectionTrait,
    caller: Option<&Caller>,
    certificate_id: &str,
    via: Via,
    now: Now,
) -> Result<(), AppError> {
    let Some((caller, org)) = caller.and_then(|c| {
        (c.role == Role::Employer)
            .then_some(c)
            .zip(c.organisation_id.as_ref())
    }) else {
        return Ok(());
    };
    check::Entity::insert(check::ActiveModel {
        id: Set(pagination::new_id()),
        organisation_id: Set(org.clone()),
        certificate_id: Set(certificate_id.to_owned()),
        checked_by: Set(caller.account_id.clone()),
        via: Set(via.as_str().to_owned()),
        times: Set(1),
        first_checked_at: Set(now.stamp()),
        last_checked_at: Set(now.stamp()),
    })
    .on_conflict(
        OnConflict::columns([check::Column::OrganisationId, check::Column::CertificateId])
            .value(
                check::Column::Times,
                Expr::col((check::Entity, check::Column::Times)).add(1),
            )
            .update_columns([
                check::Column::CheckedBy,
                check::Column::Via,
                check::Column::LastCheckedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// [`note`] for the certificate with this number (a document check knows the number).
pub async fn note_number(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    number: &str,
    via: Via,
    now: Now,
) -> Result<(), AppError> {
    note_where(conn, caller, certificate::Column::Number, number, via, now).await
}

/// [`note`] for the certificate behind a verification token (a QR code opened by an
/// employer's signed-in browser).
pub async fn note_token(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    token: &str,
    now: Now,
) -> Result<(), AppError> {
    note_where(
        conn,
        caller,
        certificate::Column::Token,
        token,
        Via::QrCode,
        now,
    )
    .await
}

/// [`note`] for the certificate whose `column` (a unique one) is `value`, if any; nothing
/// is read for a caller who is not an employer.
async fn note_where(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    column: certificate::Column,
    value: &str,
    via: Via,
    now: Now,
) -> Result<(), AppError> {
    if caller.role != Role::Employer {
        return Ok(());
    }
    let id: Option<String> = certificate::Entity::find()
        .select_only()
        .column(certificate::Column::Id)
        .filter(column.eq(value))
        .into_tuple()
        .one(conn)
        .await?;
    match id {
        Some(id) => note(conn, Some(caller), &id, via, now).await,
        None => Ok(()),
    }
}

/// One checked certificate as the employer's list shows it.
#[derive(Debug, Clone)]
pub struct CheckedLine {
    pub certificate_id: String,
    pub number: String,
    pub kind: CertificateKind,
    /// Masked, e.g. 张*三.
    pub holder: String,
    pub status: CertificateStatus,
    pub valid_until: Option<NaiveDate>,
    pub via: &'static str,
    pub times: i32,
    /// As `YYYY-MM-DD HH:MM` in the registry's time zone.
    pub last_checked: String,
}

impl CheckedLine {
    /// The status's stored word (the page's style class).
    pub fn status_word(&self) -> &'static str {
        self.status.as_str()
    }
}

/// The employer's checks, the latest first: three queries for a page, whatever its size.
/// The cursor is the last line's `last_checked_at|id`.
pub async fn list(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    page: &PageParams,
    now: Now,
) -> Result<Page<CheckedLine>, AppError> {
    let Some(org) = caller
        .organisation_id
        .as_ref()
        .filter(|_| caller.role == Role::Employer)
    else {
        return Err(AppError::forbidden_role());
    };
    let limit = page.limit();
    let mut query = check::Entity::find().filter(check::Column::OrganisationId.eq(org));
    if let Some((at, id)) = page.cursor.as_deref().and_then(|c| c.split_once('|')) {
        let at = chrono::DateTime::parse_from_rfc3339(at).map_err(|_| {
            AppError::invalid(
                "cursor",
                "invalid_value",
                "分页参数无效，请从第一页重新查看",
            )
        })?;
        query = query.filter(
            check::Column::LastCheckedAt
                .lt(at)
                .or(check::Column::LastCheckedAt
                    .eq(at)
                    .and(check::Column::Id.lt(id))),
        );
    }
    let rows = query
        .order_by_desc(check::Column::LastCheckedAt)
        .order_by_desc(check::Column::Id)
        .limit(limit + 1)
        .all(conn)
        .await?;
    let page = Page::from_rows(rows, limit, |r| {
        format!("{}|{}", r.last_checked_at.to_rfc3339(), r.id)
    });
    let ids: Vec<&str> = page
        .items
        .iter()
        .map(|r| r.certificate_id.as_str())
        .collect();
    let certificates: HashMap<String, certificate::Model> = certificate::Entity::find()
        .filter(certificate::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| (c.id.clone(), c))
        .collect();
    let people: Vec<&str> = certificates
        .values()
        .map(|c| c.person_id.as_str())
        .collect();
    let names: HashMap<String, String> = person::Entity::find()
        .select_only()
        .columns([person::Column::Id, person::Column::Name])
        .filter(person::Column::Id.is_in(people))
        .into_tuple::<(String, String)>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    page.try_map(|r| {
        let c = certificates
            .get(&r.certificate_id)
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("check {}: no certificate", r.id)))?;
        Ok(CheckedLine {
            certificate_id: c.id.clone(),
            number: c.number.clone(),
            kind: CertificateKind::read("certificates", &c.id, &c.kind)?,
            holder: names
                .get(&c.person_id)
                .map_or_else(String::new, |n| mask_name(n)),
            status: CertificateStatus::current(c, now.today)?,
            valid_until: c.valid_until,
            via: Via::label(&r.via),
            times: r.times,
            last_checked: r
                .last_checked_at
                .with_timezone(&now.zone)
                .format("%Y-%m-%d %H:%M")
                .to_string(),
        })
    })
}

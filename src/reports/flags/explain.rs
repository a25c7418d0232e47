//! The bureau's explanations of flags: one per flag instance, with its reason, written
//! once (a second is a 409) and audited (`report_flag.explain`). An explained flag stays
//! on the panel, marked explained with the reason, who and when.

use chrono::{DateTime, FixedOffset};
use entities::report_flag_explanations as explanation;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{FlagKey, FlagKind, Settings, exists};
use crate::{
    access::Caller,
    audit::{self, Change},
    clock::Now,
    error::{AppError, FieldError},
    pagination::new_id,
    stored::Stored,
};

/// Keys per query when reading explanations.
const CHUNK: usize = 500;

/// How a flag was explained.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Explanation {
    pub key: String,
    pub kind: FlagKind,
    pub reason: String,
    pub explained_by: String,
    pub explained_at: DateTime<FixedOffset>,
}

/// The bureau's explanation of one flag.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ExplanationInput {
    /// The flag's key, as the panel lists it.
    pub key: String,
    /// 1–500 characters: why the records are as they are (e.g. what was checked).
    pub reason: String,
}

fn view(row: explanation::Model) -> Result<Explanation, AppError> {
    Ok(Explanation {
        kind: FlagKind::read("report_flag_explanations", &row.id, &row.kind)?,
        key: row.flag_key,
        reason: row.reason,
        explained_by: row.explained_by,
        explained_at: row.explained_at,
    })
}

/// The explanations of these keys (those that have one).
pub async fn of_keys(
    conn: &impl ConnectionTrait,
    keys: impl Iterator<Item = String>,
) -> Result<Vec<Explanation>, AppError> {
    let keys: Vec<String> = keys.collect();
    let mut out = Vec::new();
    for chunk in keys.chunks(CHUNK) {
        let rows = explanation::Entity::find()
            .filter(explanation::Column::FlagKey.is_in(chunk.iter().map(String::as_str)))
            .all(conn)
            .await?;
        for row in rows {
            out.push(view(row)?);
        }
    }
    Ok(out)
}

fn unknown_key() -> FieldError {
    FieldError::new(
        "key",
        "unknown",
        "没有这个待核查问题：标识有误，或记录已更正、问题已不存在",
    )
}

/// Marks the flag `input.key` explained: refused (422) without a reason or for a key
/// that names no flag found in the records now; a flag explained already is a 409.
pub async fn explain(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    settings: Settings<'_>,
    input: ExplanationInput,
    now: Now,
) -> Result<Explanation, AppError> {
    if !caller.is_bureau() {
        return Err(AppError::forbidden_role());
    }
    let mut fields = Vec::new();
    let key = FlagKey::parse(&input.key);
    if key.is_none() {
        fields.push(unknown_key());
    }
    let reason = input.reason.trim().to_owned();
    if !(1..=500).contains(&reason.chars().count()) {
        let message = "请写明说明理由（1–500个字符），如核实了什么、依据是什么";
        fields.push(FieldError::new("reason", "required", message));
    }
    let Some(key) = key.filter(|_| fields.is_empty()) else {
        return Err(AppError::invalid_fields("说明无效", fields));
    };
    let written = key.to_string();
    let before = explanation::Entity::find()
        .filter(explanation::Column::FlagKey.eq(&written))
        .one(conn)
        .await?;
    if let Some(before) = before {
        return Err(AppError::Conflict {
            code: "already_explained",
            message: format!(
                "该问题已于{}由{}说明，不能重复说明",
                before
                    .explained_at
                    .with_timezone(&now.zone)
                    .format("%Y-%m-%d %H:%M"),
                before.explained_by
            ),
        });
    }
    if !exists(conn, settings, &key).await? {
        return Err(AppError::invalid_fields("说明无效", vec![unknown_key()]));
    }
    let row = explanation::ActiveModel {
        id: Set(new_id()),
        flag_key: Set(written),
        kind: Set(key.kind.as_str().to_owned()),
        reason: Set(reason),
        explained_by: Set(caller.login.clone()),
        explained_at: Set(now.stamp()),
    }
    .insert(conn)
    .await?;
    // The reason stays in its row, which is never edited; the hash-chained log, which
    // cannot forget, gets no free text that might name a person.
    audit::append(
        conn,
        &caller.actor(),
        Change {
            action: "report_flag.explain",
            record_type: "report_flag",
            record_id: &row.flag_key,
            summary: serde_json::json!({"kind": row.kind, "explanation_id": row.id}),
        },
    )
    .await?;
    view(row)
}

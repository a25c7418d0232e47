//! The append-only audit log. Every state change appends an entry in the same transaction
//! as the change; each entry's SHA-256 covers its fields and the previous entry's hash,
//! so editing or deleting any row breaks the chain from that row on.
//!
//! Appenders lock the single `audit_head` row (`SELECT … FOR UPDATE` on PostgreSQL; the
//! one writer connection on SQLite), so several server instances still build one chain.
//! Summaries are written by the capabilities and never contain a citizen ID in clear.

mod batch;

use chrono::{DateTime, SubsecRound, Utc};
use entities::{audit_head, audit_log};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};

pub use batch::Appender;

/// Hash that the first entry chains to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who did something: an account, the command line, or the system itself.
#[derive(Debug, Clone)]
pub struct Actor {
    pub account_id: Option<String>,
    pub label: String,
    /// Who made the token the account acted with, when that was another account (an
    /// integration token made by a bureau administrator).
    pub minted_by: Option<Minter>,
}

/// The account that made a token for another account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Minter {
    pub account_id: String,
    pub label: String,
}

impl Actor {
    pub fn account(id: &str, login: &str) -> Self {
        Self {
            account_id: Some(id.to_owned()),
            label: login.to_owned(),
            minted_by: None,
        }
    }

    pub fn system(label: &str) -> Self {
        Self {
            account_id: None,
            label: label.to_owned(),
            minted_by: None,
        }
    }
}

/// What happened, to which record.
pub struct Change<'a> {
    pub action: &'a str,
    pub record_type: &'a str,
    pub record_id: &'a str,
    /// A JSON summary of the change; never personal identifiers in clear.
    pub summary: serde_json::Value,
}

/// Appends one entry, chained to the current head. Call inside the transaction that
/// makes the change.
pub async fn append(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    change: Change<'_>,
) -> Result<(), DbErr> {
    let head = audit_head::Entity::find_by_id(1)
        .lock_exclusive()
        .one(conn)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("audit_head".into()))?;
    let entry = audit_log::Model {
        seq: head.seq + 1,
        at: Utc::now().trunc_subsecs(6).into(),
        actor_id: actor.account_id.clone(),
        actor_label: actor.label.clone(),
        action: change.action.to_owned(),
        record_type: change.record_type.to_owned(),
        record_id: change.record_id.to_owned(),
        summary: change.summary.to_string(),
        prev_hash: head.hash.clone(),
        hash: String::new(),
        minted_by_id: actor.minted_by.as_ref().map(|m| m.account_id.clone()),
        minted_by_label: actor.minted_by.as_ref().map(|m| m.label.clone()),
    };
    let hash = entry_hash(&entry);
    let seq = entry.seq;
    audit_log::ActiveModel {
        hash: Set(hash.clone()),
        ..entry.into()
    }
    .insert(conn)
    .await?;
    audit_head::ActiveModel {
        id: Set(1),
        seq: Set(seq),
        hash: Set(hash),
    }
    .update(conn)
    .await?;
    Ok(())
}

/// The hash an entry must carry: SHA-256 over its fields and `prev_hash`, hex. The
/// token's minter is covered when there is one; entries without one hash as they did
/// before the minter was recorded.
pub fn entry_hash(entry: &audit_log::Model) -> String {
    let at: DateTime<Utc> = entry.at.into();
    let mut canonical = serde_json::json!([
        entry.seq,
        at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        entry.actor_id,
        entry.actor_label,
        entry.action,
        entry.record_type,
        entry.record_id,
        entry.summary,
        entry.prev_hash,
    ]);
    if let (Some(fields), Some(id)) = (canonical.as_array_mut(), &entry.minted_by_id) {
        fields.push(id.as_str().into());
        fields.push(entry.minted_by_label.as_deref().into());
    }
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

/// The result of recomputing the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ChainReport {
    pub intact: bool,
    /// Entries checked.
    pub entries: u64,
    /// The first entry whose hash or link does not hold.
    pub first_broken: Option<BrokenEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct BrokenEntry {
    pub seq: i64,
    /// `hash_mismatch` (the row was edited), `link_mismatch` (a row before it was removed
    /// or replaced), or `head_mismatch` (rows at the end were removed).
    pub reason: String,
}

/// Recomputes every hash in order and reports the first entry that does not hold.
pub async fn verify(conn: &impl ConnectionTrait) -> Result<ChainReport, DbErr> {
    const BATCH: u64 = 1000;
    let mut prev_hash = GENESIS_HASH.to_owned();
    let mut expected_seq = 1;
    let mut entries = 0;
    loop {
        let rows = audit_log::Entity::find()
            .filter(audit_log::Column::Seq.gte(expected_seq))
            .order_by_asc(audit_log::Column::Seq)
            .limit(BATCH)
            .all(conn)
            .await?;
        let fetched = rows.len() as u64;
        for row in rows {
            entries += 1;
            let broken = |reason: &str| ChainReport {
                intact: false,
                entries,
                first_broken: Some(BrokenEntry {
                    seq: row.seq,
                    reason: reason.into(),
                }),
            };
            if row.seq != expected_seq || row.prev_hash != prev_hash {
                return Ok(broken("link_mismatch"));
            }
            if entry_hash(&row) != row.hash {
                return Ok(broken("hash_mismatch"));
            }
            prev_hash = row.hash;
            expected_seq += 1;
        }
        if fetched < BATCH {
            break;
        }
    }
    let head = audit_head::Entity::find_by_id(1).one(conn).await?;
    if let Some(head) = head
        && (head.seq != expected_seq - 1 || head.hash != prev_hash)
    {
        return Ok(ChainReport {
            intact: false,
            entries,
            first_broken: Some(BrokenEntry {
                seq: expected_seq,
                reason: "head_mismatch".into(),
            }),
        });
    }
    Ok(ChainReport {
        intact: true,
        entries,
        first_broken: None,
    })
}

/// Filter and page of an audit listing.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Entries after this sequence number.
    pub after: Option<i64>,
    /// 1–500, default 100.
    pub limit: Option<u64>,
    /// Only entries about records of this type, e.g. `certificate`.
    pub record_type: Option<String>,
    /// Only entries about the record with this id.
    pub record_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: chrono::DateTime<chrono::FixedOffset>,
    pub actor_id: Option<String>,
    pub actor: String,
    /// When the actor acted with a token another account made for it (an integration
    /// token): that account's id and login.
    pub minted_by_id: Option<String>,
    pub minted_by: Option<String>,
    pub action: String,
    pub record_type: String,
    pub record_id: String,
    pub summary: serde_json::Value,
    pub hash: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEntry>,
    /// Pass as `after` for the next page.
    pub next_cursor: Option<String>,
}

/// The sequence number of the newest entry (0 when there is none).
pub async fn head_seq(conn: &impl ConnectionTrait) -> Result<i64, DbErr> {
    Ok(audit_log::Entity::find()
        .select_only()
        .column_as(audit_log::Column::Seq.max(), "head")
        .into_tuple::<Option<i64>>()
        .one(conn)
        .await?
        .flatten()
        .unwrap_or(0))
}

/// Entries in sequence order, optionally for one record.
pub async fn list(conn: &impl ConnectionTrait, q: &AuditQuery) -> Result<AuditPage, DbErr> {
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    let mut query = audit_log::Entity::find()
        .filter(audit_log::Column::Seq.gt(q.after.unwrap_or(0)))
        .order_by_asc(audit_log::Column::Seq);
    if let Some(t) = &q.record_type {
        query = query.filter(audit_log::Column::RecordType.eq(t));
    }
    if let Some(id) = &q.record_id {
        query = query.filter(audit_log::Column::RecordId.eq(id));
    }
    let rows = query.limit(limit).all(conn).await?;
    let next_cursor = if rows.len() as u64 == limit {
        rows.last().map(|r| r.seq.to_string())
    } else {
        None
    };
    let items = rows
        .into_iter()
        .map(|r| AuditEntry {
            summary: serde_json::from_str(&r.summary)
                .unwrap_or(serde_json::Value::String(r.summary)),
            seq: r.seq,
            at: r.at,
            actor_id: r.actor_id,
            actor: r.actor_label,
            minted_by_id: r.minted_by_id,
            minted_by: r.minted_by_label,
            action: r.action,
            record_type: r.record_type,
            record_id: r.record_id,
            hash: r.hash,
        })
        .collect();
    Ok(AuditPage { items, next_cursor })
}

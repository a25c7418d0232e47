//! Appending many entries at once, for changes made in bulk (an enrolment list of
//! thousands): the same chain as [`super::append`] builds one entry at a time, locked
//! once and written in multi-row inserts.

use chrono::{SubsecRound, Utc};
use entities::{audit_head, audit_log};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, Iterable, QuerySelect,
    Set,
};

use super::{Actor, Change, entry_hash};
use crate::db;

/// Appends `changes` in order, chained to the current head, in the caller's transaction;
/// the result is the chain [`super::append`] would have built.
pub async fn append_all(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    changes: Vec<Change<'_>>,
) -> Result<(), DbErr> {
    if changes.is_empty() {
        return Ok(());
    }
    let head = audit_head::Entity::find_by_id(1)
        .lock_exclusive()
        .one(conn)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("audit_head".into()))?;
    let at = Utc::now().trunc_subsecs(6);
    let (mut seq, mut prev_hash) = (head.seq, head.hash);
    let mut entries = Vec::with_capacity(changes.len());
    for change in changes {
        seq += 1;
        let mut entry = audit_log::Model {
            seq,
            at: at.into(),
            actor_id: actor.account_id.clone(),
            actor_label: actor.label.clone(),
            action: change.action.to_owned(),
            record_type: change.record_type.to_owned(),
            record_id: change.record_id.to_owned(),
            summary: change.summary.to_string(),
            prev_hash,
            hash: String::new(),
            minted_by_id: actor.minted_by.as_ref().map(|m| m.account_id.clone()),
            minted_by_label: actor.minted_by.as_ref().map(|m| m.label.clone()),
        };
        entry.hash = entry_hash(&entry);
        prev_hash = entry.hash.clone();
        entries.push(entry);
    }
    let per_insert = db::rows_per_insert(audit_log::Column::iter().count());
    let mut entries = entries.into_iter().peekable();
    while entries.peek().is_some() {
        let chunk: Vec<audit_log::Model> = entries.by_ref().take(per_insert).collect();
        audit_log::Entity::insert_many(chunk.into_iter().map(IntoActiveModel::into_active_model))
            .exec_without_returning(conn)
            .await?;
    }
    audit_head::ActiveModel {
        id: Set(1),
        seq: Set(seq),
        hash: Set(prev_hash),
    }
    .update(conn)
    .await?;
    Ok(())
}

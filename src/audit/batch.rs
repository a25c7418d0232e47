//! Appending many entries in batches, for changes made in bulk (an enrolment list of
//! thousands): the same chain [`super::append`] builds one entry at a time, its head
//! locked once and the entries written in multi-row inserts.

use chrono::{SubsecRound, Utc};
use entities::{audit_head, audit_log};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, Iterable, QuerySelect,
    Set,
};

use super::{Actor, Change, entry_hash};
use crate::db;

/// The chain's head, locked for the rest of the caller's transaction.
pub struct Appender {
    seq: i64,
    hash: String,
}

impl Appender {
    /// Locks the head (as [`super::append`] does) and remembers where the chain ends.
    pub async fn lock(conn: &impl ConnectionTrait) -> Result<Self, DbErr> {
        let head = audit_head::Entity::find_by_id(1)
            .lock_exclusive()
            .one(conn)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound("audit_head".into()))?;
        Ok(Self {
            seq: head.seq,
            hash: head.hash,
        })
    }

    /// Appends `changes` in order and moves the head past them: the entries
    /// [`super::append`] would have written one by one.
    pub async fn append(
        &mut self,
        conn: &impl ConnectionTrait,
        actor: &Actor,
        changes: Vec<Change<'_>>,
    ) -> Result<(), DbErr> {
        if changes.is_empty() {
            return Ok(());
        }
        let at = Utc::now().trunc_subsecs(6);
        let mut entries = Vec::with_capacity(changes.len());
        for change in changes {
            let mut entry = audit_log::Model {
                seq: self.seq + 1,
                at: at.into(),
                actor_id: actor.account_id.clone(),
                actor_label: actor.label.clone(),
                action: change.action.to_owned(),
                record_type: change.record_type.to_owned(),
                record_id: change.record_id.to_owned(),
                summary: change.summary.to_string(),
                prev_hash: std::mem::take(&mut self.hash),
                hash: String::new(),
                minted_by_id: actor.minted_by.as_ref().map(|m| m.account_id.clone()),
                minted_by_label: actor.minted_by.as_ref().map(|m| m.label.clone()),
            };
            entry.hash = entry_hash(&entry);
            self.seq = entry.seq;
            self.hash = entry.hash.clone();
            entries.push(entry);
        }
        let per_insert = db::rows_per_insert(audit_log::Column::iter().count());
        let mut entries = entries.into_iter().peekable();
        while entries.peek().is_some() {
            let chunk = entries
                .by_ref()
                .take(per_insert)
                .map(IntoActiveModel::into_active_model);
            audit_log::Entity::insert_many(chunk)
                .exec_without_returning(conn)
                .await?;
        }
        audit_head::ActiveModel {
            id: Set(1),
            seq: Set(self.seq),
            hash: Set(self.hash.clone()),
        }
        .update(conn)
        .await?;
        Ok(())
    }
}

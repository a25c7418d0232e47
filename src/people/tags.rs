//! A person's key-group tags as rows of `person_key_groups`, which the reports count with
//! (a join on both databases, where the record's JSON list is not). Written in the same
//! transaction as the record's list, wherever it is written; tags are only ever added.

use entities::person_key_groups as tag;
use sea_orm::{ConnectionTrait, EntityTrait, Iterable, Set};

use crate::{db, error::AppError};

/// Adds the rows for `tags` of each person that are not there yet.
pub async fn write(
    conn: &impl ConnectionTrait,
    tags: Vec<(String, &'static str)>,
) -> Result<(), AppError> {
    let rows: Vec<tag::ActiveModel> = tags
        .into_iter()
        .map(|(person_id, group)| tag::ActiveModel {
            person_id: Set(person_id),
            key_group: Set(group.to_owned()),
        })
        .collect();
    let per_insert = db::rows_per_insert(tag::Column::iter().count());
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(per_insert).collect();
        tag::Entity::insert_many(chunk)
            .on_conflict_do_nothing_on([tag::Column::PersonId, tag::Column::KeyGroup])
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}

/// Adds the rows for one person's `groups` that are not there yet.
pub async fn write_person(
    conn: &impl ConnectionTrait,
    person_id: &str,
    groups: &[&'static str],
) -> Result<(), AppError> {
    let rows = groups.iter().map(|g| (person_id.to_owned(), *g)).collect();
    write(conn, rows).await
}

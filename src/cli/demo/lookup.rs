//! Read-only look-ups by natural key, so the loader creates only what is missing: one
//! row by the columns that identify it ([`row_where`]), the rows whose column holds one
//! of some values ([`rows_where_in`]), and the two keys that need more than columns.

use chrono::NaiveDate;
use entities::{assessments as assessment, people as person};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use crate::people::PiiKeys;

/// The row of the columns' table whose columns hold these values (a natural key), if any.
pub async fn row_where<C, const N: usize>(
    conn: &impl ConnectionTrait,
    key: [(C, &str); N],
) -> Result<Option<<C::EntityName as EntityTrait>::Model>, DbErr>
where
    C: ColumnTrait,
    C::EntityName: EntityTrait,
{
    let query = <C::EntityName as EntityTrait>::find();
    let query = key.into_iter().fold(query, |query, (column, value)| {
        query.filter(column.eq(value))
    });
    query.one(conn).await
}

/// The person with this citizen ID, found through the blind index.
pub async fn person_by_citizen_id(
    conn: &impl ConnectionTrait,
    keys: &PiiKeys,
    citizen_id: &str,
) -> Result<Option<person::Model>, DbErr> {
    let index = keys.blind_index(citizen_id);
    row_where(conn, [(person::Column::CitizenIdIndex, index.as_str())]).await
}

/// Some person already in the database, if any.
pub async fn any_person(conn: &impl ConnectionTrait) -> Result<Option<person::Model>, DbErr> {
    person::Entity::find().one(conn).await
}

/// What an assessment examined: a local standard version, or an occupation at a level.
pub enum Subject<'a> {
    Standard { standard_id: &'a str },
    Level { occupation: &'a str, level: &'a str },
}

/// The assessment of this person by this organisation on this subject and day — the
/// natural key the registry refuses to record twice.
pub async fn assessment_of(
    conn: &impl ConnectionTrait,
    person_id: &str,
    evaluation_org_id: &str,
    subject: &Subject<'_>,
    assessed_on: NaiveDate,
) -> Result<Option<assessment::Model>, DbErr> {
    let query = assessment::Entity::find()
        .filter(assessment::Column::PersonId.eq(person_id))
        .filter(assessment::Column::EvaluationOrgId.eq(evaluation_org_id))
        .filter(assessment::Column::AssessedOn.eq(assessed_on));
    let query = match subject {
        Subject::Standard { standard_id } => {
            query.filter(assessment::Column::StandardId.eq(*standard_id))
        }
        Subject::Level { occupation, level } => query
            .filter(assessment::Column::OccupationCode.eq(*occupation))
            .filter(assessment::Column::LevelCode.eq(*level)),
    };
    query.one(conn).await
}

/// Every row of the column's table whose `column` holds one of `values`, e.g. the
/// certificates issued on some enrolments or the accounts with some ids.
pub async fn rows_where_in<C>(
    conn: &impl ConnectionTrait,
    column: C,
    values: Vec<String>,
) -> Result<Vec<<C::EntityName as EntityTrait>::Model>, DbErr>
where
    C: ColumnTrait,
    C::EntityName: EntityTrait,
{
    <C::EntityName as EntityTrait>::find()
        .filter(column.is_in(values))
        .all(conn)
        .await
}

//! Reference data loaded by migration: national occupations and the skill ladder.

use entities::{occupations, skill_levels};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, PrimaryKeyTrait, QueryOrder};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Occupation {
    /// National code, e.g. `4-03-02-02`.
    pub code: String,
    pub name: String,
}

/// A step of the eight-level ladder.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SkillLevel {
    /// `apprentice`, `level5` … `level1`, `special`, `chief`.
    pub code: String,
    /// 1 (学徒工) to 8 (首席技师).
    pub rank: i32,
    /// What a certificate prints, e.g. `四级/中级工`.
    pub label: String,
    /// The level digit in a 职业技能等级证书 number (5 … 1), where there is one.
    pub national_digit: Option<i32>,
}

impl From<occupations::Model> for Occupation {
    fn from(o: occupations::Model) -> Self {
        Self {
            code: o.code,
            name: o.name,
        }
    }
}

impl From<skill_levels::Model> for SkillLevel {
    fn from(l: skill_levels::Model) -> Self {
        Self {
            code: l.code,
            rank: l.rank,
            label: l.label,
            national_digit: l.national_digit,
        }
    }
}

/// Every row of a reference table in `order`, converted.
async fn all<E, V>(conn: &impl ConnectionTrait, order: E::Column) -> Result<Vec<V>, DbErr>
where
    E: EntityTrait,
    V: From<E::Model>,
{
    let rows = E::find().order_by_asc(order).all(conn).await?;
    Ok(rows.into_iter().map(V::from).collect())
}

/// The row of a reference table with this code, converted.
async fn by_code<E, V>(conn: &impl ConnectionTrait, code: &str) -> Result<Option<V>, DbErr>
where
    E: EntityTrait,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<String>,
    V: From<E::Model>,
{
    Ok(E::find_by_id(code.to_owned()).one(conn).await?.map(V::from))
}

pub async fn occupations(conn: &impl ConnectionTrait) -> Result<Vec<Occupation>, DbErr> {
    all::<occupations::Entity, _>(conn, occupations::Column::Code).await
}

pub async fn occupation(
    conn: &impl ConnectionTrait,
    code: &str,
) -> Result<Option<Occupation>, DbErr> {
    by_code::<occupations::Entity, _>(conn, code).await
}

pub async fn occupation_exists(conn: &impl ConnectionTrait, code: &str) -> Result<bool, DbErr> {
    Ok(occupation(conn, code).await?.is_some())
}

pub async fn skill_levels(conn: &impl ConnectionTrait) -> Result<Vec<SkillLevel>, DbErr> {
    all::<skill_levels::Entity, _>(conn, skill_levels::Column::Rank).await
}

pub async fn skill_level(
    conn: &impl ConnectionTrait,
    code: &str,
) -> Result<Option<SkillLevel>, DbErr> {
    by_code::<skill_levels::Entity, _>(conn, code).await
}

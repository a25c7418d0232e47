//! Reference data loaded by migration: national occupations and the skill ladder.

use entities::{occupations, skill_levels};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, QueryOrder};
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

pub async fn occupations(conn: &impl ConnectionTrait) -> Result<Vec<Occupation>, DbErr> {
    let rows = occupations::Entity::find()
        .order_by_asc(occupations::Column::Code)
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(Occupation::from).collect())
}

pub async fn occupation(
    conn: &impl ConnectionTrait,
    code: &str,
) -> Result<Option<Occupation>, DbErr> {
    Ok(occupations::Entity::find_by_id(code.to_owned())
        .one(conn)
        .await?
        .map(Occupation::from))
}

pub async fn occupation_exists(conn: &impl ConnectionTrait, code: &str) -> Result<bool, DbErr> {
    Ok(occupations::Entity::find_by_id(code.to_owned())
        .one(conn)
        .await?
        .is_some())
}

pub async fn skill_levels(conn: &impl ConnectionTrait) -> Result<Vec<SkillLevel>, DbErr> {
    let rows = skill_levels::Entity::find()
        .order_by_asc(skill_levels::Column::Rank)
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(SkillLevel::from).collect())
}

pub async fn skill_level(
    conn: &impl ConnectionTrait,
    code: &str,
) -> Result<Option<SkillLevel>, DbErr> {
    Ok(skill_levels::Entity::find_by_id(code.to_owned())
        .one(conn)
        .await?
        .map(SkillLevel::from))
}

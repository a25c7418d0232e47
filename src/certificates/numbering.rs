//! Certificate numbers and other values handed out once: named counters incremented
//! inside the issuing transaction under a row lock, so a rolled-back issue leaves no gap
//! and two server instances never hand out the same value.
//!
//! Formats:
//! - 职业技能等级证书 (人社鉴发〔2019〕2号), 22 characters: `S` + the evaluation
//!   organisation's 4-digit code + province `15` + its 6-digit site code + 2-digit year +
//!   level digit (5 = 五级 … 1 = 一级) + 6-digit serial per organisation, year and level.
//! - every other kind, the registry's own format: region code + `-` + the kind's letters
//!   ([`CertificateKind::number_code`]: `JY` 结业, `ZX` 专项, `ZR` 准入, `XT` 学徒) + `-` +
//!   year + `-` + 6-digit serial per kind and year, e.g. `150784-JY-2026-000123`.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use entities::counters as counter;
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait, QuerySelect, Set, sea_query::OnConflict,
};

use crate::programs::CertificateKind;

/// Province code of Inner Mongolia in skill-level certificate numbers.
pub const PROVINCE_CODE: &str = "15";

/// A named counter, locked until the transaction ends (created at 0 if new). Whoever
/// holds it is the only one issuing from it; a second issuer waits here and then sees
/// everything the first committed.
pub struct LockedCounter {
    row: counter::Model,
}

impl LockedCounter {
    pub async fn lock(conn: &impl ConnectionTrait, name: &str) -> Result<Self, DbErr> {
        counter::Entity::insert(counter::ActiveModel {
            name: Set(name.to_owned()),
            value: Set(0),
        })
        .on_conflict(
            OnConflict::column(counter::Column::Name)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
        let row = counter::Entity::find_by_id(name.to_owned())
            .lock_exclusive()
            .one(conn)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound(format!("counter {name}")))?;
        Ok(Self { row })
    }

    /// Takes the next value (1 for a new counter).
    pub async fn advance(&mut self, conn: &impl ConnectionTrait) -> Result<i64, DbErr> {
        let mut active: counter::ActiveModel = self.row.clone().into();
        active.value = Set(self.row.value + 1);
        self.row = active.update(conn).await?;
        Ok(self.row.value)
    }
}

/// The next value of a named counter.
pub async fn next(conn: &impl ConnectionTrait, name: &str) -> Result<i64, DbErr> {
    LockedCounter::lock(conn, name).await?.advance(conn).await
}

/// The counter a kind's numbers come from, and the lock every issue of that kind takes.
pub fn counter_name(
    kind: CertificateKind,
    issuer_id: &str,
    year: i32,
    level_digit: Option<i32>,
) -> String {
    match kind {
        CertificateKind::SkillLevel => format!(
            "number:skill_level:{issuer_id}:{year}:{}",
            level_digit.unwrap_or(0)
        ),
        other => format!("number:{}:{year}", other.number_code()),
    }
}

/// A skill-level certificate number.
pub fn skill_level_number(
    org_code: &str,
    site_code: &str,
    year: i32,
    level_digit: i32,
    serial: i64,
) -> String {
    format!(
        "S{org_code}{PROVINCE_CODE}{site_code}{:02}{level_digit}{serial:06}",
        year % 100
    )
}

/// A registry-format number for the other kinds.
pub fn registry_number(region: &str, kind: CertificateKind, year: i32, serial: i64) -> String {
    format!("{region}-{}-{year}-{serial:06}", kind.number_code())
}

/// The verification token printed in the QR code: 128 random bits, URL-safe.
pub fn new_token() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skill_level_numbers_have_the_national_shape() {
        let n = skill_level_number("0001", "150784", 2026, 4, 17);
        assert_eq!(n, "S000115150784264000017");
        assert_eq!(n.len(), 22);
    }

    #[test]
    fn registry_numbers_name_region_kind_and_year() {
        assert_eq!(
            registry_number("150784", CertificateKind::Completion, 2026, 123),
            "150784-JY-2026-000123"
        );
    }

    #[test]
    fn tokens_carry_128_bits() {
        let t = new_token();
        assert_eq!(URL_SAFE_NO_PAD.decode(&t).map(|b| b.len()).ok(), Some(16));
        assert_ne!(t, new_token());
    }
}

//! The published W3C Bitstring Status Lists (revocation and suspension), built from the
//! certificates' current statuses and signed like every credential.

use chrono::Utc;
use entities::certificates as certificate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use serde_json::json;

use super::{
    Services,
    credential::{self, StatusBits},
};
use crate::error::AppError;

/// The signed status list credential for `purpose` (`revocation` or `suspension`).
pub async fn signed_list(
    conn: &impl ConnectionTrait,
    services: &Services,
    purpose: &str,
) -> Result<serde_json::Value, AppError> {
    let statuses: &[&str] = match purpose {
        // A superseded certificate is no longer to be relied on: it counts as revoked.
        "revocation" => &["revoked", "superseded"],
        "suspension" => &["suspended"],
        _ => return Err(AppError::NotFound),
    };
    let indexes: Vec<i64> = certificate::Entity::find()
        .select_only()
        .column(certificate::Column::StatusIndex)
        .filter(certificate::Column::Status.is_in(statuses.iter().copied()))
        .into_tuple()
        .all(conn)
        .await?;
    let needed = indexes.iter().copied().max().map_or(0, |m| m as u64 + 1);
    let mut bits = StatusBits::with_len(needed);
    for index in indexes {
        bits.set(index as u64, true)
            .map_err(|e| anyhow::anyhow!("status list: {e:?}"))?;
    }
    let issuer = json!({"id": services.did, "type": ["Profile"], "name": "额尔古纳市职业技能培训与证书登记系统"});
    let id = format!("{}/api/v1/status-lists/{purpose}", services.base_url);
    let now = Utc::now();
    let unsigned = credential::status_list_credential(&id, &issuer, purpose, &bits, now)
        .map_err(|e| anyhow::anyhow!("status list: {e:?}"))?;
    let method = services.signing.verification_method(&services.did);
    credential::add_proof(&unsigned, services.signing.current(), &method, now)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("signing the status list: {e:?}")))
}

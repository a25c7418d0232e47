//! The published W3C Bitstring Status Lists (revocation and suspension), built from the
//! certificates' current statuses and signed like every credential. A built list is kept
//! until a certificate changes, so fetching it costs no scan of the certificates.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use chrono::Utc;
use entities::certificates as certificate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use serde_json::json;

use super::{
    CertificateStatus, Services,
    credential::{self, StatusBits},
};
use crate::{error::AppError, stored::Stored};

/// Signed lists as last built, each with the change generation it was built at.
#[derive(Default)]
pub struct Published {
    lists: Mutex<HashMap<String, (u64, Arc<str>)>>,
}

impl Published {
    /// The signed list for `purpose` as of `generation` (a number that moves whenever a
    /// certificate changes; read it *before* calling, so a change that lands during the
    /// build makes the next call build again).
    pub async fn get(
        &self,
        conn: &impl ConnectionTrait,
        services: &Services,
        purpose: &str,
        generation: u64,
    ) -> Result<Arc<str>, AppError> {
        let cached = self.lists.lock().ok().and_then(|l| {
            l.get(purpose)
                .filter(|(built_at, _)| *built_at == generation)
                .map(|(_, body)| Arc::clone(body))
        });
        if let Some(body) = cached {
            return Ok(body);
        }
        let body: Arc<str> = signed_list(conn, services, purpose)
            .await?
            .to_string()
            .into();
        if let Ok(mut lists) = self.lists.lock() {
            lists.insert(purpose.to_owned(), (generation, Arc::clone(&body)));
        }
        Ok(body)
    }
}

/// The signed status list credential for `purpose` (`revocation` or `suspension`).
pub async fn signed_list(
    conn: &impl ConnectionTrait,
    services: &Services,
    purpose: &str,
) -> Result<serde_json::Value, AppError> {
    let statuses: Vec<&str> = CertificateStatus::ALL
        .iter()
        .filter(|s| s.status_list() == Some(purpose))
        .map(|s| s.as_str())
        .collect();
    if statuses.is_empty() {
        return Err(AppError::NotFound);
    }
    let indexes: Vec<i64> = certificate::Entity::find()
        .select_only()
        .column(certificate::Column::StatusIndex)
        .filter(certificate::Column::Status.is_in(statuses))
        .into_tuple()
        .all(conn)
        .await?;
    let needed = indexes.iter().copied().max().map_or(0, |m| m as u64 + 1);
    let mut bits = StatusBits::with_len(needed);
    for index in indexes {
        bits.set(index as u64, true)
            .map_err(|e| anyhow::anyhow!("status list: {e:?}"))?;
    }
    // Only terms the VC 2.0 context defines (the list names no other): `Profile` is an
    // Open Badges type and would have no IRI here.
    let issuer = json!({"id": services.did, "name": "额尔古纳市职业技能培训与证书登记系统"});
    let id = format!("{}/api/v1/status-lists/{purpose}", services.base_url);
    let now = Utc::now();
    let unsigned = credential::status_list_credential(&id, &issuer, purpose, &bits, now)
        .map_err(|e| anyhow::anyhow!("status list: {e:?}"))?;
    let method = services.signing.verification_method(&services.did);
    let suites = credential::Cryptosuite::ALL;
    credential::add_proofs(&unsigned, services.signing.current(), &method, now, &suites)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("signing the status list: {e:?}")))
}

//! The pictures the demo's certificates print: each issuing organisation's seal image
//! (committed assets in `certs/demo/seals/`, standing for what an organisation would
//! upload) and a plain generated avatar for each holder of a skill-level certificate.
//! Both go through the upload capabilities, checks included; what is already stored is
//! left as it is, so a rerun adds nothing.

use std::collections::BTreeMap;

use sea_orm::TransactionTrait;

use super::{classes::Enrolled, explain, output::DemoData};
use crate::{
    access::Caller,
    certificates::pdf::samples,
    clock::Now,
    db::Db,
    organisations::seal,
    people::{PiiKeys, photo},
};

/// The seal image of each issuing organisation of the catalogue, by its key.
const SEALS: [(&str, &[u8]); 4] = [
    (
        "centre",
        include_bytes!("../../../certs/demo/seals/centre.png"),
    ),
    (
        "school",
        include_bytes!("../../../certs/demo/seals/school.png"),
    ),
    (
        "evaluator",
        include_bytes!("../../../certs/demo/seals/evaluator.png"),
    ),
    (
        "licensing",
        include_bytes!("../../../certs/demo/seals/licensing.png"),
    ),
];

/// Uploads the seal of every issuing organisation that has none yet, as its own staff.
pub async fn seals(
    db: &Db,
    callers: &BTreeMap<&'static str, Caller>,
    data: &mut DemoData,
    now: Now,
) -> anyhow::Result<()> {
    for (key, png) in SEALS {
        let caller = super::acting(callers, key)?;
        let org = caller
            .organisation_id
            .clone()
            .ok_or_else(|| anyhow::anyhow!("the account acting for {key} has no organisation"))?;
        if seal::png_of(&db.read, &org).await?.is_some() {
            data.summary.seals.present();
            continue;
        }
        let prepared = seal::prepare(Some(png.to_vec()))
            .await
            .map_err(explain(format!("reading the seal of {key}")))?;
        let txn = db.write.begin().await?;
        seal::store(&txn, caller, &org, &prepared, now)
            .await
            .map_err(explain(format!("uploading the seal of {key}")))?;
        txn.commit().await?;
        data.summary.seals.added();
    }
    Ok(())
}

/// Uploads a generated avatar for each of these enrolments' people who has no photo yet,
/// as the provider that enrolled them.
pub async fn photos<'e>(
    db: &Db,
    keys: &PiiKeys,
    provider: &Caller,
    enrolled: impl IntoIterator<Item = &'e Enrolled>,
    data: &mut DemoData,
    now: Now,
) -> anyhow::Result<()> {
    let txn = db.write.begin().await?;
    for (n, e) in enrolled.into_iter().enumerate() {
        if photo::sealed_of(&txn, &e.person_id).await?.is_some() {
            data.summary.photos.present();
            continue;
        }
        let seed = e
            .person_id
            .bytes()
            .fold(n as u64, |h, b| h.wrapping_mul(31) ^ u64::from(b));
        let prepared = photo::prepare(Some(samples::avatar_jpeg(seed)))
            .await
            .map_err(explain(format!("reading the photo of {}", e.person_id)))?;
        photo::store(&txn, keys, provider, &e.person_id, &prepared, now)
            .await
            .map_err(explain(format!("uploading the photo of {}", e.person_id)))?;
        data.summary.photos.added();
    }
    txn.commit().await?;
    Ok(())
}

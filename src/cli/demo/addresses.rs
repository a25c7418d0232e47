//! Confirmed e-mail addresses for part of the holders (every third person enrolled, in
//! the data set's order), all under `example.org`, so that a fresh demo run with
//! `REGISTRY_SMTP_URL` set sends real certificate mails (queued as the certificates are
//! issued). Set directly as confirmed — there is nobody to click the link — and audited
//! like a confirmation (`person.confirm_email`, the domain only). A person who already has
//! an address keeps it, so a rerun changes nothing.

use std::collections::HashSet;

use entities::people as person;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, TransactionTrait};

use super::{classes::Enrolled, output::DemoData};
use crate::{
    audit::{self, Actor, Change},
    clock::Now,
    db::Db,
};

/// The domain every demo address is under.
pub const DOMAIN: &str = "example.org";

/// Gives every third person of `enrolled` (first appearance order) a confirmed address
/// `holderNNN@example.org`, in one transaction.
pub async fn confirmed<'a>(
    db: &Db,
    actor: &Actor,
    enrolled: impl Iterator<Item = &'a Enrolled>,
    data: &mut DemoData,
    now: Now,
) -> anyhow::Result<()> {
    let mut seen = HashSet::new();
    let people: Vec<(String, String)> = enrolled
        .filter(|e| seen.insert(e.person_id.clone()))
        .enumerate()
        .filter(|(i, _)| i % 3 == 0)
        .map(|(i, e)| {
            (
                e.person_id.clone(),
                format!("holder{:03}@{DOMAIN}", i / 3 + 1),
            )
        })
        .collect();
    let txn = db.write.begin().await?;
    let rows = person::Entity::find()
        .filter(person::Column::Id.is_in(people.iter().map(|(id, _)| id.as_str())))
        .all(&txn)
        .await?;
    for (id, address) in &people {
        let Some(row) = rows.iter().find(|r| &r.id == id) else {
            anyhow::bail!("demo person {id} is missing");
        };
        if row.email.is_some() {
            data.summary.addresses.present();
            continue;
        }
        let mut active: person::ActiveModel = row.clone().into();
        active.email = Set(Some(address.clone()));
        active.email_confirmed_at = Set(Some(now.stamp()));
        active.updated_at = Set(now.stamp());
        active.update(&txn).await?;
        let change = Change {
            action: "person.confirm_email",
            record_type: "person",
            record_id: id,
            summary: serde_json::json!({"email_domain": DOMAIN}),
        };
        audit::append(&txn, actor, change).await?;
        data.summary.addresses.added();
    }
    txn.commit().await?;
    Ok(())
}

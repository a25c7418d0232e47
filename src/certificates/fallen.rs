//! Grounds that fall. A certificate rests on its parents (a licence on a specialty
//! certificate, that on a completion certificate). When a parent is revoked or suspended,
//! every valid certificate resting on it is suspended in the same transaction, saying why
//! and naming the parent (`grounds_fell_id`), and so on down the chain. When the parent is
//! reinstated, the certificates suspended only because of it are reinstated too, unless
//! another of their parents has fallen meanwhile. The child's issuer may always revoke or
//! reinstate the child by hand (docs/DESIGN.md §5).

use entities::{certificate_parents as parent, certificates as certificate};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
    sea_query::Query,
};

use super::CertificateStatus;
use crate::{
    audit::{self, Actor, Change},
    clock::Now,
    error::AppError,
    stored::Stored,
};

/// Why a certificate resting on `parent` is suspended, or `None` if the parent stands.
pub fn reason(parent: &certificate::Model) -> Result<Option<String>, AppError> {
    Ok(match CertificateStatus::of(parent)? {
        CertificateStatus::Revoked => Some(format!("依据证书已撤销（{}）", parent.number)),
        CertificateStatus::Suspended => Some(format!("依据证书已暂停（{}）", parent.number)),
        _ => None,
    })
}

/// The certificates resting directly on `parent_id`, locked for a change.
async fn children(
    conn: &impl ConnectionTrait,
    parent_id: &str,
) -> Result<Vec<certificate::Model>, AppError> {
    let resting_on = Query::select()
        .column(parent::Column::CertificateId)
        .from(parent::Entity)
        .and_where(parent::Column::ParentId.eq(parent_id))
        .to_owned();
    Ok(certificate::Entity::find()
        .filter(certificate::Column::Id.in_subquery(resting_on))
        .lock_exclusive()
        .all(conn)
        .await?)
}

/// The first parent of `child` other than `except` that has fallen, with the reason.
async fn other_fallen_parent(
    conn: &impl ConnectionTrait,
    child_id: &str,
    except: &str,
) -> Result<Option<(certificate::Model, String)>, AppError> {
    let parents = Query::select()
        .column(parent::Column::ParentId)
        .from(parent::Entity)
        .and_where(parent::Column::CertificateId.eq(child_id))
        .to_owned();
    let rows = certificate::Entity::find()
        .filter(certificate::Column::Id.in_subquery(parents))
        .filter(certificate::Column::Id.ne(except))
        .all(conn)
        .await?;
    for row in rows {
        if let Some(reason) = reason(&row)? {
            return Ok(Some((row, reason)));
        }
    }
    Ok(None)
}

/// Suspends, down the chain, every valid certificate resting on `fallen` (just revoked or
/// suspended). A child already suspended because of `fallen` gets the new reason (a
/// suspension that became a revocation); one suspended by hand, revoked or superseded is
/// left as it is. The holder of each certificate newly suspended is mailed the reason, as
/// for a suspension by hand.
pub async fn fall(
    conn: &impl ConnectionTrait,
    services: &super::Services,
    actor: &Actor,
    fallen: certificate::Model,
    now: Now,
) -> Result<(), AppError> {
    let stamp = now.stamp();
    let mut work = vec![fallen];
    while let Some(parent) = work.pop() {
        let Some(why) = reason(&parent)? else {
            continue;
        };
        for child in children(conn, &parent.id).await? {
            let status = CertificateStatus::of(&child)?;
            let because_of_parent = child.grounds_fell_id.as_deref() == Some(parent.id.as_str());
            let newly = match status {
                CertificateStatus::Valid => true,
                CertificateStatus::Suspended
                    if because_of_parent && child.suspend_reason.as_deref() != Some(&why) =>
                {
                    false
                }
                _ => continue,
            };
            let mut active: certificate::ActiveModel = child.into();
            active.status = Set(CertificateStatus::Suspended.as_str().to_owned());
            if newly {
                active.suspended_at = Set(Some(stamp));
            }
            active.suspend_reason = Set(Some(why.clone()));
            active.grounds_fell_id = Set(Some(parent.id.clone()));
            active.updated_at = Set(stamp);
            let child = active.update(conn).await?;
            record(
                conn,
                actor,
                &child,
                "certificate.suspend",
                status,
                &why,
                &parent,
            )
            .await?;
            if newly {
                super::notices::stopped(conn, services, &child, false, &why, now).await?;
                work.push(child);
            }
        }
    }
    Ok(())
}

/// Reinstates, down the chain, the certificates suspended only because `restored` (just
/// reinstated) had fallen. One that rests on another fallen parent stays suspended, now
/// naming that parent.
pub async fn restore(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    restored: certificate::Model,
    now: Now,
) -> Result<(), AppError> {
    let stamp = now.stamp();
    let mut work = vec![restored];
    while let Some(parent) = work.pop() {
        for child in children(conn, &parent.id).await? {
            let status = CertificateStatus::of(&child)?;
            if status != CertificateStatus::Suspended
                || child.grounds_fell_id.as_deref() != Some(parent.id.as_str())
            {
                continue;
            }
            let still_fallen = other_fallen_parent(conn, &child.id, &parent.id).await?;
            let mut active: certificate::ActiveModel = child.into();
            active.updated_at = Set(stamp);
            if let Some((other, why)) = still_fallen {
                active.suspend_reason = Set(Some(why.clone()));
                active.grounds_fell_id = Set(Some(other.id.clone()));
                let child = active.update(conn).await?;
                record(
                    conn,
                    actor,
                    &child,
                    "certificate.suspend",
                    status,
                    &why,
                    &other,
                )
                .await?;
                continue;
            }
            active.status = Set(CertificateStatus::Valid.as_str().to_owned());
            active.suspended_at = Set(None);
            active.suspend_reason = Set(None);
            active.grounds_fell_id = Set(None);
            let child = active.update(conn).await?;
            let why = format!("依据证书已恢复有效（{}）", parent.number);
            record(
                conn,
                actor,
                &child,
                "certificate.reinstate",
                status,
                &why,
                &parent,
            )
            .await?;
            work.push(child);
        }
    }
    Ok(())
}

/// Audits a change the chain made, naming the parent that caused it.
async fn record(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    child: &certificate::Model,
    action: &'static str,
    from: CertificateStatus,
    reason: &str,
    parent: &certificate::Model,
) -> Result<(), AppError> {
    audit::append(
        conn,
        actor,
        Change {
            action,
            record_type: "certificate",
            record_id: &child.id,
            summary: serde_json::json!({"number": child.number, "from": from, "to": child.status, "reason": reason, "grounds": parent.number}),
        },
    )
    .await?;
    Ok(())
}

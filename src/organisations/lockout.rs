//! The bureau must never lock itself out. Suspending an organisation stops its accounts
//! at once, so the bureau may not suspend the organisation its own administrator belongs
//! to, nor any suspension that would leave no active bureau administrator — a person
//! who can still sign in, approve organisations and lift a suspension.

use std::collections::HashMap;

use entities::{accounts as account, organisations as organisation};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::OrgStatus;
use crate::{
    access::Role,
    audit::Actor,
    error::{AppError, FieldError},
    stored::Stored,
};

/// Refuses suspending `org` when it is the acting administrator's own organisation, or
/// when no active bureau administrator would be left outside it.
pub(super) async fn ensure_suspension_keeps_the_bureau(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    org: &organisation::Model,
) -> Result<(), AppError> {
    let mut fields = Vec::new();
    if let Some(account_id) = &actor.account_id {
        let own = account::Entity::find_by_id(account_id.clone())
            .one(conn)
            .await?
            .and_then(|a| a.organisation_id);
        if own.as_deref() == Some(org.id.as_str()) {
            fields.push(FieldError::new(
                "id",
                "own_organisation",
                "不能暂停本人所属的机构：暂停后该机构的所有账号（包括您自己）都将无法登录",
            ));
        }
    }
    if active_bureau_admins_outside(conn, &org.id).await? == 0 {
        fields.push(FieldError::new(
            "id",
            "last_bureau_admin",
            "暂停该机构后将没有可用的人社局管理员账号，无人能再审批机构或解除暂停",
        ));
    }
    if fields.is_empty() {
        Ok(())
    } else {
        Err(AppError::invalid_fields("不能暂停该机构", fields))
    }
}

/// Bureau administrators who could still act with `organisation_id` suspended: people
/// (not integration accounts), not disabled, belonging to no organisation or to an
/// approved one other than it.
pub async fn active_bureau_admins_outside(
    conn: &impl ConnectionTrait,
    organisation_id: &str,
) -> Result<usize, AppError> {
    let admins = account::Entity::find()
        .filter(account::Column::Role.eq(Role::BureauAdmin.as_str()))
        .filter(account::Column::Disabled.eq(false))
        .filter(account::Column::Integration.eq(false))
        .all(conn)
        .await?;
    let org_ids = admins.iter().filter_map(|a| a.organisation_id.clone());
    let mut approved = HashMap::new();
    for org in organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(org_ids))
        .all(conn)
        .await?
    {
        let status = OrgStatus::read("organisations", &org.id, &org.status)?;
        approved.insert(org.id, status == OrgStatus::Approved);
    }
    Ok(admins
        .iter()
        .filter(|a| match a.organisation_id.as_deref() {
            None => true,
            Some(org) => org != organisation_id && approved.get(org) == Some(&true),
        })
        .count())
}

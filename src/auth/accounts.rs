//! Creating and listing accounts. Each role belongs to one kind of organisation
//! ([`OrgKind::for_role`]); trainees belong to none.

use entities::{accounts as account, organisations as organisation};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use utoipa::ToSchema;

use super::password;
use crate::clock::Now;
use crate::{
    access::{Role, Scope},
    audit::{self, Actor, Change},
    error::{AppError, FieldError},
    organisations::OrgKind,
    pagination::{self, Page, PageParams, new_id},
    stored::{CorruptRow, Stored},
};

/// What a new account needs.
pub struct NewAccount {
    pub login: String,
    pub password: SecretString,
    pub role: Role,
    pub organisation_id: Option<String>,
    pub display_name: Option<String>,
}

/// An account as shown through the API (never the password hash).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Account {
    pub id: String,
    pub login: String,
    pub role: Role,
    pub organisation_id: Option<String>,
    pub display_name: String,
    pub disabled: bool,
    pub created_at: chrono::DateTime<chrono::FixedOffset>,
}

impl TryFrom<account::Model> for Account {
    type Error = CorruptRow;

    fn try_from(m: account::Model) -> Result<Self, CorruptRow> {
        Ok(Self {
            role: Role::read("accounts", &m.id, &m.role)?,
            id: m.id,
            login: m.login,
            organisation_id: m.organisation_id,
            display_name: m.display_name,
            disabled: m.disabled,
            created_at: m.created_at,
        })
    }
}

fn valid_login(login: &str) -> bool {
    (3..=64).contains(&login.len())
        && login
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
}

/// Creates an account after checking the login, the password length and that the
/// organisation exists and is of the kind the role needs.
pub async fn create(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    new: NewAccount,
    now: Now,
) -> Result<Account, AppError> {
    let login = new.login.trim().to_owned();
    let mut fields = Vec::new();
    if !valid_login(&login) {
        fields.push(FieldError::new(
            "login",
            "format",
            "登录名须为3–64位字母、数字或 . _ - @",
        ));
    }
    if new.password.expose_secret().chars().count() < password::MIN_PASSWORD_CHARS {
        fields.push(FieldError::new(
            "password",
            "too_short",
            format!("密码至少{}位", password::MIN_PASSWORD_CHARS),
        ));
    }
    match (OrgKind::for_role(new.role), &new.organisation_id) {
        (None, Some(_)) => fields.push(FieldError::new(
            "organisation_id",
            "not_allowed",
            "学员账号不属于任何机构",
        )),
        (Some(_), None) if new.role != Role::BureauAdmin => fields.push(FieldError::new(
            "organisation_id",
            "required",
            "该角色的账号须属于一个机构",
        )),
        (Some(kind), Some(org_id)) => {
            let org = organisation::Entity::find_by_id(org_id.clone())
                .one(conn)
                .await?;
            match org {
                None => fields.push(FieldError::new("organisation_id", "unknown", "机构不存在")),
                Some(org) if OrgKind::read("organisations", &org.id, &org.kind)? != kind => fields
                    .push(FieldError::new(
                        "organisation_id",
                        "wrong_kind",
                        format!("该角色的账号须属于{}", kind.label()),
                    )),
                Some(_) => {}
            }
        }
        _ => {}
    }
    if !fields.is_empty() {
        return Err(AppError::invalid_fields("账号信息无效", fields));
    }
    let taken = account::Entity::find()
        .filter(account::Column::Login.eq(&login))
        .one(conn)
        .await?
        .is_some();
    if taken {
        return Err(AppError::Conflict {
            code: "login_taken",
            message: format!("登录名 {login} 已被使用"),
        });
    }
    let row = account::ActiveModel {
        id: Set(new_id()),
        display_name: Set(new.display_name.unwrap_or_else(|| login.clone())),
        login: Set(login),
        password_hash: Set(password::hash(&new.password)?),
        role: Set(new.role.as_str().to_owned()),
        organisation_id: Set(new.organisation_id),
        disabled: Set(false),
        created_at: Set(now.stamp()),
    }
    .insert(conn)
    .await?;
    audit::append(
        conn,
        actor,
        Change {
            action: "account.create",
            record_type: "account",
            record_id: &row.id,
            summary: serde_json::json!({"login": row.login, "role": row.role, "organisation_id": row.organisation_id}),
        },
    )
    .await?;
    Ok(row.try_into()?)
}

/// Accounts visible in `scope`, in creation order.
pub async fn list(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    page: &PageParams,
) -> Result<Page<Account>, AppError> {
    let Some(query) = scope.apply(account::Entity::find(), account::Column::OrganisationId) else {
        return Ok(Page::empty());
    };
    Ok(pagination::fetch(conn, query, account::Column::Id, page)
        .await?
        .try_map(Account::try_from)?)
}

/// One account, if visible in `scope`.
pub async fn get(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    id: &str,
) -> Result<account::Model, AppError> {
    scope
        .find_by_id(conn, id, account::Column::OrganisationId)
        .await
}

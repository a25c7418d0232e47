//! Creating and listing accounts. Each role belongs to one kind of organisation
//! ([`OrgKind::for_role`]); trainees belong to none. An account is a person's, who signs
//! in with a password, or an integration account standing for another system: it has no
//! password, never signs in, and acts only with the tokens the bureau makes for it
//! ([`super::integration`]), so the audit log never blames a person for a machine.

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

/// What a new integration account needs: no password, as it never signs in.
pub struct NewIntegrationAccount {
    pub login: String,
    pub role: Role,
    pub organisation_id: String,
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
    /// Stands for another system: no password, acts only with integration tokens.
    pub integration: bool,
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
            integration: m.integration,
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

/// Creates a person's account after checking the login, the password length and that
/// the organisation exists and is of the kind the role needs. A trainee's account is made
/// only with its person ([`create_for_person`]), never on its own.
pub async fn create(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    new: NewAccount,
    now: Now,
) -> Result<Account, AppError> {
    let mut fields = Vec::new();
    let login = check_login(&new.login, &mut fields);
    check_password(&new.password, &mut fields);
    if new.role == Role::Trainee {
        fields.push(FieldError::new(
            "role",
            "person_required",
            "学员账号须关联到学员本人：由报名的培训机构开通，或由学员本人认领",
        ));
    } else {
        check_organisation(conn, new.role, new.organisation_id.as_deref(), &mut fields).await?;
    }
    let holder = Holder {
        login,
        role: new.role,
        organisation_id: new.organisation_id,
        display_name: new.display_name,
        contact: Contact::default(),
    };
    if !fields.is_empty() {
        return Err(AppError::invalid_fields("账号信息无效", fields));
    }
    let hash = password::hash(&new.password)?;
    insert(conn, actor, holder, Some(hash), now).await
}

/// How to reach a trainee, as they gave it when claiming their account: the e-mail in
/// clear (unconfirmed), the phone sealed under the PII key.
#[derive(Debug, Default, Clone)]
pub struct Contact {
    pub email: Option<String>,
    pub phone_sealed: Option<String>,
}

/// What a trainee's account needs: the password already hashed (off the async workers
/// where the caller can), the person's name to display.
pub struct TraineeAccount {
    pub login: String,
    pub password_hash: String,
    pub display_name: String,
    pub contact: Contact,
}

/// Creates a trainee's account. Only `people::store` calls this, linking the account to
/// its person in the same transaction: a trainee account always belongs to a person.
pub async fn create_for_person(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    new: TraineeAccount,
    now: Now,
) -> Result<Account, AppError> {
    let mut fields = Vec::new();
    let login = check_login(&new.login, &mut fields);
    if !fields.is_empty() {
        return Err(AppError::invalid_fields("账号信息无效", fields));
    }
    let holder = Holder {
        login,
        role: Role::Trainee,
        organisation_id: None,
        display_name: Some(new.display_name),
        contact: new.contact,
    };
    insert(conn, actor, holder, Some(new.password_hash), now).await
}

/// Adds the password rule's refusal to `fields` (the same rule for every account).
pub fn check_password(password: &SecretString, fields: &mut Vec<FieldError>) {
    if password.expose_secret().chars().count() < password::MIN_PASSWORD_CHARS {
        fields.push(FieldError::new(
            "password",
            "too_short",
            format!("密码至少{}位", password::MIN_PASSWORD_CHARS),
        ));
    }
}

/// An e-mail address as typed, trimmed, if it has the shape of one (`name@host.domain`,
/// no spaces, at most 254 characters); `None` with the refusal added to `fields`.
pub fn check_email(email: &str, fields: &mut Vec<FieldError>) -> Option<String> {
    let email = email.trim();
    let shaped = email.len() <= 254
        && !email.chars().any(char::is_whitespace)
        && email.split_once('@').is_some_and(|(local, host)| {
            !local.is_empty()
                && !host.contains('@')
                && host.contains('.')
                && !host.starts_with('.')
                && !host.ends_with('.')
        });
    if shaped {
        Some(email.to_owned())
    } else {
        fields.push(FieldError::new(
            "email",
            "format",
            "电子邮箱格式不正确，例如 name@example.com",
        ));
        None
    }
}

/// Whether `login` is free.
pub async fn login_taken(conn: &impl ConnectionTrait, login: &str) -> Result<bool, AppError> {
    Ok(account::Entity::find()
        .filter(account::Column::Login.eq(login.trim()))
        .one(conn)
        .await?
        .is_some())
}

/// Creates an integration account: no password, an organisation's role but never the
/// bureau's (a long-lived token must not carry the power to approve and suspend) nor a
/// trainee's.
pub async fn create_integration(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    new: NewIntegrationAccount,
    now: Now,
) -> Result<Account, AppError> {
    let mut fields = Vec::new();
    let login = check_login(&new.login, &mut fields);
    if matches!(new.role, Role::BureauAdmin | Role::Trainee) {
        fields.push(FieldError::new(
            "role",
            "not_for_integration",
            "集成账号不能是人社局管理员或学员",
        ));
    } else {
        check_organisation(conn, new.role, Some(&new.organisation_id), &mut fields).await?;
    }
    let holder = Holder {
        login,
        role: new.role,
        organisation_id: Some(new.organisation_id),
        display_name: new.display_name,
        contact: Contact::default(),
    };
    if !fields.is_empty() {
        return Err(AppError::invalid_fields("账号信息无效", fields));
    }
    insert(conn, actor, holder, None, now).await
}

/// Who a new account is, checked.
struct Holder {
    login: String,
    role: Role,
    organisation_id: Option<String>,
    display_name: Option<String>,
    contact: Contact,
}

pub fn check_login(login: &str, fields: &mut Vec<FieldError>) -> String {
    let login = login.trim().to_owned();
    if !valid_login(&login) {
        fields.push(FieldError::new(
            "login",
            "format",
            "登录名须为3–64位字母、数字或 . _ - @",
        ));
    }
    login
}

/// Whether `organisation_id` fits `role`: none for trainees, one of the role's kind for
/// every other role (optional for the bureau's administrators).
async fn check_organisation(
    conn: &impl ConnectionTrait,
    role: Role,
    organisation_id: Option<&str>,
    fields: &mut Vec<FieldError>,
) -> Result<(), AppError> {
    match (OrgKind::for_role(role), organisation_id) {
        (None, Some(_)) => fields.push(FieldError::new(
            "organisation_id",
            "not_allowed",
            "学员账号不属于任何机构",
        )),
        (Some(_), None) if role != Role::BureauAdmin => fields.push(FieldError::new(
            "organisation_id",
            "required",
            "该角色的账号须属于一个机构",
        )),
        (Some(kind), Some(org_id)) => {
            let org = organisation::Entity::find_by_id(org_id.to_owned())
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
    Ok(())
}

/// Writes the account unless the login is taken; `password_hash` is `None` for an
/// integration account, which then has no password at all.
async fn insert(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    holder: Holder,
    password_hash: Option<String>,
    now: Now,
) -> Result<Account, AppError> {
    let login = holder.login;
    if login_taken(conn, &login).await? {
        return Err(AppError::Conflict {
            code: "login_taken",
            message: format!("登录名 {login} 已被使用"),
        });
    }
    let integration = password_hash.is_none();
    let row = account::ActiveModel {
        id: Set(new_id()),
        display_name: Set(holder.display_name.unwrap_or_else(|| login.clone())),
        login: Set(login),
        password_hash: Set(password_hash.unwrap_or_default()),
        role: Set(holder.role.as_str().to_owned()),
        organisation_id: Set(holder.organisation_id),
        disabled: Set(false),
        integration: Set(integration),
        created_at: Set(now.stamp()),
        email: Set(holder.contact.email),
        email_confirmed_at: Set(None),
        phone_sealed: Set(holder.contact.phone_sealed),
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
            summary: serde_json::json!({"login": row.login, "role": row.role, "organisation_id": row.organisation_id, "integration": row.integration}),
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

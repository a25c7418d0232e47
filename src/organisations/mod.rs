//! Organisations: the bureau, training providers, evaluation organisations, licensing
//! authorities and employers. Only approved organisations act; every organisation's
//! credit code is parsed once into a [`CreditCode`] and its name into an [`OrgName`],
//! unique among active organisations. An organisation's own rename waits for the
//! bureau ([`renames`]); the bureau cannot suspend itself out of the registry
//! ([`lockout`]). An issuing organisation uploads the seal image its certificates print
//! ([`seal`]).

pub mod credit_code;
pub mod kind;
pub mod lockout;
pub mod name;
pub mod renames;
pub mod seal;
pub mod status;

use entities::organisations as organisation;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::clock::Now;
use crate::{
    access::{Caller, Scope},
    audit::{self, Actor, Change},
    error::{AppError, FieldError},
    pagination::{self, Page, PageParams, new_id},
    stored::{CorruptRow, Stored},
};
pub use credit_code::{CreditCode, CreditCodeError};
pub use kind::OrgKind;
pub use name::{OrgName, OrgNameError};
pub use status::OrgStatus;

/// An organisation as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Organisation {
    pub id: String,
    pub kind: OrgKind,
    /// The name in force: what certificates issued from now on print.
    pub name: String,
    /// A new name the organisation asked for, until the bureau approves or rejects it.
    pub pending_name: Option<String>,
    pub credit_code: String,
    pub status: OrgStatus,
    pub address: Option<String>,
    pub contact_phone: Option<String>,
    /// Evaluation organisations: the 4-digit organisation code in certificate numbers.
    pub national_code: Option<String>,
    /// Evaluation organisations: the 6-digit assessment-site code in certificate numbers.
    pub site_code: Option<String>,
    pub created_at: chrono::DateTime<chrono::FixedOffset>,
    pub updated_at: chrono::DateTime<chrono::FixedOffset>,
}

impl TryFrom<organisation::Model> for Organisation {
    type Error = CorruptRow;

    fn try_from(m: organisation::Model) -> Result<Self, CorruptRow> {
        Ok(Self {
            kind: OrgKind::read("organisations", &m.id, &m.kind)?,
            status: OrgStatus::read("organisations", &m.id, &m.status)?,
            id: m.id,
            name: m.name,
            pending_name: m.pending_name,
            credit_code: m.credit_code,
            address: m.address,
            contact_phone: m.contact_phone,
            national_code: m.national_code,
            site_code: m.site_code,
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }
}

/// The raw input for a new organisation, before parsing.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct OrganisationInput {
    pub kind: OrgKind,
    pub name: String,
    /// 统一社会信用代码 (GB 32100), 18 characters.
    pub credit_code: String,
    pub address: Option<String>,
    pub contact_phone: Option<String>,
    /// Evaluation organisations: 4-digit organisation code (人社鉴发〔2019〕2号).
    pub national_code: Option<String>,
    /// Evaluation organisations: 6-digit assessment-site code.
    pub site_code: Option<String>,
}

/// Changes to an organisation's own details; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct OrganisationPatch {
    /// From the bureau, the new name at once; from the organisation itself, a request
    /// the bureau approves or rejects (`pending_name` meanwhile).
    pub name: Option<String>,
    pub address: Option<String>,
    pub contact_phone: Option<String>,
}

fn check_name(name: &str, fields: &mut Vec<FieldError>) -> Option<OrgName> {
    OrgName::parse(name)
        .map_err(|e| fields.push(OrgName::field_error("name", &e)))
        .ok()
}

fn check_optional(field: &str, value: &Option<String>, max: usize, fields: &mut Vec<FieldError>) {
    if value.as_ref().is_some_and(|v| v.chars().count() > max) {
        fields.push(FieldError::new(
            field,
            "too_long",
            format!("不超过{max}个字符"),
        ));
    }
}

/// Registers an organisation as pending. Every field is checked before anything is
/// written; a credit code already registered is a conflict.
pub async fn create(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    input: OrganisationInput,
    now: Now,
) -> Result<Organisation, AppError> {
    let mut fields = Vec::new();
    let name = check_name(&input.name, &mut fields);
    check_optional("address", &input.address, 200, &mut fields);
    check_optional("contact_phone", &input.contact_phone, 30, &mut fields);
    for (field, value, len) in [
        ("national_code", &input.national_code, 4),
        ("site_code", &input.site_code, 6),
    ] {
        if value
            .as_ref()
            .is_some_and(|v| v.len() != len || !v.bytes().all(|b| b.is_ascii_digit()))
        {
            fields.push(FieldError::new(field, "format", format!("须为{len}位数字")));
        }
    }
    let code = match CreditCode::parse(&input.credit_code) {
        Ok(code) => Some(code),
        Err(e) => {
            fields.push(FieldError::new("credit_code", e.reason(), e.message()));
            None
        }
    };
    let (Some(code), Some(name), true) = (code, name, fields.is_empty()) else {
        return Err(AppError::invalid_fields("机构信息无效", fields));
    };
    let existing = organisation::Entity::find()
        .filter(organisation::Column::CreditCode.eq(code.as_str()))
        .one(conn)
        .await?;
    if existing.is_some() {
        return Err(AppError::Conflict {
            code: "credit_code_taken",
            message: format!("统一社会信用代码 {code} 已登记"),
        });
    }
    let now = now.stamp();
    let row = organisation::ActiveModel {
        id: Set(new_id()),
        kind: Set(input.kind.as_str().to_owned()),
        name: Set(name.to_string()),
        pending_name: Set(None),
        credit_code: Set(code.to_string()),
        status: Set(OrgStatus::Pending.as_str().to_owned()),
        address: Set(input.address),
        contact_phone: Set(input.contact_phone),
        national_code: Set(input.national_code),
        site_code: Set(input.site_code),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(conn)
    .await?;
    audit::append(
        conn,
        actor,
        Change {
            action: "organisation.create",
            record_type: "organisation",
            record_id: &row.id,
            summary: serde_json::json!({"kind": row.kind, "name": row.name, "credit_code": row.credit_code}),
        },
    )
    .await?;
    name::ensure_free(conn, &row.name, &row.id).await?;
    Ok(row.try_into()?)
}

/// One organisation, if visible in `scope`; otherwise "not found".
pub async fn get(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    id: &str,
) -> Result<Organisation, AppError> {
    Ok(find_visible(conn, scope, id).await?.try_into()?)
}

pub(crate) async fn find_visible(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    id: &str,
) -> Result<organisation::Model, AppError> {
    organisation::Entity::find_by_id(id.to_owned())
        .one(conn)
        .await?
        .filter(|o| scope.sees(&o.id))
        .ok_or(AppError::NotFound)
}

/// Organisations visible in `scope`, optionally of one kind, in creation order.
/// The approved organisations of a kind, by name, as `(id, name)`: the choices of a
/// form (a cohort's evaluation organisation).
pub async fn approved_of_kind(
    conn: &impl ConnectionTrait,
    kind: OrgKind,
) -> Result<Vec<(String, String)>, AppError> {
    Ok(organisation::Entity::find()
        .filter(organisation::Column::Kind.eq(kind.as_str()))
        .filter(organisation::Column::Status.eq(OrgStatus::Approved.as_str()))
        .order_by_asc(organisation::Column::Name)
        .all(conn)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect())
}

pub async fn list(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    kind: Option<OrgKind>,
    waiting_only: bool,
    page: &PageParams,
) -> Result<Page<Organisation>, AppError> {
    let Some(mut query) = scope.apply(organisation::Entity::find(), organisation::Column::Id)
    else {
        return Ok(Page::empty());
    };
    if let Some(kind) = kind {
        query = query.filter(organisation::Column::Kind.eq(kind.as_str()));
    }
    if waiting_only {
        // What the bureau's task list counts: new organisations and asked-for names.
        use sea_orm::ExprTrait as _;
        query = query.filter(
            organisation::Column::Status
                .eq(OrgStatus::Pending.as_str())
                .or(organisation::Column::PendingName.is_not_null()),
        );
    }
    Ok(
        pagination::fetch(conn, query, organisation::Column::Id, page)
            .await?
            .try_map(Organisation::try_from)?,
    )
}

/// Updates an organisation's own details (the bureau: any organisation's). A new name
/// from the bureau takes effect at once; from the organisation itself it waits for the
/// bureau as `pending_name` ([`renames`]). Either way it must be free.
pub async fn update(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: &str,
    patch: OrganisationPatch,
    now: Now,
) -> Result<Organisation, AppError> {
    let row = find_visible(conn, &caller.scope(), id).await?;
    let mut fields = Vec::new();
    let rename = match &patch.name {
        Some(name) if *name != row.name => check_name(name, &mut fields),
        _ => None,
    };
    check_optional("address", &patch.address, 200, &mut fields);
    check_optional("contact_phone", &patch.contact_phone, 30, &mut fields);
    if !fields.is_empty() {
        return Err(AppError::invalid_fields("机构信息无效", fields));
    }
    let actor = caller.actor();
    let (direct, requested) = match rename {
        Some(name) if caller.is_bureau() => (Some(name), None),
        requested => (None, requested),
    };
    let mut row = row;
    if direct.is_some() || patch.address.is_some() || patch.contact_phone.is_some() {
        let renamed_from = direct.as_ref().map(|_| row.name.clone());
        let mut active: organisation::ActiveModel = row.into();
        if let Some(name) = &direct {
            active.name = Set(name.to_string());
            active.pending_name = Set(None);
        }
        if let Some(address) = patch.address {
            active.address = Set(Some(address));
        }
        if let Some(phone) = patch.contact_phone {
            active.contact_phone = Set(Some(phone));
        }
        row = save(conn, &actor, active, now, "organisation.update", |row| {
            serde_json::json!({"name": row.name, "renamed_from": renamed_from, "address": row.address, "contact_phone": row.contact_phone})
        })
        .await?;
        if direct.is_some() {
            name::ensure_free(conn, &row.name, &row.id).await?;
        }
    }
    if let Some(name) = requested {
        row = renames::request(conn, &actor, row, &name, now).await?;
    }
    Ok(row.try_into()?)
}

/// Approves or suspends an organisation (the bureau's decision). Setting the status it
/// already has changes nothing and logs nothing.
pub async fn set_status(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: &str,
    status: OrgStatus,
    now: Now,
) -> Result<Organisation, AppError> {
    let row = find_visible(conn, &Scope::All, id).await?;
    let from = OrgStatus::read("organisations", &row.id, &row.status)?;
    if from == status {
        return Ok(row.try_into()?);
    }
    if status == OrgStatus::Suspended {
        lockout::ensure_suspension_keeps_the_bureau(conn, actor, &row).await?;
    }
    let mut active: organisation::ActiveModel = row.into();
    active.status = Set(status.as_str().to_owned());
    let row = save(
        conn,
        actor,
        active,
        now,
        "organisation.set_status",
        |row| serde_json::json!({"from": from, "to": row.status}),
    )
    .await?;
    if from == OrgStatus::Suspended {
        // A suspended organisation's name may have been taken meanwhile.
        name::ensure_free(conn, &row.name, &row.id).await?;
    }
    Ok(row.try_into()?)
}

/// Writes `active` as of `now` and appends the audit entry `action` about the row as
/// written, summarised by `summary`.
async fn save(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    mut active: organisation::ActiveModel,
    now: Now,
    action: &str,
    summary: impl FnOnce(&organisation::Model) -> serde_json::Value,
) -> Result<organisation::Model, AppError> {
    active.updated_at = Set(now.stamp());
    let row = active.update(conn).await?;
    audit::append(
        conn,
        actor,
        Change {
            action,
            record_type: "organisation",
            record_id: &row.id,
            summary: summary(&row),
        },
    )
    .await?;
    Ok(row)
}

/// Every organisation not suspended, as (id, name), by kind and name: the choices of a
/// form and the names of a list, in one query.
pub async fn directory(conn: &impl ConnectionTrait) -> Result<Vec<(String, String)>, AppError> {
    use sea_orm::{QueryOrder, QuerySelect};
    Ok(organisation::Entity::find()
        .select_only()
        .columns([organisation::Column::Id, organisation::Column::Name])
        .filter(organisation::Column::Status.ne(OrgStatus::Suspended.as_str()))
        .order_by_asc(organisation::Column::Kind)
        .order_by_asc(organisation::Column::Name)
        .into_tuple()
        .all(conn)
        .await?)
}

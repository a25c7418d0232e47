//! People in the database: finding or registering a person by citizen ID (through the
//! blind index, never the clear number), showing them masked or in full depending on who
//! asks, and giving a trainee a login.

use chrono::NaiveDate;
use entities::people as person;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use super::rows::{find_row, of_account};
use super::{CitizenId, Gender, KeyGroup, MobilePhone, PersonName, PiiKeys, at_rest, mask_name};
use crate::clock::Now;
use crate::{
    access::{
        Caller, Role,
        rules::{self, Visibility},
    },
    audit::{self, Actor, Change},
    auth::accounts,
    error::{AppError, FieldError},
    pagination::new_id,
    stored::CorruptRow,
};

/// Identity fields as submitted, before parsing.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct IdentityInput {
    /// 姓名.
    pub name: String,
    /// 居民身份证号码 (18 characters; a lower-case or full-width X is accepted).
    pub citizen_id: String,
    /// 11-digit mainland mobile number.
    pub phone: Option<String>,
    /// Key groups, by code (`graduate`), Chinese label (高校毕业生) or a common variant
    /// (退役士兵); `GET /api/v1/key-groups` lists them. Stored and returned as codes.
    #[serde(default)]
    pub key_groups: Vec<String>,
}

/// Parsed identity: every field valid.
#[derive(Debug, Clone)]
pub struct Identity {
    pub name: PersonName,
    pub citizen_id: CitizenId,
    pub phone: Option<MobilePhone>,
    pub key_groups: Vec<KeyGroup>,
}

impl IdentityInput {
    /// Parses every field, collecting all problems; key-group rules (such as 16–40 for new
    /// farmers and herders) are judged on `on`.
    pub fn parse(self, on: NaiveDate) -> Result<Identity, AppError> {
        let mut fields = Vec::new();
        let name = PersonName::parse(&self.name)
            .map_err(|e| {
                fields.push(FieldError::new("name", e.reason(), e.message()));
            })
            .ok();
        let citizen_id = CitizenId::parse(&self.citizen_id)
            .map_err(|e| {
                fields.push(FieldError::new("citizen_id", e.reason(), e.message()));
            })
            .ok();
        let phone = match self
            .phone
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            None => None,
            Some(p) => MobilePhone::parse(p)
                .map_err(|e| {
                    fields.push(FieldError::new("phone", e.reason(), e.message()));
                })
                .ok(),
        };
        let mut key_groups = Vec::new();
        for (i, tag) in self.key_groups.iter().enumerate() {
            let Some(group) = KeyGroup::read(tag) else {
                fields.push(FieldError::new(
                    format!("key_groups[{i}]"),
                    "unknown",
                    format!("未知的重点群体标签：{tag}"),
                ));
                continue;
            };
            if let Some(id) = &citizen_id
                && let Err(reason) = group.check(id.age_on(on), id.gender())
            {
                fields.push(FieldError::new(
                    format!("key_groups[{i}]"),
                    reason,
                    format!(
                        "“{}”标签不适用：{}",
                        group.label(),
                        group.requirement().unwrap_or("条件不符")
                    ),
                ));
                continue;
            }
            if !key_groups.contains(&group) {
                key_groups.push(group);
            }
        }
        match (name, citizen_id, fields.is_empty()) {
            (Some(name), Some(citizen_id), true) => Ok(Identity {
                name,
                citizen_id,
                phone,
                key_groups,
            }),
            _ => Err(AppError::invalid_fields("身份信息无效", fields)),
        }
    }
}

/// A person as a viewer may see them. Whoever sees the ID number in full (the holder, staff
/// of a provider that enrolled them) sees everything; everyone else sees the masked forms
/// and no birth date, which is exactly what the masked number hides.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonView {
    pub id: String,
    /// In full for the holder and the enrolling providers; otherwise masked (`张*三`).
    pub name: String,
    /// In full for the holder and for staff of a provider that enrolled them; otherwise
    /// masked (`150784********123X`).
    pub citizen_id: String,
    /// Whether `citizen_id`, `name` and `phone` are the masked forms.
    pub citizen_id_masked: bool,
    /// The 17th digit's parity, which the masked number shows too.
    pub gender: Gender,
    /// Read from the ID number, for those who see it in full; `null` for everyone else.
    pub birth_date: Option<NaiveDate>,
    /// In full for those who see the ID number in full; otherwise masked (`138****5678`).
    pub phone: Option<String>,
    pub key_groups: Vec<KeyGroup>,
    pub has_account: bool,
}

/// The key groups a person is tagged with; a tag nobody could have written is corrupt.
fn key_groups_of(row: &person::Model) -> Result<Vec<KeyGroup>, AppError> {
    let tags: Vec<String> = serde_json::from_str(&row.key_groups)
        .map_err(|e| anyhow::anyhow!("people {}: unreadable key groups: {e}", row.id))?;
    tags.iter()
        .map(|tag| {
            KeyGroup::parse(tag)
                .ok_or_else(|| CorruptRow::new("people", &row.id, "key group", tag).into())
        })
        .collect()
}

/// The view of `row` for a viewer who is or is not entitled to the full identity.
pub fn view(keys: &PiiKeys, row: &person::Model, entitled: bool) -> Result<PersonView, AppError> {
    let phone = at_rest::phone_of(keys, row)?;
    let gender = Gender::parse(&row.gender)
        .ok_or_else(|| CorruptRow::new("people", &row.id, "gender", &row.gender))?;
    let (name, citizen_id, birth_date, phone) = if entitled {
        let id = at_rest::citizen_id_of(keys, row)?;
        (
            row.name.clone(),
            id.as_str().to_owned(),
            Some(id.birth_date()),
            phone.map(|p| p.as_str().to_owned()),
        )
    } else {
        (
            mask_name(&row.name),
            row.citizen_id_masked.clone(),
            None,
            phone.map(|p| p.masked()),
        )
    };
    Ok(PersonView {
        id: row.id.clone(),
        name,
        citizen_id,
        citizen_id_masked: !entitled,
        gender,
        birth_date,
        phone,
        key_groups: key_groups_of(row)?,
        has_account: row.account_id.is_some(),
    })
}

/// A person, if the caller may see them at all: the bureau always (masked), the holder,
/// and providers that enrolled them; anyone else gets "not found".
pub async fn get(
    conn: &impl ConnectionTrait,
    keys: &PiiKeys,
    caller: &Caller,
    id: &str,
) -> Result<PersonView, AppError> {
    let row = person::Entity::find_by_id(id.to_owned())
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    match rules::may_see_person(conn, caller, &row).await? {
        Visibility::None => Err(AppError::NotFound),
        Visibility::Masked => view(keys, &row, false),
        Visibility::Full => view(keys, &row, true),
    }
}

/// The person with this citizen ID, registering them if new. A known ID with a different
/// name is refused. New key-group tags and a new phone number are added to the record.
pub async fn find_or_register(
    conn: &impl ConnectionTrait,
    keys: &PiiKeys,
    actor: &Actor,
    identity: &Identity,
    now: Now,
) -> Result<person::Model, AppError> {
    let index = keys.blind_index(identity.citizen_id.as_str());
    let existing = person::Entity::find()
        .filter(person::Column::CitizenIdIndex.eq(&index))
        .one(conn)
        .await?;
    let now = now.stamp();
    let Some(row) = existing else {
        let groups: Vec<&str> = identity.key_groups.iter().map(|g| g.as_str()).collect();
        let sealed = at_rest::seal_citizen_id(keys, &identity.citizen_id)?;
        let phone_sealed = identity
            .phone
            .as_ref()
            .map(|p| at_rest::seal_phone(keys, p))
            .transpose()?;
        let row = person::ActiveModel {
            id: Set(new_id()),
            name: Set(identity.name.as_str().to_owned()),
            citizen_id_sealed: Set(sealed),
            citizen_id_index: Set(index),
            citizen_id_masked: Set(identity.citizen_id.masked()),
            gender: Set(identity.citizen_id.gender().as_str().to_owned()),
            phone_sealed: Set(phone_sealed),
            key_groups: Set(serde_json::json!(groups).to_string()),
            account_id: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            email: Set(None),
            email_confirmed_at: Set(None),
        }
        .insert(conn)
        .await?;
        super::tags::write_person(conn, &row.id, &groups).await?;
        audit::append(
            conn,
            actor,
            Change {
                action: "person.register",
                record_type: "person",
                record_id: &row.id,
                summary: serde_json::json!({"citizen_id": row.citizen_id_masked, "key_groups": groups}),
            },
        )
        .await?;
        return Ok(row);
    };
    if row.name != identity.name.as_str() {
        return Err(AppError::invalid(
            "name",
            "mismatch_with_registered",
            "该身份证号码已登记在册，但姓名与登记信息不一致，请核对",
        ));
    }
    let mut groups = key_groups_of(&row)?;
    let before = groups.len();
    for g in &identity.key_groups {
        if !groups.contains(g) {
            groups.push(*g);
        }
    }
    let known_phone = at_rest::phone_of(keys, &row)?;
    let new_phone = identity
        .phone
        .as_ref()
        .filter(|p| known_phone.as_ref() != Some(*p))
        .map(|p| at_rest::seal_phone(keys, p))
        .transpose()?;
    if groups.len() == before && new_phone.is_none() {
        return Ok(row);
    }
    let tags: Vec<&str> = groups.iter().map(|g| g.as_str()).collect();
    let phone_changed = new_phone.is_some();
    let mut active: person::ActiveModel = row.into();
    active.key_groups = Set(serde_json::json!(tags).to_string());
    if let Some(phone) = new_phone {
        active.phone_sealed = Set(Some(phone));
    }
    active.updated_at = Set(now);
    let row = active.update(conn).await?;
    super::tags::write_person(conn, &row.id, &tags).await?;
    audit::append(
        conn,
        actor,
        Change {
            action: "person.update",
            record_type: "person",
            record_id: &row.id,
            summary: serde_json::json!({"key_groups": tags, "phone_changed": phone_changed}),
        },
    )
    .await?;
    Ok(row)
}

/// Gives a person a trainee login so they can see their records and certificates. Only a
/// provider that enrolled them may do so; a person has at most one login.
pub async fn create_login(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    person_id: &str,
    login: String,
    password: SecretString,
    now: Now,
) -> Result<accounts::Account, AppError> {
    let row = person::Entity::find_by_id(person_id.to_owned())
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    if caller.role != Role::ProviderStaff || !rules::entitled_to_person(conn, caller, &row).await? {
        return Err(AppError::NotFound);
    }
    give_login(conn, &caller.actor(), row, login, password, now).await
}

/// Gives `row` a trainee login with `password` (checked against the account rules and
/// hashed here): the provider's way and `registry user add --role trainee --person`.
pub async fn give_login(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    row: person::Model,
    login: String,
    password: SecretString,
    now: Now,
) -> Result<accounts::Account, AppError> {
    let mut fields = Vec::new();
    accounts::check_password(&password, &mut fields);
    if !fields.is_empty() {
        return Err(AppError::invalid_fields("账号信息无效", fields));
    }
    let password_hash = crate::auth::password::hash(&password)?;
    let new = accounts::TraineeAccount {
        login,
        password_hash,
        display_name: row.name.clone(),
        contact: accounts::Contact::default(),
    };
    link_new_account(conn, actor, row, new, "person.link_account", now).await
}

/// Creates the trainee account `new` and links it to `row` in the caller's transaction,
/// audited as `action`; a person who has one already is a 409 `account_exists`.
pub async fn link_new_account(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    row: person::Model,
    new: accounts::TraineeAccount,
    action: &'static str,
    now: Now,
) -> Result<accounts::Account, AppError> {
    if row.account_id.is_some() {
        return Err(AppError::Conflict {
            code: "account_exists",
            message: "该学员已开通登录账号".into(),
        });
    }
    let account = accounts::create_for_person(conn, actor, new, now).await?;
    let mut active: person::ActiveModel = row.into();
    active.account_id = Set(Some(account.id.clone()));
    active.updated_at = Set(now.stamp());
    let row = active.update(conn).await?;
    let summary = serde_json::json!({"account_id": account.id, "login": account.login});
    let change = Change {
        action,
        record_type: "person",
        record_id: &row.id,
        summary,
    };
    audit::append(conn, actor, change).await?;
    Ok(account)
}

//! Corrections of a person's name or phone number: records, not edits (docs/DESIGN.md
//! §5). Staff of a provider that enrolled the person, or the bureau, correct one field
//! with a reason (and, for a name, the evidence checked). Each correction is kept with
//! the value before and after (a phone number sealed, as `people` keeps it) and audited,
//! and a corrected name is carried onto the holder's standing certificates by re-issuing
//! them in the same transaction ([`reissue::supersede_many`]). No certificate prints a
//! phone number, so correcting one re-issues nothing.
//!
//! A retry answers the correction already made; a value equal to the one on record is
//! refused. (A module of its own: it stands on both `people` and `certificates`.)

use chrono::{DateTime, FixedOffset};
use entities::{accounts as account, people as person, person_corrections as correction};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, sea_query::Expr,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::people::{MobilePhone, PersonName, PiiKeys, at_rest, mask_name};
use crate::{
    access::{
        Caller,
        rules::{self, Visibility},
    },
    audit::{self, Change},
    certificates::{Services, reissue},
    clock::Now,
    error::{AppError, FieldError},
    pagination::new_id,
    programs::CertificateKind,
    stored::{Stored, stored_enum},
};

stored_enum! {
    /// What a correction changes.
    pub enum CorrectedField("corrected field") {
        /// 姓名: printed on every certificate, which are re-issued.
        Name = "name" => "姓名",
        /// 手机号码: printed on none.
        Phone = "phone" => "手机号码",
    }
}

/// A correction as submitted.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CorrectionInput {
    pub field: CorrectedField,
    /// The corrected value: a name as the ID card prints it, or an 11-digit mobile number.
    pub value: String,
    /// Why the record was wrong (1–200 characters).
    pub reason: String,
    /// The evidence checked (≤ 200 characters, e.g. 已核对户口本); required for a name.
    pub evidence: Option<String>,
}

enum NewValue {
    Name(PersonName),
    Phone(MobilePhone),
}

/// A correction whose every field is valid.
struct Checked {
    field: CorrectedField,
    value: NewValue,
    reason: String,
    evidence: Option<String>,
}

impl CorrectionInput {
    /// Checks every field, collecting all problems.
    fn check(self) -> Result<Checked, AppError> {
        let mut fields = Vec::new();
        let value = match self.field {
            CorrectedField::Name => PersonName::parse(&self.value)
                .map(NewValue::Name)
                .map_err(|e| FieldError::new("value", e.reason(), e.message())),
            CorrectedField::Phone => MobilePhone::parse(&self.value)
                .map(NewValue::Phone)
                .map_err(|e| FieldError::new("value", e.reason(), e.message())),
        }
        .map_err(|e| fields.push(e))
        .ok();
        let reason = self.reason.trim().to_owned();
        if !(1..=200).contains(&reason.chars().count()) {
            fields.push(FieldError::new(
                "reason",
                "length",
                "请填写更正原因（1–200字）",
            ));
        }
        let evidence = self
            .evidence
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(str::to_owned);
        match (&evidence, self.field) {
            (None, CorrectedField::Name) => fields.push(FieldError::new(
                "evidence",
                "required",
                "更正姓名须写明核对的证明材料，如：已核对户口本、身份证原件",
            )),
            (Some(e), _) if e.chars().count() > 200 => fields.push(FieldError::new(
                "evidence",
                "length",
                "证明材料说明不能超过200字",
            )),
            _ => {}
        }
        match value {
            Some(value) if fields.is_empty() => Ok(Checked {
                field: self.field,
                value,
                reason,
                evidence,
            }),
            _ => Err(AppError::invalid_fields("更正信息无效", fields)),
        }
    }
}

/// A certificate re-issued because of a correction.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReissuedCertificate {
    pub kind: CertificateKind,
    /// The certificate replaced, now `superseded`.
    pub old_id: String,
    pub old_number: String,
    /// Its replacement, carrying the correction.
    pub new_id: String,
    pub new_number: String,
}

/// A correction as the caller may see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Correction {
    pub id: String,
    pub person_id: String,
    pub field: CorrectedField,
    /// The value before: in full for the person and the providers that enrolled them,
    /// masked (`张*三`, `138****5678`) for the bureau; `null` when there was none.
    pub from: Option<String>,
    /// The corrected value, shown as `from` is.
    pub to: String,
    pub reason: String,
    pub evidence: Option<String>,
    /// The login of the account that made it.
    pub corrected_by: String,
    pub corrected_at: DateTime<FixedOffset>,
    /// The certificates re-issued with the correction; each old one names its replacement.
    pub reissued: Vec<ReissuedCertificate>,
}

/// A correction and whether this request made it (a retry finds it made).
pub struct Corrected {
    pub correction: Correction,
    pub created: bool,
}

/// Corrects one field of a person (a provider that enrolled them, or the bureau; else 404).
pub async fn correct(
    conn: &impl ConnectionTrait,
    services: &Services,
    caller: &Caller,
    person_id: &str,
    input: CorrectionInput,
    now: Now,
) -> Result<Corrected, AppError> {
    // Locked first, so that corrections of one person, and certificates being issued to
    // them, take turns (issuing holds the person under a shared lock).
    let row = person::Entity::find_by_id(person_id.to_owned())
        .lock_exclusive()
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let entitled = match rules::may_see_person(conn, caller, &row).await? {
        Visibility::None => return Err(AppError::NotFound),
        Visibility::Masked => false,
        Visibility::Full => true,
    };
    let keys = &services.pii;
    let checked = input.check()?;
    if let Some(made) = repeated(conn, keys, &row, &checked).await? {
        return Ok(Corrected {
            correction: view(keys, made, entitled)?,
            created: false,
        });
    }
    let (old_value, new_value) = values(keys, &row, &checked.value)?;
    let old_name = row.name.clone();
    let mut active: person::ActiveModel = row.into();
    match &checked.value {
        NewValue::Name(name) => active.name = Set(name.as_str().to_owned()),
        NewValue::Phone(_) => active.phone_sealed = Set(Some(new_value.clone())),
    }
    active.updated_at = Set(now.stamp());
    let row = active.update(conn).await?;
    let actor = caller.actor();
    let replaced = match &checked.value {
        NewValue::Name(name) => {
            rename_login(conn, &row, &old_name, name).await?;
            let why = format!("持证人姓名更正：{}", checked.reason);
            reissue::supersede_many(conn, services, &actor, &row.id, &why, now).await?
        }
        NewValue::Phone(_) => Vec::new(),
    };
    let reissued = replaced
        .iter()
        .map(|r| {
            Ok(ReissuedCertificate {
                kind: CertificateKind::read("certificates", &r.new.id, &r.new.kind)?,
                old_id: r.old.id.clone(),
                old_number: r.old.number.clone(),
                new_id: r.new.id.clone(),
                new_number: r.new.number.clone(),
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let record = correction::ActiveModel {
        id: Set(new_id()),
        person_id: Set(row.id.clone()),
        field: Set(checked.field.as_str().to_owned()),
        old_value: Set(old_value),
        new_value: Set(new_value),
        reason: Set(checked.reason.clone()),
        evidence: Set(checked.evidence.clone()),
        reissued: Set(serde_json::to_string(&reissued)
            .map_err(|e| anyhow::anyhow!("writing re-issued certificates: {e}"))?),
        corrected_by: Set(actor.label.clone()),
        organisation_id: Set(caller.organisation_id.clone()),
        corrected_at: Set(now.stamp()),
    }
    .insert(conn)
    .await?;
    let names = match &checked.value {
        NewValue::Name(name) => {
            serde_json::json!({"from": mask_name(&old_name), "to": name.masked()})
        }
        NewValue::Phone(_) => serde_json::json!({}),
    };
    audit::append(
        conn,
        &actor,
        Change {
            action: "person.correct",
            record_type: "person",
            record_id: &row.id,
            summary: serde_json::json!({"correction_id": record.id, "field": checked.field,
                "reason": checked.reason, "evidence": checked.evidence, "names": names,
                "reissued": reissued.iter().map(|r| [&r.old_number, &r.new_number]).collect::<Vec<_>>()}),
        },
    )
    .await?;
    Ok(Corrected {
        correction: view(keys, record, entitled)?,
        created: true,
    })
}

/// The value before and after as stored: names in clear (as `people` keeps them), phone
/// numbers sealed. A value equal to the one on record is refused.
fn values(
    keys: &PiiKeys,
    row: &person::Model,
    value: &NewValue,
) -> Result<(Option<String>, String), AppError> {
    match value {
        NewValue::Name(name) if row.name == name.as_str() => Err(AppError::invalid(
            "value",
            "unchanged",
            "新姓名与登记的姓名相同，无需更正",
        )),
        NewValue::Name(name) => Ok((Some(row.name.clone()), name.as_str().to_owned())),
        NewValue::Phone(phone) if at_rest::phone_of(keys, row)?.as_ref() == Some(phone) => {
            Err(AppError::invalid(
                "value",
                "unchanged",
                "新手机号码与登记的手机号码相同，无需更正",
            ))
        }
        NewValue::Phone(phone) => Ok((row.phone_sealed.clone(), at_rest::seal_phone(keys, phone)?)),
    }
}

/// The person's latest correction if `checked` repeats it and it still holds: a retry.
async fn repeated(
    conn: &impl ConnectionTrait,
    keys: &PiiKeys,
    row: &person::Model,
    checked: &Checked,
) -> Result<Option<correction::Model>, AppError> {
    let Some(last) = correction::Entity::find()
        .filter(correction::Column::PersonId.eq(&row.id))
        .order_by_desc(correction::Column::CorrectedAt)
        .order_by_desc(correction::Column::Id)
        .limit(1)
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let same_request = last.field == checked.field.as_str()
        && last.reason == checked.reason
        && last.evidence == checked.evidence;
    let still_holds = match &checked.value {
        NewValue::Name(name) => last.new_value == name.as_str() && row.name == name.as_str(),
        NewValue::Phone(phone) => {
            row.phone_sealed.as_deref() == Some(last.new_value.as_str())
                && at_rest::phone_of(keys, row)?.as_ref() == Some(phone)
        }
    };
    Ok((same_request && still_holds).then_some(last))
}

/// The holder's login shows their name: it follows unless someone gave it another.
async fn rename_login(
    conn: &impl ConnectionTrait,
    row: &person::Model,
    old_name: &str,
    name: &PersonName,
) -> Result<(), AppError> {
    let Some(account_id) = &row.account_id else {
        return Ok(());
    };
    account::Entity::update_many()
        .col_expr(account::Column::DisplayName, Expr::value(name.as_str()))
        .filter(account::Column::Id.eq(account_id.as_str()))
        .filter(account::Column::DisplayName.eq(old_name))
        .exec(conn)
        .await?;
    Ok(())
}

/// Every correction of a person, oldest first, for those who may see the person.
pub async fn index(
    conn: &impl ConnectionTrait,
    keys: &PiiKeys,
    caller: &Caller,
    person_id: &str,
) -> Result<Vec<Correction>, AppError> {
    let row = person::Entity::find_by_id(person_id.to_owned())
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let entitled = match rules::may_see_person(conn, caller, &row).await? {
        Visibility::None => return Err(AppError::NotFound),
        Visibility::Masked => false,
        Visibility::Full => true,
    };
    correction::Entity::find()
        .filter(correction::Column::PersonId.eq(&row.id))
        .order_by_asc(correction::Column::CorrectedAt)
        .order_by_asc(correction::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|c| view(keys, c, entitled))
        .collect()
}

/// A stored correction as a viewer entitled (or not) to the person's identity sees it.
fn view(keys: &PiiKeys, row: correction::Model, entitled: bool) -> Result<Correction, AppError> {
    let field = CorrectedField::read("person_corrections", &row.id, &row.field)?;
    let shown = |stored: &str| -> Result<String, AppError> {
        match field {
            CorrectedField::Name if entitled => Ok(stored.to_owned()),
            CorrectedField::Name => Ok(mask_name(stored)),
            CorrectedField::Phone => {
                let opened = keys.open(stored).map_err(|e| {
                    anyhow::anyhow!("opening a sealed phone of correction {}: {e}", row.id)
                })?;
                let phone = MobilePhone::parse(&opened).map_err(|e| {
                    anyhow::anyhow!("correction {}: a sealed phone does not parse: {e}", row.id)
                })?;
                Ok(if entitled {
                    phone.as_str().to_owned()
                } else {
                    phone.masked()
                })
            }
        }
    };
    let reissued: Vec<ReissuedCertificate> = serde_json::from_str(&row.reissued)
        .map_err(|e| anyhow::anyhow!("correction {}: unreadable re-issues: {e}", row.id))?;
    Ok(Correction {
        from: row.old_value.as_deref().map(shown).transpose()?,
        to: shown(&row.new_value)?,
        id: row.id,
        person_id: row.person_id,
        field,
        reason: row.reason,
        evidence: row.evidence,
        corrected_by: row.corrected_by,
        corrected_at: row.corrected_at,
        reissued,
    })
}

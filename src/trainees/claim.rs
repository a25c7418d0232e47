//! Claiming one's own account without staff help: a trainee names themself (name as
//! recorded, citizen ID, and one certificate number or enrolment id of theirs), chooses a
//! password, and gets a trainee account linked to their person record.
//!
//! The ID is matched through the blind index and never shown. Every mismatch — unknown
//! ID, another name, a number that is not theirs — is answered in the same words
//! ([`no_match`]), so a refusal tells nothing about which part was wrong. The sequence
//! (throttle read, charge, match, hash off the workers, one write transaction) is run by
//! `http::claim`, like signing in.

use entities::{
    accounts as account, certificates as certificate, enrolments as enrolment, people as person,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    audit::Actor,
    auth::{self, accounts, throttle},
    clock::Now,
    error::{AppError, FieldError},
    mail::{
        EmailAddress, MailKind, Outgoing,
        compose::AccountClaimed,
        confirm::{self, Subject},
        outbox::{self, Recipient},
    },
    people::{CitizenId, MobilePhone, PersonName, PiiKeys, at_rest, store},
};

/// What a trainee submits to claim their account.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ClaimInput {
    /// 姓名, exactly as recorded by the training provider.
    pub name: String,
    /// 居民身份证号码.
    pub citizen_id: String,
    /// One certificate number or enrolment id of theirs.
    pub reference: String,
    /// The login they choose; one is made up (`xy` and eight digits) when absent.
    pub login: Option<String>,
    #[schema(value_type = String, format = Password)]
    pub password: SecretString,
    /// The holder's address for mail: a confirmation link is sent to it at once, and
    /// nothing else until it is confirmed.
    pub email: Option<String>,
    /// 11-digit mainland mobile number, sealed at rest.
    pub phone: Option<String>,
}

/// A claim whose every field has the right shape.
pub struct Claim {
    name: PersonName,
    citizen_id: CitizenId,
    reference: String,
    /// The login chosen, or `None` to make one up.
    pub login: Option<String>,
    pub password: SecretString,
    email: Option<EmailAddress>,
    phone: Option<MobilePhone>,
}

/// The account a claim made, signed in.
#[derive(Debug, Serialize, ToSchema)]
pub struct Claimed {
    pub account_id: String,
    pub login: String,
    pub person_id: String,
    #[serde(flatten)]
    pub token: auth::IssuedToken,
}

fn trimmed(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

impl ClaimInput {
    /// Checks each field's shape (nothing is looked up): every problem under its field.
    pub fn parse(self) -> Result<Claim, AppError> {
        let mut fields = Vec::new();
        let mut refuse = |field: &str, reason: &str, message: String| {
            fields.push(FieldError::new(field, reason, message));
        };
        let name = PersonName::parse(&self.name)
            .map_err(|e| refuse("name", e.reason(), e.message()))
            .ok();
        let citizen_id = CitizenId::parse(&self.citizen_id)
            .map_err(|e| refuse("citizen_id", e.reason(), e.message()))
            .ok();
        let reference = self.reference.trim().to_owned();
        if reference.is_empty() || reference.chars().count() > 64 {
            refuse(
                "reference",
                "required",
                "请填写您的一个证书编号或报名编号".into(),
            );
        }
        let phone = trimmed(self.phone).and_then(|p| {
            MobilePhone::parse(&p)
                .map_err(|e| refuse("phone", e.reason(), e.message()))
                .ok()
        });
        let login = trimmed(self.login);
        if let Some(login) = &login {
            accounts::check_login(login, &mut fields);
        }
        accounts::check_password(&self.password, &mut fields);
        let email = trimmed(self.email).and_then(|e| {
            EmailAddress::parse(&e, "email")
                .map_err(|e| fields.push(e))
                .ok()
        });
        match (name, citizen_id, fields.is_empty()) {
            (Some(name), Some(citizen_id), true) => Ok(Claim {
                name,
                citizen_id,
                reference,
                login,
                password: self.password,
                email,
                phone,
            }),
            _ => Err(AppError::invalid_fields("认领信息有误", fields)),
        }
    }
}

impl Claim {
    /// What the claim counts against in the throttle: the ID (as a digest of its blind
    /// index) and the client's address.
    pub fn attempt(&self, keys: &PiiKeys, client: std::net::IpAddr) -> throttle::Attempt {
        throttle::Attempt::claim(&keys.blind_index(self.citizen_id.as_str()), client)
    }
}

/// The one answer to every mismatch.
pub fn no_match() -> AppError {
    AppError::invalid(
        "claim",
        "no_match",
        "姓名、身份证号码和证书编号（或报名编号）未能对应到同一位学员，请与证书或报名回执逐字核对后重试",
    )
}

/// The person all three parts of the claim name, or [`no_match`]; one already claimed is
/// a 409 `already_claimed` (only someone who knows all three learns that).
pub async fn matching_person(
    conn: &impl ConnectionTrait,
    keys: &PiiKeys,
    claim: &Claim,
) -> Result<person::Model, AppError> {
    let found = person::Entity::find()
        .filter(person::Column::CitizenIdIndex.eq(keys.blind_index(claim.citizen_id.as_str())))
        .one(conn)
        .await?
        .filter(|p| p.name == claim.name.as_str());
    let Some(person) = found else {
        return Err(no_match());
    };
    let certificates = certificate::Entity::find()
        .filter(certificate::Column::PersonId.eq(&person.id))
        .filter(certificate::Column::Number.eq(&claim.reference))
        .count(conn)
        .await?;
    let enrolments = enrolment::Entity::find()
        .filter(enrolment::Column::PersonId.eq(&person.id))
        .filter(enrolment::Column::Id.eq(&claim.reference))
        .count(conn)
        .await?;
    if certificates + enrolments == 0 {
        return Err(no_match());
    }
    if person.account_id.is_some() {
        return Err(already_claimed());
    }
    Ok(person)
}

fn already_claimed() -> AppError {
    AppError::Conflict {
        code: "already_claimed",
        message: "您的账号已经开通，请直接登录；如忘记登录名或密码，请联系为您报名的培训机构"
            .into(),
    }
}

/// A login made up for a trainee who chose none: `xy` (学员) and eight digits.
pub fn made_up_login() -> String {
    format!("xy{:08}", rand::random::<u32>() % 100_000_000)
}

/// A matched claim ready to be written: whose, the login, the password hashed off the
/// async workers.
pub struct Ready {
    pub person_id: String,
    pub login: String,
    pub password_hash: String,
}

/// Creates the account, links it to the person and signs it in, in the caller's
/// transaction; audited as `person.claim_account`. An address given becomes the person's,
/// unconfirmed, with its confirmation link queued; "account claimed" goes to an address
/// confirmed before.
#[expect(
    clippy::too_many_arguments,
    reason = "the claim's sequence hands over each part"
)]
pub async fn complete(
    conn: &impl ConnectionTrait,
    keys: &PiiKeys,
    base_url: &str,
    claim: &Claim,
    ready: Ready,
    attempt: &throttle::Attempt,
    ttl_seconds: i64,
    now: Now,
) -> Result<Claimed, AppError> {
    let Ready {
        person_id,
        login,
        password_hash,
    } = ready;
    // Read again inside the transaction: another claim may have won meanwhile.
    let person = person::Entity::find_by_id(person_id.clone())
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    if person.account_id.is_some() {
        return Err(already_claimed());
    }
    let contact = accounts::Contact {
        email: None,
        phone_sealed: claim
            .phone
            .as_ref()
            .map(|p| at_rest::seal_phone(keys, p))
            .transpose()?,
    };
    let new = accounts::TraineeAccount {
        login,
        password_hash,
        display_name: person.name.clone(),
        contact,
    };
    let actor = Actor::system("claim");
    let account = store::link_new_account(conn, &actor, person, new, "person.claim_account", now)
        .await
        .map_err(|e| match e {
            // Someone linked it between the read and the write.
            AppError::Conflict {
                code: "account_exists",
                ..
            } => already_claimed(),
            other => other,
        })?;
    let row = account::Entity::find_by_id(account.id.clone())
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let token = auth::login(conn, &row, attempt, ttl_seconds, now).await?;
    let person = person::Entity::find_by_id(person_id.clone())
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    claimed_notice(conn, &person, &row.login, base_url, now).await?;
    if let Some(address) = &claim.email {
        let subject = Subject::Person(person);
        confirm::start(conn, &actor, subject, address, None, base_url, now).await?;
    }
    Ok(Claimed {
        account_id: account.id,
        login: account.login,
        person_id,
        token,
    })
}

/// Queues "your account was opened" to the person's address confirmed before the claim:
/// if someone else claimed it, the holder learns at once.
async fn claimed_notice(
    conn: &impl ConnectionTrait,
    person: &person::Model,
    login: &str,
    base_url: &str,
    now: Now,
) -> Result<(), AppError> {
    let Some(to) = Recipient::person(person) else {
        return Ok(());
    };
    let facts = AccountClaimed {
        name: person.name.clone(),
        login: login.to_owned(),
        at: now
            .at
            .with_timezone(&now.zone)
            .format("%Y-%m-%d %H:%M")
            .to_string(),
        sign_in_url: format!("{base_url}/sign-in"),
    };
    let out = Outgoing {
        kind: MailKind::AccountClaimed,
        dedupe_key: format!("account_claimed:{}", person.id),
        to,
        organisation_id: None,
        facts: &facts,
        attachment: None,
    };
    outbox::queue(conn, out, now).await?;
    Ok(())
}

//! Confirming an address: setting one (for a person or an account) stores it unconfirmed
//! and mails it a link — the only message an unconfirmed address ever gets; opening the
//! link confirms it. The token is random, kept only as its SHA-256, works once and until
//! it expires, and only while the address is still the subject's.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, FixedOffset, TimeDelta};
use entities::{accounts as account, email_confirmations as link, people as person};
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::{
    address::EmailAddress,
    compose::AddressConfirmation,
    outbox::{self, MailKind, Outgoing, Recipient},
};
use crate::{
    audit::{self, Actor, Change},
    clock::Now,
    error::AppError,
    pagination::new_id,
};

/// How long a confirmation link works: long enough for a trainee who reads mail weekly
/// at the training site's computer room, short enough that an old mailbox's link dies.
pub const LINK_VALID_FOR: TimeDelta = TimeDelta::days(7);

/// A new link for the same address is not made within this time of the last one: a form
/// sent twice mails once.
const RESEND_AFTER: TimeDelta = TimeDelta::minutes(10);

/// Whose address it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// A person (a certificate holder): the address their certificates are mailed to.
    Person(person::Model),
    /// An account's own address (staff).
    Account(account::Model),
}

impl Subject {
    fn kind(&self) -> &'static str {
        match self {
            Self::Person(_) => "person",
            Self::Account(_) => "account",
        }
    }

    fn id(&self) -> &str {
        match self {
            Self::Person(p) => &p.id,
            Self::Account(a) => &a.id,
        }
    }

    fn name(&self) -> &str {
        match self {
            Self::Person(p) => &p.name,
            Self::Account(a) => &a.display_name,
        }
    }

    fn current(&self) -> (Option<&str>, bool) {
        match self {
            Self::Person(p) => (p.email.as_deref(), p.email_confirmed_at.is_some()),
            Self::Account(a) => (a.email.as_deref(), a.email_confirmed_at.is_some()),
        }
    }
}

/// An address as its owner and the staff who set it see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AddressState {
    /// The address, or none.
    pub email: Option<String>,
    /// Whether its owner opened the confirmation link; mail goes only to a confirmed one.
    pub confirmed: bool,
    /// When the address was confirmed.
    pub confirmed_at: Option<DateTime<FixedOffset>>,
}

fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Sets `address` as `subject`'s address, unconfirmed, and queues the confirmation link
/// (`{base_url}/email/confirm/{token}`) to it, in the caller's transaction; audited. The
/// address already confirmed, or a link for it made moments ago, changes nothing.
pub async fn start(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    subject: Subject,
    address: &EmailAddress,
    organisation_id: Option<String>,
    base_url: &str,
    now: Now,
) -> Result<AddressState, AppError> {
    let (current, confirmed) = subject.current();
    let same = current == Some(address.as_str());
    if same && confirmed {
        return Ok(state_of(&subject));
    }
    if same && recently_sent(conn, &subject, address, now).await? {
        return Ok(state_of(&subject));
    }
    let stamp = now.stamp();
    let subject = match subject {
        Subject::Person(p) => {
            let mut row: person::ActiveModel = p.into();
            row.email = Set(Some(address.as_str().to_owned()));
            row.email_confirmed_at = Set(None);
            row.updated_at = Set(stamp);
            Subject::Person(row.update(conn).await?)
        }
        Subject::Account(a) => {
            let mut row: account::ActiveModel = a.into();
            row.email = Set(Some(address.as_str().to_owned()));
            row.email_confirmed_at = Set(None);
            Subject::Account(row.update(conn).await?)
        }
    };
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let expires_at = now.at + LINK_VALID_FOR;
    let link_id = new_id();
    link::ActiveModel {
        id: Set(link_id.clone()),
        token_hash: Set(hash(&token)),
        subject_kind: Set(subject.kind().to_owned()),
        subject_id: Set(subject.id().to_owned()),
        address: Set(address.as_str().to_owned()),
        expires_at: Set(expires_at.fixed_offset()),
        confirmed_at: Set(None),
        created_at: Set(stamp),
    }
    .insert(conn)
    .await?;
    let facts = AddressConfirmation {
        name: subject.name().to_owned(),
        address: address.as_str().to_owned(),
        link: format!("{base_url}/email/confirm/{token}"),
        expires: expires_at
            .with_timezone(&now.zone)
            .format("%Y-%m-%d %H:%M")
            .to_string(),
    };
    let (person_id, account_id) = match &subject {
        Subject::Person(p) => (Some(p.id.clone()), p.account_id.clone()),
        Subject::Account(a) => (None, Some(a.id.clone())),
    };
    let out = Outgoing {
        kind: MailKind::ConfirmAddress,
        dedupe_key: format!("confirm_address:{link_id}"),
        // The one message an unconfirmed address gets.
        to: Recipient {
            address: address.as_str().to_owned(),
            person_id,
            account_id,
        },
        organisation_id,
        facts: &facts,
        attachment: None,
    };
    outbox::queue(conn, out, now).await?;
    audit_change(conn, actor, &subject, "set_email", address).await?;
    Ok(state_of(&subject))
}

async fn recently_sent(
    conn: &impl ConnectionTrait,
    subject: &Subject,
    address: &EmailAddress,
    now: Now,
) -> Result<bool, AppError> {
    let last = link::Entity::find()
        .filter(link::Column::SubjectKind.eq(subject.kind()))
        .filter(link::Column::SubjectId.eq(subject.id()))
        .filter(link::Column::Address.eq(address.as_str()))
        .order_by_desc(link::Column::CreatedAt)
        .one(conn)
        .await?;
    Ok(last
        .is_some_and(|l| l.confirmed_at.is_none() && l.created_at.to_utc() + RESEND_AFTER > now.at))
}

/// The address state of `subject`.
pub fn state_of(subject: &Subject) -> AddressState {
    let (email, confirmed_at) = match subject {
        Subject::Person(p) => (p.email.clone(), p.email_confirmed_at),
        Subject::Account(a) => (a.email.clone(), a.email_confirmed_at),
    };
    AddressState {
        confirmed: email.is_some() && confirmed_at.is_some(),
        email,
        confirmed_at,
    }
}

async fn audit_change(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    subject: &Subject,
    verb: &str,
    address: &EmailAddress,
) -> Result<(), AppError> {
    let action = format!("{}.{verb}", subject.kind());
    // The domain only: the audit log keeps no personal identifiers in clear.
    let domain = address.as_str().rsplit('@').next().unwrap_or_default();
    audit::append(
        conn,
        actor,
        Change {
            action: &action,
            record_type: subject.kind(),
            record_id: subject.id(),
            summary: serde_json::json!({"email_domain": domain}),
        },
    )
    .await?;
    Ok(())
}

fn refused(reason: &str, message: &str) -> AppError {
    AppError::invalid("token", reason, message)
}

/// Confirms the address the link `token` was mailed to; audited. Opening a used link
/// again answers the same while the address stands.
pub async fn confirm(
    conn: &impl ConnectionTrait,
    token: &str,
    now: Now,
) -> Result<AddressState, AppError> {
    let unknown = || {
        refused(
            "unknown",
            "确认链接无效，请检查链接是否完整，或重新填写邮箱以获取新链接",
        )
    };
    if token.is_empty() || token.len() > 64 {
        return Err(unknown());
    }
    let Some(row) = link::Entity::find()
        .filter(link::Column::TokenHash.eq(hash(token)))
        .one(conn)
        .await?
    else {
        return Err(unknown());
    };
    let subject = match row.subject_kind.as_str() {
        "person" => person::Entity::find_by_id(row.subject_id.clone())
            .lock_exclusive()
            .one(conn)
            .await?
            .map(Subject::Person),
        "account" => account::Entity::find_by_id(row.subject_id.clone())
            .lock_exclusive()
            .one(conn)
            .await?
            .map(Subject::Account),
        other => {
            return Err(AppError::Internal(anyhow::anyhow!(
                "email_confirmations {}: unknown subject kind {other:?}",
                row.id
            )));
        }
    }
    .ok_or_else(unknown)?;
    let (current, confirmed) = subject.current();
    if current != Some(row.address.as_str()) {
        return Err(refused(
            "replaced",
            "此链接对应的邮箱地址已被更换，请使用最新邮件中的链接",
        ));
    }
    if row.confirmed_at.is_some() && confirmed {
        return Ok(state_of(&subject));
    }
    if row.expires_at.to_utc() <= now.at {
        return Err(refused(
            "expired",
            "确认链接已过期，请重新填写邮箱以获取新链接",
        ));
    }
    let stamp = now.stamp();
    let subject = match subject {
        Subject::Person(p) => {
            let mut active: person::ActiveModel = p.into();
            active.email_confirmed_at = Set(Some(stamp));
            active.updated_at = Set(stamp);
            Subject::Person(active.update(conn).await?)
        }
        Subject::Account(a) => {
            let mut active: account::ActiveModel = a.into();
            active.email_confirmed_at = Set(Some(stamp));
            Subject::Account(active.update(conn).await?)
        }
    };
    let address = row.address.clone();
    let mut used: link::ActiveModel = row.into();
    used.confirmed_at = Set(Some(stamp));
    used.update(conn).await?;
    let actor = Actor::system("email-confirmation");
    let parsed = EmailAddress::parse(&address, "token").map_err(|e| {
        AppError::Internal(anyhow::anyhow!(
            "a stored address no longer parses: {}",
            e.message
        ))
    })?;
    audit_change(conn, &actor, &subject, "confirm_email", &parsed).await?;
    Ok(state_of(&subject))
}

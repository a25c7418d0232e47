//! The verification index: what `/v/{token}` and `GET /api/v1/verify/{token}` answer
//! from, held in memory so that a QR scan costs a hash look-up instead of a round of SQL.
//!
//! The database stays the source of truth; the index is a copy of what verification
//! shows, by token:
//! - **Filled in the background** when the server starts. A token not (yet) in the index
//!   is read from the database and added on the spot, so nothing waits for the fill and a
//!   certificate issued through another instance is found at once.
//! - **Kept current from the audit log**, to which every change already appends in the
//!   same transaction. Appenders hold the head row lock until they commit, so committed
//!   sequence numbers have no gaps and arrive in order: each instance reads the entries
//!   after the last one it applied (every `REGISTRY_VERIFY_SYNC_MS`, and right after a
//!   change it made itself) and reloads the holders of the certificates and the
//!   organisations they name. A status change made through one instance therefore shows
//!   on every other within one sync interval, and on its own before the request returns.
//! - **Masked**: it holds what the page shows — the masked name and ID number — and
//!   never a name or ID number in clear. The holder match still asks the database.
//!
//! The unit of loading is a holder: all their certificates, so a certificate's chain is
//! always drawn from one consistent read.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex, RwLock,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
};

use chrono::{DateTime, FixedOffset, NaiveDate};
use entities::{
    audit_head, audit_log, certificate_parents as parent, certificates as certificate,
    organisations as organisation, people as person,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::{ChainEntry, Verification};
use crate::{
    certificates::{Services, lifecycle::status_label, read},
    error::AppError,
    people::mask_name,
    standards::reference,
};

/// How many holders one fill query covers.
const FILL_BATCH: u64 = 2_000;
/// How many audit entries one catch-up query reads.
const FEED_BATCH: u64 = 5_000;

/// One certificate as verification shows it.
struct Cert {
    /// Shared with the index's key.
    token: Arc<str>,
    number: Box<str>,
    /// `completion`, `specialty`, … (shared strings: a handful of distinct values).
    kind: Arc<str>,
    /// As stored: `valid`, `suspended`, `revoked` or `superseded`. Expiry is decided at
    /// look-up, from `valid_until` and the day.
    status: Arc<str>,
    reason: Option<Box<str>>,
    /// When the stored status began (revoked on, suspended since, superseded on).
    since: Option<NaiveDate>,
    issuer: Arc<str>,
    occupation: Option<Arc<str>>,
    standard: Option<Arc<str>>,
    level: Option<Arc<str>>,
    valid_from: NaiveDate,
    valid_until: Option<NaiveDate>,
    credential_sha256: [u8; 32],
    pdf_sha256: [u8; 32],
    /// Positions of the other certificates of this one's chain in the holder's list.
    chain: Box<[u32]>,
    superseded_by: Option<u32>,
}

impl Cert {
    /// Status, reason and since-when on `today`.
    fn status_on(&self, today: NaiveDate) -> (&str, Option<&str>, Option<NaiveDate>) {
        if &*self.status == "valid" {
            match self.valid_until {
                Some(until) if until < today => ("expired", None, Some(until)),
                _ => ("valid", None, None),
            }
        } else {
            (&self.status, self.reason.as_deref(), self.since)
        }
    }
}

/// A holder with all their certificates, as of one read.
struct Holder {
    /// Masked, e.g. 张*三.
    name: Box<str>,
    /// Masked, e.g. 150784********123X.
    citizen_id: Box<str>,
    certificates: Box<[Cert]>,
}

struct Issuer {
    name: String,
    credit_code: String,
}

/// Where a token points: a holder snapshot and the certificate's position in it.
#[derive(Clone)]
struct Entry {
    holder: Arc<Holder>,
    at: u32,
}

/// The columns of a certificate verification needs (never the credential itself).
#[derive(FromQueryResult)]
struct CertRow {
    id: String,
    token: String,
    number: String,
    kind: String,
    status: String,
    person_id: String,
    issuer_org_id: String,
    standard_id: Option<String>,
    occupation_code: Option<String>,
    level_code: Option<String>,
    valid_from: NaiveDate,
    valid_until: Option<NaiveDate>,
    credential_sha256: String,
    pdf_sha256: String,
    suspended_at: Option<DateTime<FixedOffset>>,
    suspend_reason: Option<String>,
    revoked_at: Option<DateTime<FixedOffset>>,
    revoke_reason: Option<String>,
    supersedes_id: Option<String>,
    superseded_by_id: Option<String>,
    superseded_at: Option<DateTime<FixedOffset>>,
}

/// The in-memory verification index. One per server instance.
pub struct Index {
    services: Arc<Services>,
    tokens: RwLock<HashMap<Arc<str>, Entry>>,
    issuers: RwLock<HashMap<Arc<str>, Arc<Issuer>>>,
    /// Interned short strings (kinds, statuses, organisation ids) and resolved labels
    /// of occupations, levels and pinned standards, which never change.
    shared: Mutex<HashMap<String, Arc<str>>>,
    labels: Mutex<HashMap<String, Option<Arc<str>>>>,
    /// The last audit entry applied; catch-ups take turns through this lock.
    applied: tokio::sync::Mutex<i64>,
    filled: AtomicBool,
    /// Moves each time certificate changes are applied.
    generation: AtomicU64,
}

impl Index {
    /// An empty index that will apply audit entries after the current head. Call before
    /// the server answers anything, so no change can fall between the two.
    pub async fn new(
        conn: &impl ConnectionTrait,
        services: Arc<Services>,
    ) -> Result<Self, AppError> {
        let head = audit_head::Entity::find_by_id(1)
            .one(conn)
            .await?
            .map_or(0, |h| h.seq);
        Ok(Self {
            services,
            tokens: RwLock::default(),
            issuers: RwLock::default(),
            shared: Mutex::default(),
            labels: Mutex::default(),
            applied: tokio::sync::Mutex::new(head),
            filled: AtomicBool::new(false),
            generation: AtomicU64::new(0),
        })
    }

    /// Whether the start-up fill has finished.
    pub fn is_filled(&self) -> bool {
        self.filled.load(Ordering::Acquire)
    }

    /// A number that moves whenever this instance applies a certificate change: what
    /// was built from certificates' statuses at one generation is current until it moves.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// How many tokens the index holds.
    pub fn len(&self) -> usize {
        self.tokens.read().map_or(0, |t| t.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// What a verifier learns from a token; an unknown token is "not found" (not issued
    /// by this registry).
    pub async fn lookup(
        &self,
        conn: &impl ConnectionTrait,
        token: &str,
    ) -> Result<Verification, AppError> {
        let today = chrono::Utc::now().date_naive();
        if let Some(entry) = self.entry(token) {
            return Ok(self.verification(&entry, today));
        }
        match self.load_token(conn, token).await? {
            Some(entry) => Ok(self.verification(&entry, today)),
            None => Err(AppError::NotFound),
        }
    }

    fn entry(&self, token: &str) -> Option<Entry> {
        self.tokens.read().ok()?.get(token).cloned()
    }

    /// Reads a token missing from the index from the database, with its holder.
    async fn load_token(
        &self,
        conn: &impl ConnectionTrait,
        token: &str,
    ) -> Result<Option<Entry>, AppError> {
        // Tokens are 22 URL-safe characters; anything else cannot be ours.
        if token.len() > 64
            || !token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Ok(None);
        }
        let person: Option<String> = certificate::Entity::find()
            .select_only()
            .column(certificate::Column::PersonId)
            .filter(certificate::Column::Token.eq(token))
            .into_tuple()
            .one(conn)
            .await?;
        let Some(person) = person else {
            return Ok(None);
        };
        let holders = self.load(conn, &[person]).await?;
        self.insert(holders, false);
        Ok(self.entry(token))
    }

    /// Loads every certificate in the database; tokens that a catch-up or a look-up
    /// already put in the index are kept (they are at least as recent).
    pub async fn fill(&self, conn: &impl ConnectionTrait) -> Result<usize, AppError> {
        let mut after = String::new();
        let mut holders_read = 0;
        loop {
            let people: Vec<String> = certificate::Entity::find()
                .select_only()
                .column(certificate::Column::PersonId)
                .distinct()
                .filter(certificate::Column::PersonId.gt(after.as_str()))
                .order_by_asc(certificate::Column::PersonId)
                .limit(FILL_BATCH)
                .into_tuple()
                .all(conn)
                .await?;
            let Some(last) = people.last() else { break };
            after = last.clone();
            holders_read += people.len();
            let holders = self.load(conn, &people).await?;
            self.insert(holders, false);
        }
        self.filled.store(true, Ordering::Release);
        Ok(holders_read)
    }

    /// Applies every audit entry committed since the last one applied: reloads the
    /// holders of the certificates they name and the organisations they name.
    pub async fn catch_up(&self, conn: &impl ConnectionTrait) -> Result<(), AppError> {
        let mut applied = self.applied.lock().await;
        loop {
            let entries: Vec<(i64, String, String)> = audit_log::Entity::find()
                .select_only()
                .columns([
                    audit_log::Column::Seq,
                    audit_log::Column::RecordType,
                    audit_log::Column::RecordId,
                ])
                .filter(audit_log::Column::Seq.gt(*applied))
                .order_by_asc(audit_log::Column::Seq)
                .limit(FEED_BATCH)
                .into_tuple()
                .all(conn)
                .await?;
            let Some(&(last, _, _)) = entries.last() else {
                return Ok(());
            };
            let of_type = |kind: &str| -> Vec<String> {
                let mut ids: Vec<String> = entries
                    .iter()
                    .filter(|(_, t, _)| t == kind)
                    .map(|(_, _, id)| id.clone())
                    .collect();
                ids.sort_unstable();
                ids.dedup();
                ids
            };
            let (certificates, organisations) = (of_type("certificate"), of_type("organisation"));
            if !certificates.is_empty() {
                let mut people: Vec<String> = Vec::new();
                for ids in certificates.chunks(FILL_BATCH as usize) {
                    people.extend(
                        certificate::Entity::find()
                            .select_only()
                            .column(certificate::Column::PersonId)
                            .distinct()
                            .filter(certificate::Column::Id.is_in(ids.iter().map(String::as_str)))
                            .into_tuple::<String>()
                            .all(conn)
                            .await?,
                    );
                }
                people.sort_unstable();
                people.dedup();
                for batch in people.chunks(FILL_BATCH as usize) {
                    let holders = self.load(conn, batch).await?;
                    self.insert(holders, true);
                }
                self.generation.fetch_add(1, Ordering::AcqRel);
            }
            if !organisations.is_empty() {
                self.reload_issuers(conn, &organisations).await?;
            }
            *applied = last;
            if (entries.len() as u64) < FEED_BATCH {
                return Ok(());
            }
        }
    }

    /// Puts holders' tokens in the index; `replace` decides whether a token already
    /// there is overwritten (catch-up: newer) or kept (fill and look-up: maybe older).
    fn insert(&self, holders: Vec<Holder>, replace: bool) {
        let Ok(mut tokens) = self.tokens.write() else {
            return;
        };
        for holder in holders {
            let holder = Arc::new(holder);
            for (at, cert) in holder.certificates.iter().enumerate() {
                let entry = Entry {
                    holder: Arc::clone(&holder),
                    at: at as u32,
                };
                if replace {
                    tokens.insert(Arc::clone(&cert.token), entry);
                } else {
                    tokens.entry(Arc::clone(&cert.token)).or_insert(entry);
                }
            }
        }
    }

    /// Reads the holders `people` with all their certificates.
    async fn load(
        &self,
        conn: &impl ConnectionTrait,
        people: &[String],
    ) -> Result<Vec<Holder>, AppError> {
        let ids = || people.iter().map(String::as_str);
        let persons: Vec<(String, String, String)> = person::Entity::find()
            .select_only()
            .columns([
                person::Column::Id,
                person::Column::Name,
                person::Column::CitizenIdMasked,
            ])
            .filter(person::Column::Id.is_in(ids()))
            .into_tuple()
            .all(conn)
            .await?;
        let rows = certificate::Entity::find()
            .select_only()
            .columns([
                certificate::Column::Id,
                certificate::Column::Token,
                certificate::Column::Number,
                certificate::Column::Kind,
                certificate::Column::Status,
                certificate::Column::PersonId,
                certificate::Column::IssuerOrgId,
                certificate::Column::StandardId,
                certificate::Column::OccupationCode,
                certificate::Column::LevelCode,
                certificate::Column::ValidFrom,
                certificate::Column::ValidUntil,
                certificate::Column::CredentialSha256,
                certificate::Column::PdfSha256,
                certificate::Column::SuspendedAt,
                certificate::Column::SuspendReason,
                certificate::Column::RevokedAt,
                certificate::Column::RevokeReason,
                certificate::Column::SupersedesId,
                certificate::Column::SupersededById,
                certificate::Column::SupersededAt,
            ])
            .filter(certificate::Column::PersonId.is_in(ids()))
            .order_by_asc(certificate::Column::PersonId)
            .order_by_asc(certificate::Column::IssuedAt)
            .order_by_asc(certificate::Column::Id)
            .into_model::<CertRow>()
            .all(conn)
            .await?;
        let mut parents: HashMap<String, Vec<String>> = HashMap::new();
        for ids in rows.chunks(FILL_BATCH as usize) {
            let links: Vec<(String, String)> = parent::Entity::find()
                .select_only()
                .columns([parent::Column::CertificateId, parent::Column::ParentId])
                .filter(parent::Column::CertificateId.is_in(ids.iter().map(|r| r.id.as_str())))
                .into_tuple()
                .all(conn)
                .await?;
            for (child, parent) in links {
                parents.entry(child).or_default().push(parent);
            }
        }
        let issuers: Vec<String> = rows.iter().map(|r| r.issuer_org_id.clone()).collect();
        self.load_issuers(conn, &issuers).await?;

        let mut by_person: HashMap<&str, Vec<&CertRow>> = HashMap::new();
        for row in &rows {
            by_person.entry(&row.person_id).or_default().push(row);
        }
        let mut holders = Vec::with_capacity(persons.len());
        for (id, name, citizen_id) in &persons {
            let Some(rows) = by_person.remove(id.as_str()) else {
                continue;
            };
            let links: Vec<(&str, &[String], Option<&str>)> = rows
                .iter()
                .map(|r| {
                    let parents = parents.get(&r.id).map_or(&[][..], Vec::as_slice);
                    (r.id.as_str(), parents, r.supersedes_id.as_deref())
                })
                .collect();
            let mut certificates = Vec::with_capacity(rows.len());
            for (at, row) in rows.iter().enumerate() {
                let chain = read::linked(
                    at,
                    &links,
                    |l| l.0,
                    |l| l.1.iter().map(String::as_str).chain(l.2),
                )
                .into_iter()
                .filter(|&i| i != at)
                .map(|i| i as u32)
                .collect();
                let superseded_by = row
                    .superseded_by_id
                    .as_ref()
                    .and_then(|s| rows.iter().position(|r| &r.id == s))
                    .map(|i| i as u32);
                certificates.push(self.cert(conn, row, chain, superseded_by).await?);
            }
            holders.push(Holder {
                name: mask_name(name).into(),
                citizen_id: citizen_id.as_str().into(),
                certificates: certificates.into(),
            });
        }
        Ok(holders)
    }

    async fn cert(
        &self,
        conn: &impl ConnectionTrait,
        row: &CertRow,
        chain: Box<[u32]>,
        superseded_by: Option<u32>,
    ) -> Result<Cert, AppError> {
        let day = |t: &Option<DateTime<FixedOffset>>| t.map(|t| t.date_naive());
        let (reason, since) = match row.status.as_str() {
            "revoked" => (row.revoke_reason.as_deref(), day(&row.revoked_at)),
            "suspended" => (row.suspend_reason.as_deref(), day(&row.suspended_at)),
            "superseded" => (None, day(&row.superseded_at)),
            _ => (None, None),
        };
        Ok(Cert {
            token: row.token.as_str().into(),
            number: row.number.as_str().into(),
            kind: self.share(&row.kind),
            status: self.share(&row.status),
            reason: reason.map(Into::into),
            since,
            issuer: self.share(&row.issuer_org_id),
            occupation: match &row.occupation_code {
                Some(code) => self.label(conn, Label::Occupation, code).await?,
                None => None,
            },
            standard: match &row.standard_id {
                Some(id) => self.label(conn, Label::Standard, id).await?,
                None => None,
            },
            level: match &row.level_code {
                Some(code) => self.label(conn, Label::Level, code).await?,
                None => None,
            },
            valid_from: row.valid_from,
            valid_until: row.valid_until,
            credential_sha256: digest(&row.credential_sha256)?,
            pdf_sha256: digest(&row.pdf_sha256)?,
            chain,
            superseded_by,
        })
    }

    /// One shared copy of a short, often repeated string.
    fn share(&self, value: &str) -> Arc<str> {
        let Ok(mut shared) = self.shared.lock() else {
            return value.into();
        };
        if let Some(found) = shared.get(value) {
            return Arc::clone(found);
        }
        let new: Arc<str> = value.into();
        shared.insert(value.to_owned(), Arc::clone(&new));
        new
    }

    /// The printed label of an occupation, level or pinned standard version; these never
    /// change, so each is read once.
    async fn label(
        &self,
        conn: &impl ConnectionTrait,
        kind: Label,
        key: &str,
    ) -> Result<Option<Arc<str>>, AppError> {
        let cache_key = format!("{kind:?}:{key}");
        if let Some(found) = self
            .labels
            .lock()
            .ok()
            .and_then(|l| l.get(&cache_key).cloned())
        {
            return Ok(found);
        }
        let label = match kind {
            Label::Occupation => reference::occupation(conn, key)
                .await?
                .map(|o| format!("{}（{}）", o.name, o.code)),
            Label::Level => reference::skill_level(conn, key).await?.map(|l| l.label),
            Label::Standard => self
                .services
                .pinned_standard(conn, key)
                .await?
                .map(|s| format!("{}（{} 第{}版）", s.spec.name, s.spec.code, s.version)),
        }
        .map(Arc::<str>::from);
        if let Ok(mut labels) = self.labels.lock() {
            labels.insert(cache_key, label.clone());
        }
        Ok(label)
    }

    /// Makes sure the named organisations are in the issuer table.
    async fn load_issuers(
        &self,
        conn: &impl ConnectionTrait,
        ids: &[String],
    ) -> Result<(), AppError> {
        let missing: Vec<&str> = {
            let known = self.issuers.read().map_err(poisoned)?;
            let mut missing: Vec<&str> = ids
                .iter()
                .map(String::as_str)
                .filter(|id| !known.contains_key(*id))
                .collect();
            missing.sort_unstable();
            missing.dedup();
            missing
        };
        if missing.is_empty() {
            return Ok(());
        }
        let owned: Vec<String> = missing.iter().map(|s| (*s).to_owned()).collect();
        self.reload_issuers(conn, &owned).await
    }

    async fn reload_issuers(
        &self,
        conn: &impl ConnectionTrait,
        ids: &[String],
    ) -> Result<(), AppError> {
        let rows: Vec<(String, String, String)> = organisation::Entity::find()
            .select_only()
            .columns([
                organisation::Column::Id,
                organisation::Column::Name,
                organisation::Column::CreditCode,
            ])
            .filter(organisation::Column::Id.is_in(ids.iter().map(String::as_str)))
            .into_tuple()
            .all(conn)
            .await?;
        let rows: Vec<(Arc<str>, Arc<Issuer>)> = rows
            .into_iter()
            .map(|(id, name, credit_code)| {
                (self.share(&id), Arc::new(Issuer { name, credit_code }))
            })
            .collect();
        self.issuers.write().map_err(poisoned)?.extend(rows);
        Ok(())
    }

    /// The answer for one token.
    fn verification(&self, entry: &Entry, today: NaiveDate) -> Verification {
        let holder = &entry.holder;
        let cert = &holder.certificates[entry.at as usize];
        let issuers = self.issuers.read().ok();
        let issuer = |c: &Cert| issuers.as_ref().and_then(|i| i.get(&c.issuer).cloned());
        let chain_entry = |at: u32| {
            let c = &holder.certificates[at as usize];
            let (status, _, _) = c.status_on(today);
            ChainEntry {
                title: read::title_of(&c.kind).to_owned(),
                number: c.number.to_string(),
                status: status.to_owned(),
                status_label: status_label(status).to_owned(),
                issuer_name: issuer(c).map(|i| i.name.clone()).unwrap_or_default(),
                verify_url: self.services.verify_url(&c.token),
            }
        };
        let (status, reason, since) = cert.status_on(today);
        let own_issuer = issuer(cert);
        Verification {
            status: status.to_owned(),
            status_label: status_label(status).to_owned(),
            reason: reason.map(str::to_owned),
            status_since: since,
            superseded_by: cert.superseded_by.map(chain_entry),
            kind: cert.kind.to_string(),
            title: read::title_of(&cert.kind).to_owned(),
            number: cert.number.to_string(),
            holder_name: holder.name.to_string(),
            holder_id: holder.citizen_id.to_string(),
            occupation: cert.occupation.as_deref().map(str::to_owned),
            standard: cert.standard.as_deref().map(str::to_owned),
            level: cert.level.as_deref().map(str::to_owned),
            issuer_name: own_issuer
                .as_ref()
                .map(|i| i.name.clone())
                .unwrap_or_default(),
            issuer_credit_code: own_issuer
                .map(|i| i.credit_code.clone())
                .unwrap_or_default(),
            valid_from: cert.valid_from,
            valid_until: cert.valid_until,
            credential_sha256: hex::encode(cert.credential_sha256),
            pdf_sha256: hex::encode(cert.pdf_sha256),
            chain: cert.chain.iter().copied().map(chain_entry).collect(),
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Label {
    Occupation,
    Level,
    Standard,
}

fn digest(hex_text: &str) -> Result<[u8; 32], AppError> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(hex_text, &mut out).map_err(|e| {
        AppError::Internal(anyhow::anyhow!(
            "a stored SHA-256 is not 64 hex digits: {e}"
        ))
    })?;
    Ok(out)
}

fn poisoned<T>(_: std::sync::PoisonError<T>) -> AppError {
    AppError::Internal(anyhow::anyhow!("the verification index lock is poisoned"))
}

/// Fills the index, then applies the audit log every `interval` until the process ends.
/// Failures are logged and retried on the next tick.
pub fn run(index: Arc<Index>, db: crate::db::Db, interval: std::time::Duration) {
    let filler = Arc::clone(&index);
    let fill_conn = db.read.clone();
    tokio::spawn(async move {
        let started = std::time::Instant::now();
        match filler.fill(&fill_conn).await {
            Ok(holders) => tracing::info!(
                holders,
                tokens = filler.len(),
                seconds = started.elapsed().as_secs_f64(),
                "verification index filled"
            ),
            Err(e) => {
                tracing::error!(error = %e, "filling the verification index failed; look-ups read the database")
            }
        }
    });
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = index.catch_up(&db.read).await {
                tracing::warn!(error = %e, "applying the audit log to the verification index failed");
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(status: &str, valid_until: Option<NaiveDate>) -> Cert {
        Cert {
            token: "t".into(),
            number: "150784-ZR-2026-000001".into(),
            kind: "licence".into(),
            status: status.into(),
            reason: (status == "revoked").then(|| "弄虚作假".into()),
            since: (status == "revoked").then(|| date("2026-05-01")),
            issuer: "org".into(),
            occupation: None,
            standard: None,
            level: None,
            valid_from: date("2026-01-01"),
            valid_until,
            credential_sha256: [0; 32],
            pdf_sha256: [0; 32],
            chain: Box::new([]),
            superseded_by: None,
        }
    }

    fn date(text: &str) -> NaiveDate {
        text.parse().expect("a date")
    }

    #[test]
    fn a_licence_is_valid_through_its_last_day_and_expired_the_day_after() {
        let licence = cert("valid", Some(date("2026-12-31")));
        assert_eq!(licence.status_on(date("2026-12-31")), ("valid", None, None));
        assert_eq!(
            licence.status_on(date("2027-01-01")),
            ("expired", None, Some(date("2026-12-31")))
        );
        assert_eq!(cert("valid", None).status_on(date("2099-01-01")).0, "valid");
    }

    #[test]
    fn a_revocation_outranks_expiry_and_keeps_its_reason_and_date() {
        let revoked = cert("revoked", Some(date("2026-06-30")));
        assert_eq!(
            revoked.status_on(date("2027-01-01")),
            ("revoked", Some("弄虚作假"), Some(date("2026-05-01")))
        );
    }

    #[test]
    fn stored_digests_are_kept_as_bytes_and_refused_when_malformed() {
        let hex_text = "ab".repeat(32);
        assert_eq!(
            hex::encode(digest(&hex_text).expect("64 hex digits")),
            hex_text
        );
        assert!(digest("abc").is_err());
    }
}

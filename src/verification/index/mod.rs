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

use chrono::NaiveDate;
use entities::{audit_head, audit_log, certificates as certificate};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::{ChainEntry, Verification};
use crate::{certificates::Services, error::AppError, stored::CorruptRow};

mod load;
mod paper;
mod snapshot;

use snapshot::{Cert, Entry, Holder, Issuer};

/// How many holders one fill query covers.
const FILL_BATCH: u64 = 2_000;
/// How many audit entries one catch-up query reads.
const FEED_BATCH: u64 = 5_000;

/// The in-memory verification index. One per server instance.
pub struct Index {
    services: Arc<Services>,
    tokens: RwLock<HashMap<Arc<str>, Entry>>,
    issuers: RwLock<HashMap<Arc<str>, Arc<Issuer>>>,
    /// Interned short strings (organisation ids) and resolved labels
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
        today: NaiveDate,
    ) -> Result<Verification, AppError> {
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
        let loaded = self.load(conn, &[person]).await?;
        if let Some((_, corrupt)) = loaded.corrupt.into_iter().next() {
            return Err(corrupt.into());
        }
        self.insert(loaded.holders, false);
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
            let loaded = self.load(conn, &people).await?;
            self.insert(loaded.holders, false);
            self.forget(loaded.corrupt);
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
                    let loaded = self.load(conn, batch).await?;
                    self.insert(loaded.holders, true);
                    self.forget(loaded.corrupt);
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

    /// Takes the tokens of holders whose certificates do not read out of the index, so
    /// look-ups of them ask the database (and answer an internal error), and logs why.
    fn forget(&self, corrupt: Vec<(Vec<String>, CorruptRow)>) {
        for (lost, error) in corrupt {
            tracing::error!(%error, "left out of the verification index");
            if let Ok(mut tokens) = self.tokens.write() {
                for token in &lost {
                    tokens.remove(token.as_str());
                }
            }
        }
    }

    /// The answer for one token.
    fn verification(&self, entry: &Entry, today: NaiveDate) -> Verification {
        let holder = &entry.holder;
        let cert = &holder.certificates[entry.at as usize];
        let issuers = self.issuers.read().ok();
        let issuer = |c: &Cert| issuers.as_ref().and_then(|i| i.get(&c.issuer).cloned());
        let renamed = |c: &Cert| {
            issuer(c)
                .map(|i| i.name.clone())
                .filter(|now| **now != *c.issuer_name)
        };
        let chain_entry = |at: u32| {
            let c = &holder.certificates[at as usize];
            let (status, _, _) = c.status_on(today);
            ChainEntry {
                title: c.kind.label().to_owned(),
                number: c.number.to_string(),
                status,
                status_label: status.label().to_owned(),
                issuer_name: c.issuer_name.to_string(),
                issuer_current_name: renamed(c),
                verify_url: self.services.verify_url(&c.token),
            }
        };
        let (status, reason, since) = cert.status_on(today);
        let own_issuer = issuer(cert);
        let paper = cert.paper.as_deref();
        Verification {
            status,
            status_label: status.label().to_owned(),
            reason: reason.map(str::to_owned),
            status_since: since,
            superseded_by: cert.superseded_by.map(chain_entry),
            kind: cert.kind,
            title: paper
                .and_then(|p| p.title.clone())
                .unwrap_or_else(|| cert.kind.label().to_owned()),
            number: cert.number.to_string(),
            holder_name: holder.name.to_string(),
            holder_id: holder.citizen_id.to_string(),
            occupation: cert.occupation.as_deref().map(str::to_owned),
            standard: cert.standard.as_deref().map(str::to_owned),
            level: cert.level.as_deref().map(str::to_owned),
            program: paper.and_then(|p| p.program.clone()),
            hours: paper.and_then(|p| p.hours),
            training_from: paper.and_then(|p| p.period).map(|(from, _)| from),
            training_until: paper.and_then(|p| p.period).map(|(_, until)| until),
            licensed_activity: paper.and_then(|p| p.licensed_activity.clone()),
            enterprise: paper.and_then(|p| p.enterprise.clone()),
            target_level: paper.and_then(|p| p.target_level.clone()),
            issuer_name: cert.issuer_name.to_string(),
            issuer_current_name: renamed(cert),
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

/// Fills the index in the background; look-ups read the database until it is done.
/// Keeping it current afterwards is [`Index::catch_up`], which the job runner calls every
/// `REGISTRY_VERIFY_SYNC_MS` (see `startup`).
pub fn spawn_fill(index: Arc<Index>, conn: sea_orm::DatabaseConnection) {
    tokio::spawn(async move {
        let started = std::time::Instant::now();
        match index.fill(&conn).await {
            Ok(holders) => tracing::info!(
                holders,
                tokens = index.len(),
                seconds = started.elapsed().as_secs_f64(),
                "verification index filled"
            ),
            Err(e) => {
                tracing::error!(error = %e, "filling the verification index failed; look-ups read the database")
            }
        }
    });
}

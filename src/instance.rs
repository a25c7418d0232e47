//! What the instances sharing one database must share, and the check each makes when it
//! starts. Several instances behind a load balancer each have their own configuration and
//! data directory; three things must nevertheless be the same everywhere:
//!
//! - the PII key: a citizen ID sealed by one instance must open on every other;
//! - the signing key ring: every instance publishes its ring as the DID document, so a
//!   credential signed by one must verify against any other's document;
//! - the public base URL: it is the DID and the address in every QR code.
//!
//! The first instance to start records them in `instance_settings` (never the PII key
//! itself: an HMAC of a fixed label under its index key, and the label sealed under its
//! seal key), in one transaction that inserts what is missing and leaves what is there,
//! so two instances starting at once on PostgreSQL agree on one record. Every later
//! start compares its own with the record and refuses, naming the setting and what to
//! do, when one differs. `registry keys rotate` records the rotated ring.
//!
//! A database that holds data from before the record existed is checked against that
//! data before anything is recorded (a sealed ID must open, the latest certificate's
//! DID and signing key must be this instance's), so the first instance to start after
//! an upgrade cannot record the wrong settings.

use anyhow::bail;
use entities::{certificates as certificate, instance_settings as setting, people as person};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, EntityTrait, QueryOrder, TransactionTrait,
    sea_query::OnConflict,
};
use serde::{Deserialize, Serialize};

use crate::{
    certificates::{
        Services,
        credential::{KeyRing, did_web},
    },
    clock::Now,
    db::Db,
    people::PiiKeys,
};

/// The label whose HMAC and sealed form stand for the PII key.
const PII_CHECK_LABEL: &str = "erguna-registry instance check v1";

/// This instance's own copy of each shared setting it uses; `None` for one it does not
/// (the spreadsheet import seals IDs but signs nothing), which is then neither checked
/// nor recorded.
#[derive(Clone, Copy, Default)]
pub struct Shared<'a> {
    pub pii: Option<&'a PiiKeys>,
    pub signing: Option<&'a KeyRing>,
    pub base_url: Option<&'a str>,
}

impl<'a> Shared<'a> {
    /// Everything issuing uses: what a serving instance (or the demo loader) has.
    pub fn of(services: &'a Services) -> Self {
        Self {
            pii: Some(&services.pii),
            signing: Some(&services.signing),
            base_url: Some(&services.base_url),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Setting {
    PiiKey,
    SigningKeys,
    BaseUrl,
}

/// The PII key's check values.
#[derive(Serialize, Deserialize)]
struct PiiCheck {
    /// HMAC-SHA-256 of [`PII_CHECK_LABEL`] under the index key.
    index: String,
    /// [`PII_CHECK_LABEL`] sealed under the seal key.
    sealed: String,
}

/// One key of the ring, as recorded: the current key first, then the retired ones.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RingKey {
    id: String,
    public_key_multibase: String,
    current: bool,
}

fn ring_keys(ring: &KeyRing) -> Vec<RingKey> {
    let current = ring.current();
    std::iter::once(RingKey {
        id: current.id.clone(),
        public_key_multibase: current.public_key_multibase(),
        current: true,
    })
    .chain(ring.retired().iter().map(|entry| RingKey {
        id: entry.id.clone(),
        public_key_multibase: entry.public_key_multibase.clone(),
        current: false,
    }))
    .collect()
}

/// The current key's id as recorded in `value`, for messages.
fn recorded_current(value: &str) -> String {
    serde_json::from_str::<Vec<RingKey>>(value)
        .ok()
        .and_then(|keys| keys.into_iter().find(|k| k.current))
        .map_or_else(|| "（无法读取）".to_owned(), |k| k.id)
}

impl Setting {
    const ALL: [Setting; 3] = [Setting::PiiKey, Setting::SigningKeys, Setting::BaseUrl];

    fn name(self) -> &'static str {
        match self {
            Setting::PiiKey => "pii_key",
            Setting::SigningKeys => "signing_keys",
            Setting::BaseUrl => "base_url",
        }
    }

    /// What this instance would record, if it uses the setting.
    fn value(self, shared: &Shared<'_>) -> anyhow::Result<Option<String>> {
        Ok(match self {
            Setting::PiiKey => match shared.pii {
                Some(pii) => Some(serde_json::to_string(&PiiCheck {
                    index: pii.blind_index(PII_CHECK_LABEL),
                    sealed: pii.seal(PII_CHECK_LABEL)?,
                })?),
                None => None,
            },
            Setting::SigningKeys => match shared.signing {
                Some(ring) => Some(serde_json::to_string(&ring_keys(ring))?),
                None => None,
            },
            Setting::BaseUrl => shared.base_url.map(str::to_owned),
        })
    }

    /// Whether this instance's copy agrees with the `recorded` value.
    fn matches(self, shared: &Shared<'_>, recorded: &str) -> bool {
        match self {
            Setting::PiiKey => shared.pii.is_none_or(|pii| {
                serde_json::from_str::<PiiCheck>(recorded).is_ok_and(|check| {
                    check.index == pii.blind_index(PII_CHECK_LABEL)
                        && pii.open(&check.sealed).as_deref() == Ok(PII_CHECK_LABEL)
                })
            }),
            Setting::SigningKeys => shared.signing.is_none_or(|ring| {
                serde_json::from_str::<Vec<RingKey>>(recorded)
                    .is_ok_and(|keys| keys == ring_keys(ring))
            }),
            Setting::BaseUrl => shared.base_url.is_none_or(|url| url == recorded),
        }
    }

    /// Whether this instance's copy agrees with data written before anything was
    /// recorded: a sealed citizen ID opens with its PII key; the latest certificate names
    /// its DID and was signed by a key of its ring. An empty database agrees.
    async fn agrees_with_data(
        self,
        conn: &impl ConnectionTrait,
        shared: &Shared<'_>,
    ) -> anyhow::Result<bool> {
        if self == Setting::PiiKey {
            let Some(pii) = shared.pii else {
                return Ok(true);
            };
            let sample = person::Entity::find().one(conn).await?;
            return Ok(sample.is_none_or(|p| pii.open(&p.citizen_id_sealed).is_ok()));
        }
        let Some(latest) = certificate::Entity::find()
            .order_by_desc(certificate::Column::IssuedAt)
            .one(conn)
            .await?
        else {
            return Ok(true);
        };
        let credential: serde_json::Value = serde_json::from_str(&latest.credential)?;
        let issuer = credential["issuer"]["id"].as_str().unwrap_or_default();
        Ok(match self {
            Setting::BaseUrl => shared.base_url.is_none_or(|url| did_web(url) == issuer),
            _ => shared.signing.is_none_or(|ring| {
                let method = crate::certificates::credential::verification_method_of(&credential);
                method.is_some_and(|m| ring.resolve(issuer, m).is_some())
            }),
        })
    }

    /// Which setting differs and what to do about it.
    fn mismatch(self, shared: &Shared<'_>, recorded: &str) -> String {
        match self {
            Setting::PiiKey => {
                "个人信息密钥（REGISTRY_PII_KEY，未设置时为数据目录中的 keys/pii.key）\
                与最先使用本数据库的实例不同：用它加密的身份证号，其他实例将无法解密。\
                请为本实例设置与其他实例相同的 REGISTRY_PII_KEY，或复制它们的 keys/pii.key。"
                    .to_owned()
            }
            Setting::SigningKeys => format!(
                "证书签名密钥环（REGISTRY_SIGNING_KEY，未设置时为数据目录中的 keys/signing/）\
                 与数据库登记的不同（本实例当前密钥 {}，登记的当前密钥 {}）：本实例签发的证书\
                 将无法用其他实例公布的 did.json 验证。请使用与其他实例相同的签名密钥：复制最近\
                 一次运行 `registry keys rotate` 的实例的 keys/signing/ 目录，或设置相同的 \
                 REGISTRY_SIGNING_KEY。",
                shared.signing.map_or("", |ring| ring.current().id.as_str()),
                recorded_current(recorded),
            ),
            Setting::BaseUrl => format!(
                "公开网址 REGISTRY_BASE_URL（本实例为 {}）与数据库登记的 {recorded} 不同：\
                 它是证书二维码中的网址和凭证中的 DID。请把 REGISTRY_BASE_URL 设为 {recorded}。",
                shared.base_url.unwrap_or_default(),
            ),
        }
    }

    /// Which setting disagrees with the data already in the database, and what to do.
    fn unlike_data(self) -> String {
        match self {
            Setting::PiiKey => {
                "个人信息密钥（REGISTRY_PII_KEY，未设置时为数据目录中的 keys/pii.key）\
                打不开数据库中已登记的身份证号：它们是用另一把密钥加密的。\
                请使用原来的 REGISTRY_PII_KEY 或 keys/pii.key。"
                    .to_owned()
            }
            Setting::SigningKeys => "数据库中最近签发的证书不是用本实例签名密钥环\
                （REGISTRY_SIGNING_KEY，未设置时为数据目录中的 keys/signing/）中的密钥签名的。\
                请使用签发它的实例的签名密钥（复制其 keys/signing/ 目录）。"
                .to_owned(),
            Setting::BaseUrl => "数据库中最近签发的证书的签发者 DID 与本实例的公开网址 \
                REGISTRY_BASE_URL 不符。请把 REGISTRY_BASE_URL 设为签发这些证书时的公开网址。"
                .to_owned(),
        }
    }
}

/// Records what is not yet recorded and checks this instance's settings against the
/// record; on any difference nothing is recorded and the error names every setting
/// that differs and what to do.
pub async fn ensure_shared(db: &Db, shared: &Shared<'_>, now: Now) -> anyhow::Result<()> {
    let mut ours = Vec::new();
    for setting in Setting::ALL {
        if let Some(value) = setting.value(shared)? {
            ours.push(setting::ActiveModel {
                name: Set(setting.name().to_owned()),
                value: Set(value),
                recorded_at: Set(now.stamp()),
            });
        }
    }
    let txn = db.write.begin().await?;
    let before = setting::Entity::find().all(&txn).await?;
    let mut differing = Vec::new();
    for setting in Setting::ALL {
        let unrecorded = !before.iter().any(|r| r.name == setting.name());
        if unrecorded && !setting.agrees_with_data(&txn, shared).await? {
            differing.push(setting.unlike_data());
        }
    }
    // A row another instance inserted first (or is inserting: PostgreSQL waits for its
    // commit) stays; ours is dropped, and read back below is theirs.
    setting::Entity::insert_many(ours)
        .on_conflict_do_nothing()
        .exec_without_returning(&txn)
        .await?;
    let recorded = setting::Entity::find().all(&txn).await?;
    differing.extend(Setting::ALL.iter().filter_map(|&setting| {
        let row = recorded.iter().find(|r| r.name == setting.name())?;
        (!setting.matches(shared, &row.value)).then(|| setting.mismatch(shared, &row.value))
    }));
    if !differing.is_empty() {
        txn.rollback().await?;
        bail!(
            "本实例与共用同一数据库的其他实例设置不一致，拒绝启动：\n- {}",
            differing.join("\n- ")
        );
    }
    txn.commit().await?;
    Ok(())
}

/// Records `ring` as the one every instance must now use (after a rotation).
pub async fn record_signing_keys(db: &Db, ring: &KeyRing, now: Now) -> anyhow::Result<()> {
    let row = setting::ActiveModel {
        name: Set(Setting::SigningKeys.name().to_owned()),
        value: Set(serde_json::to_string(&ring_keys(ring))?),
        recorded_at: Set(now.stamp()),
    };
    setting::Entity::insert(row)
        .on_conflict(
            OnConflict::column(setting::Column::Name)
                .update_columns([setting::Column::Value, setting::Column::RecordedAt])
                .to_owned(),
        )
        .exec_without_returning(&db.write)
        .await?;
    Ok(())
}

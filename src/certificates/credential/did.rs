//! The registry's `did:web` identity: the DID for a base URL, the DID document that
//! publishes the current and retired signing keys as Multikey verification methods, and
//! reading the keys back from a saved document (for offline verification).

use std::collections::HashMap;

use serde_json::{Value, json};

use super::keys::{KeyError, KeyRing, decode_public_key_multibase};

const DID_CONTEXT: &str = "https://www.w3.org/ns/did/v1";
const MULTIKEY_CONTEXT: &str = "https://w3id.org/security/multikey/v1";
const MULTIKEY: &str = "Multikey";

/// The `did:web` DID of a base URL: `https://reg.example.cn` → `did:web:reg.example.cn`,
/// a port is percent-encoded (`did:web:127.0.0.1%3A8080`) and path segments become
/// `:`-separated (`https://example.cn/erguna/` → `did:web:example.cn:erguna`). The
/// scheme, a query and a fragment are dropped; the host is lower-cased.
pub fn did_web(base_url: &str) -> String {
    let trimmed = base_url.trim();
    let without_scheme = ["https://", "http://"]
        .iter()
        .find_map(|scheme| {
            trimmed
                .get(..scheme.len())
                .filter(|head| head.eq_ignore_ascii_case(scheme))
                .map(|_| &trimmed[scheme.len()..])
        })
        .unwrap_or(trimmed);
    let end = without_scheme
        .find(['?', '#'])
        .unwrap_or(without_scheme.len());
    let mut segments = without_scheme[..end].split('/').filter(|s| !s.is_empty());
    let host = segments.next().unwrap_or_default().to_ascii_lowercase();
    let mut did = format!("did:web:{}", host.replace(':', "%3A"));
    for segment in segments {
        did.push(':');
        did.push_str(&segment.replace(':', "%3A"));
    }
    did
}

impl KeyRing {
    /// The DID document for `did`: every key of the ring, current first, as a Multikey
    /// verification method `<did>#<key id>`, and all of them listed under
    /// `assertionMethod`, since retired keys must still verify the credentials they
    /// signed.
    pub fn did_document(&self, did: &str) -> Value {
        let current = self.current();
        let keys = std::iter::once((current.id.clone(), current.public_key_multibase())).chain(
            self.retired()
                .iter()
                .rev()
                .map(|entry| (entry.id.clone(), entry.public_key_multibase.clone())),
        );
        let (methods, references): (Vec<Value>, Vec<Value>) = keys
            .map(|(id, multibase)| {
                let method_id = format!("{did}#{id}");
                let method = json!({
                    "id": method_id,
                    "type": MULTIKEY,
                    "controller": did,
                    "publicKeyMultibase": multibase,
                });
                (method, Value::String(method_id))
            })
            .unzip();
        json!({
            "@context": [DID_CONTEXT, MULTIKEY_CONTEXT],
            "id": did,
            "verificationMethod": methods,
            "assertionMethod": references,
        })
    }
}

/// The keys a DID document allows to sign credentials: each `assertionMethod` (a
/// reference to a `verificationMethod`, or embedded) that is an Ed25519 Multikey, as
/// (verification method id, public key). Relative ids (`#key-1`) are made absolute with
/// the document's `id`. Methods of other types are skipped; a malformed Multikey is an
/// error.
pub fn keys_from_did_document(document: &Value) -> Result<Vec<(String, [u8; 32])>, KeyError> {
    let malformed = |reason: &str| KeyError::DidDocument(reason.to_owned());
    let object = document
        .as_object()
        .ok_or_else(|| malformed("not a JSON object"))?;
    let did = object
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| malformed("no \"id\""))?;
    let mut methods: HashMap<String, Option<[u8; 32]>> = HashMap::new();
    for method in list(object.get("verificationMethod"), "verificationMethod")? {
        let (id, key) = multikey(method, did)?;
        methods.insert(id, key);
    }
    let mut keys = Vec::new();
    for reference in list(object.get("assertionMethod"), "assertionMethod")? {
        let (id, key) = match reference {
            Value::String(id) => {
                let id = absolute(id, did);
                let key = *methods.get(&id).ok_or_else(|| {
                    KeyError::DidDocument(format!("assertionMethod {id} is not listed"))
                })?;
                (id, key)
            }
            embedded => multikey(embedded, did)?,
        };
        if let Some(key) = key
            && !keys.iter().any(|(known, _)| *known == id)
        {
            keys.push((id, key));
        }
    }
    Ok(keys)
}

fn list<'a>(value: Option<&'a Value>, name: &str) -> Result<&'a [Value], KeyError> {
    match value {
        None => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(KeyError::DidDocument(format!("\"{name}\" is not an array"))),
    }
}

/// A verification method's absolute id and, if it is a Multikey, its Ed25519 key.
fn multikey(method: &Value, did: &str) -> Result<(String, Option<[u8; 32]>), KeyError> {
    let id = method
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| KeyError::DidDocument("a verification method has no \"id\"".into()))?;
    let id = absolute(id, did);
    if method.get("type").and_then(Value::as_str) != Some(MULTIKEY) {
        return Ok((id, None));
    }
    let multibase = method
        .get("publicKeyMultibase")
        .and_then(Value::as_str)
        .ok_or_else(|| KeyError::DidDocument(format!("{id} has no \"publicKeyMultibase\"")))?;
    let key = decode_public_key_multibase(multibase)?;
    Ok((id, Some(key)))
}

fn absolute(id: &str, did: &str) -> String {
    if id.starts_with('#') {
        format!("{did}{id}")
    } else {
        id.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::super::keys::{PublicKeyEntry, SigningKey};
    use super::*;

    fn ring_with_retired() -> KeyRing {
        let old = SigningKey::from_seed("key-2025-01-01-aaaa", &[1; 32]).unwrap();
        let retired = vec![PublicKeyEntry {
            id: old.id.clone(),
            public_key_multibase: old.public_key_multibase(),
            retired_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        }];
        KeyRing::new(
            SigningKey::from_seed("key-2026-11-26-1a2b", &[2; 32]).unwrap(),
            retired,
        )
    }

    #[test]
    fn did_web_follows_the_did_web_method() {
        assert_eq!(did_web("https://reg.example.cn"), "did:web:reg.example.cn");
        assert_eq!(did_web("https://Reg.Example.cn/"), "did:web:reg.example.cn");
        assert_eq!(did_web("http://127.0.0.1:8080"), "did:web:127.0.0.1%3A8080");
        assert_eq!(
            did_web("https://example.cn:8443/city/erguna/?x=1#top"),
            "did:web:example.cn%3A8443:city:erguna"
        );
    }

    #[test]
    fn did_document_lists_current_and_retired_keys_for_assertion() {
        let ring = ring_with_retired();
        let did = "did:web:reg.example.cn";
        let doc = ring.did_document(did);
        assert_eq!(doc["id"], did);
        assert_eq!(
            doc["@context"],
            json!([
                "https://www.w3.org/ns/did/v1",
                "https://w3id.org/security/multikey/v1"
            ])
        );
        let methods = doc["verificationMethod"].as_array().unwrap();
        assert_eq!(methods.len(), 2);
        assert_eq!(
            methods[0]["id"],
            "did:web:reg.example.cn#key-2026-11-26-1a2b"
        );
        assert_eq!(methods[0]["type"], "Multikey");
        assert_eq!(methods[0]["controller"], did);
        assert_eq!(
            methods[0]["publicKeyMultibase"],
            ring.current().public_key_multibase()
        );
        assert_eq!(
            doc["assertionMethod"],
            json!([
                "did:web:reg.example.cn#key-2026-11-26-1a2b",
                "did:web:reg.example.cn#key-2025-01-01-aaaa"
            ])
        );
    }

    #[test]
    fn keys_read_back_from_a_did_document_match_the_ring() {
        let ring = ring_with_retired();
        let did = "did:web:reg.example.cn";
        let keys = keys_from_did_document(&ring.did_document(did)).unwrap();
        assert_eq!(keys.len(), 2);
        for (method, key) in keys {
            assert_eq!(ring.resolve(did, &method), Some(key));
        }
    }

    #[test]
    fn only_assertion_methods_count_and_relative_ids_resolve() {
        let signer = SigningKey::from_seed("a", &[3; 32]).unwrap();
        let other = SigningKey::from_seed("b", &[4; 32]).unwrap();
        let doc = json!({
            "id": "did:web:x.cn",
            "verificationMethod": [
                {"id": "#a", "type": "Multikey", "controller": "did:web:x.cn",
                 "publicKeyMultibase": signer.public_key_multibase()},
                {"id": "#b", "type": "Multikey", "controller": "did:web:x.cn",
                 "publicKeyMultibase": other.public_key_multibase()},
                {"id": "#jwk", "type": "JsonWebKey2020", "publicKeyJwk": {}}
            ],
            "assertionMethod": ["#a", "did:web:x.cn#jwk"],
            "authentication": ["#b"]
        });
        let keys = keys_from_did_document(&doc).unwrap();
        assert_eq!(
            keys,
            vec![("did:web:x.cn#a".to_owned(), signer.public_key())]
        );
    }

    #[test]
    fn malformed_did_documents_are_errors() {
        let bad_key = json!({
            "id": "did:web:x.cn",
            "verificationMethod": [{"id": "#a", "type": "Multikey", "publicKeyMultibase": "zabc"}],
            "assertionMethod": ["#a"]
        });
        assert!(keys_from_did_document(&bad_key).is_err());
        let dangling = json!({"id": "did:web:x.cn", "assertionMethod": ["#nowhere"]});
        assert!(keys_from_did_document(&dangling).is_err());
        assert!(keys_from_did_document(&json!(["not", "an", "object"])).is_err());
    }
}

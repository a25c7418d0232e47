//! The `eddsa-rdfc-2022` cryptosuite: the specification's test vector (w3c/vc-di-eddsa,
//! `TestVectors/eddsa-rdfc-2022`) byte for byte, the pinned contexts' digests, refusal of
//! contexts the registry does not ship, and a proof set over a Chinese credential.

use chrono::{TimeZone, Utc};
use serde_json::{Map, Value, json};

use super::super::proof::rdfc_hash_data;
use super::super::rdfc::{
    CREDENTIAL_CONTEXTS, OB_V3P0_3, PinnedContext, RdfcError, VC_V2, canonical_nquads,
    canonical_nquads_over,
};
use super::super::*;
use super::open_badges::sample_input;
use super::signing::vector_document;

/// The VC 2.0 examples context the vector names (never shipped in the binary).
const EXAMPLES_V2: PinnedContext = PinnedContext {
    url: "https://www.w3.org/ns/credentials/examples/v2",
    text: "{\n  \"@context\": {\n    \"@vocab\": \"https://www.w3.org/ns/credentials/examples#\"\n  }\n}\n",
    sha256: "",
};

const SEED_HEX: &str = "c96ef9ea10c5e414c471723aff9de72c35fa5b70fae97e8832ecac7d2e2b8ed6";
const METHOD: &str =
    "https://vc.example/issuers/5678#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";

const CANONICAL_DOCUMENT: &str = "\
<did:example:abcdefgh> <https://www.w3.org/ns/credentials/examples#alumniOf> \"The School of Examples\" .
<urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://www.w3.org/2018/credentials#VerifiableCredential> .
<urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://www.w3.org/ns/credentials/examples#AlumniCredential> .
<urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33> <https://schema.org/description> \"A minimum viable example of an Alumni Credential.\" .
<urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33> <https://schema.org/name> \"Alumni Credential\" .
<urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33> <https://www.w3.org/2018/credentials#credentialSubject> <did:example:abcdefgh> .
<urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33> <https://www.w3.org/2018/credentials#issuer> <https://vc.example/issuers/5678> .
<urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33> <https://www.w3.org/2018/credentials#validFrom> \"2023-01-01T00:00:00Z\"^^<http://www.w3.org/2001/XMLSchema#dateTime> .
";

const CANONICAL_PROOF_CONFIG: &str = "\
_:c14n0 <http://purl.org/dc/terms/created> \"2023-02-24T23:36:38Z\"^^<http://www.w3.org/2001/XMLSchema#dateTime> .
_:c14n0 <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/security#DataIntegrityProof> .
_:c14n0 <https://w3id.org/security#cryptosuite> \"eddsa-rdfc-2022\"^^<https://w3id.org/security#cryptosuiteString> .
_:c14n0 <https://w3id.org/security#proofPurpose> <https://w3id.org/security#assertionMethod> .
_:c14n0 <https://w3id.org/security#verificationMethod> <https://vc.example/issuers/5678#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2> .
";

fn vector_proof_options() -> Map<String, Value> {
    json!({
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2023-02-24T23:36:38Z",
        "verificationMethod": METHOD,
        "proofPurpose": "assertionMethod"
    })
    .as_object()
    .unwrap()
    .clone()
}

fn over_vector_contexts(document: &Value) -> Result<String, RdfcError> {
    canonical_nquads_over(document, &[&VC_V2, &EXAMPLES_V2])
}

#[test]
fn the_shipped_contexts_are_the_published_files() {
    for context in CREDENTIAL_CONTEXTS {
        assert_eq!(
            sha256_hex(context.text.as_bytes()),
            context.sha256,
            "{}",
            context.url
        );
    }
    assert_eq!(VC_V2.text.len(), 10_131);
    // The March 2024 file: `awardedDate` is there, and `achievement` is the OB term.
    assert!(OB_V3P0_3.text.contains("\"awardedDate\""));
    assert!(
        OB_V3P0_3
            .text
            .contains("https://purl.imsglobal.org/spec/vc/ob/vocab.html#achievement")
    );
}

#[test]
fn the_rdfc_test_vector_is_reproduced_byte_for_byte() {
    let document = vector_document();
    let canonical = over_vector_contexts(&document).unwrap();
    assert_eq!(canonical, CANONICAL_DOCUMENT);
    assert_eq!(
        sha256_hex(canonical.as_bytes()),
        "517744132ae165a5349155bef0bb0cf2258fff99dfe1dbd914b938d775a36017"
    );

    let mut config = vector_proof_options();
    config.insert("@context".into(), document["@context"].clone());
    let canonical_config = over_vector_contexts(&Value::Object(config)).unwrap();
    assert_eq!(canonical_config, CANONICAL_PROOF_CONFIG);

    let hash_data = rdfc_hash_data(
        &vector_proof_options(),
        document.as_object().unwrap(),
        over_vector_contexts,
    )
    .unwrap();
    assert_eq!(
        hex::encode(hash_data),
        "4c4d3890a157f8d611b13c265c2c22f39aa0a567c7c7dd9ba3e45cd579784eeb\
         517744132ae165a5349155bef0bb0cf2258fff99dfe1dbd914b938d775a36017"
    );
    let seed: [u8; 32] = hex::decode(SEED_HEX).unwrap().try_into().unwrap();
    let key = SigningKey::from_seed("vector", &seed).unwrap();
    let proof_value = format!("z{}", bs58::encode(key.sign(&hash_data)).into_string());
    assert_eq!(
        proof_value,
        "z21EVs3eXERqTn4acNHT9viboqgzUaQ3kTmhPT3eA8qrVPE7CrQq78WkzctnMX5W4CrzcKnHw8V6dvy5pgWYCU5e9"
    );
}

#[test]
fn a_context_the_registry_does_not_ship_is_refused_unread() {
    let mut document = vector_document();
    assert_eq!(
        canonical_nquads(&document),
        Err(RdfcError::UnknownContext(
            "https://www.w3.org/ns/credentials/examples/v2".into()
        ))
    );
    document["@context"] = json!(["https://www.w3.org/ns/credentials/v2", {"@vocab": "x:"}]);
    assert_eq!(canonical_nquads(&document), Err(RdfcError::ContextShape));
    document.as_object_mut().unwrap().remove("@context");
    assert_eq!(canonical_nquads(&document), Err(RdfcError::ContextShape));
    // A context named deeper in the document is not fetched either.
    let mut nested = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "urn:uuid:1",
        "type": ["VerifiableCredential"],
        "credentialSubject": {"@context": "https://evil.example/ctx", "id": "urn:uuid:2"}
    });
    assert!(matches!(
        canonical_nquads(&nested),
        Err(RdfcError::JsonLd(_))
    ));
    // A relative IRI has no meaning without a base.
    nested["credentialSubject"] = json!({"id": "relative/path"});
    assert_eq!(canonical_nquads(&nested), Err(RdfcError::RelativeIri));
}

#[test]
fn a_credential_with_both_proofs_verifies_and_one_broken_proof_makes_it_altered() {
    let input = sample_input();
    let ring = KeyRing::new(
        SigningKey::from_seed("key-2026-11-26-1a2b", &[4; 32]).unwrap(),
        Vec::new(),
    );
    let did = &input.issuer.id;
    let signed = add_proofs(
        &build(&input),
        ring.current(),
        &ring.verification_method(did),
        Utc.with_ymd_and_hms(2026, 11, 26, 9, 30, 0).unwrap(),
        &Cryptosuite::ALL,
    )
    .unwrap();
    let proofs = signed["proof"].as_array().unwrap();
    assert_eq!(proofs.len(), 2);
    assert_eq!(proofs[0]["cryptosuite"], "eddsa-jcs-2022");
    assert_eq!(proofs[1]["cryptosuite"], "eddsa-rdfc-2022");
    assert!(proofs[1].get("@context").is_none());
    let resolve = |m: &str| ring.resolve(did, m);
    let verified = verify_proof(&signed, resolve).unwrap();
    assert_eq!(verified.cryptosuites, Cryptosuite::ALL.to_vec());
    assert_eq!(verified.suites_label(), "eddsa-jcs-2022 + eddsa-rdfc-2022");

    // Either proof alone verifies.
    for (proof, suite) in proofs.iter().zip(Cryptosuite::ALL) {
        let mut one = signed.clone();
        one["proof"] = proof.clone();
        let verified = verify_proof(&one, resolve).unwrap();
        assert_eq!(verified.cryptosuites, vec![suite]);
    }
    // One broken proof beside a valid one: altered.
    for broken in 0..2 {
        let mut copy = signed.clone();
        copy["proof"][broken]["created"] = json!("2026-11-26T09:30:01Z");
        assert_eq!(verify_proof(&copy, resolve), Err(ProofError::BadSignature));
    }
    // A change RDF does not see (a member no context defines is dropped when the
    // document is read as RDF) is still caught by the JCS proof.
    let mut extended = signed.clone();
    extended["undefinedTerm"] = json!("添加");
    let mut rdfc_only = extended.clone();
    rdfc_only["proof"] = proofs[1].clone();
    assert!(matches!(
        verify_proof(&extended, resolve),
        Err(ProofError::BadSignature)
    ));
    assert!(
        verify_proof(&rdfc_only, resolve).is_ok(),
        "RDF drops the undefined term"
    );

    // Every value the credential states reaches the RDF that is signed: no term is
    // undefined by the pinned contexts.
    let unsigned = build(&input);
    let nquads = canonical_nquads(&unsigned).unwrap();
    let mut strings = Vec::new();
    collect_strings(&unsigned, &mut strings);
    for text in strings {
        let escaped = text
            .replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n");
        assert!(nquads.contains(&escaped), "{text} is not in the signed RDF");
    }
}

/// Every string value except context URLs and type names.
fn collect_strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if key != "@context" && key != "type" {
                    collect_strings(child, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_strings(item, out)),
        Value::String(text) => out.push(text.clone()),
        _ => {}
    }
}

#[test]
fn a_poisoned_blank_node_graph_is_refused_rather_than_canonicalized() {
    // Ten blank nodes each linked to every other by one predicate: all look alike, so
    // RDFC-1.0 would try 10! orders of them. The permutation limit refuses it at once.
    let nodes: Vec<Value> = (0..10)
        .map(|i| {
            let others: Vec<Value> = (0..10)
                .filter(|&j| j != i)
                .map(|j| json!({"@id": format!("_:b{j}")}))
                .collect();
            json!({"@id": format!("_:b{i}"), "https://example.org/knows": others})
        })
        .collect();
    let poisoned = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "@graph": nodes,
    });
    assert!(matches!(
        canonical_nquads(&poisoned),
        Err(RdfcError::TooComplex(_))
    ));
}

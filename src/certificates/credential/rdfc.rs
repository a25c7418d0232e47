//! RDF Dataset Canonicalization of a JSON-LD document, the transformation of the
//! `eddsa-rdfc-2022` cryptosuite: the document is read as RDF (JSON-LD 1.1 to RDF, by
//! sophia's JSON-LD parser) over contexts pinned in `certs/contexts` and compiled into the
//! binary, then written as canonical N-Quads (RDFC-1.0 with SHA-256, sophia's c14n).
//!
//! Nothing is ever fetched: a document naming a context the registry does not ship, or
//! carrying a context of its own, is refused before it is read. Canonicalization is
//! bounded as RDFC-1.0 recommends (a depth factor and a permutation limit), so a
//! stranger's crafted blank-node graph is refused instead of taking the CPU.

use std::{collections::BTreeSet, sync::Arc, sync::LazyLock};

use json_syntax::Parse;
use locspan::{Location, Meta};
use serde_json::Value;
use sophia_api::{quad::Spog, source::QuadSource, term::SimpleTerm};
use sophia_jsonld::{JsonLdOptions, JsonLdParser, loader::StaticLoader, vocabulary::ArcIri};

/// A JSON-LD context shipped with the registry: its URL, its bytes as published, and
/// the SHA-256 of those bytes (checked by a test, so a re-saved file cannot slip in).
pub struct PinnedContext {
    pub url: &'static str,
    pub text: &'static str,
    pub sha256: &'static str,
}

/// The W3C Verifiable Credentials 2.0 context, the file the Recommendation's digest
/// names (`https://www.w3.org/ns/credentials/v2`, 10,131 bytes, no final newline).
pub const VC_V2: PinnedContext = PinnedContext {
    url: "https://www.w3.org/ns/credentials/v2",
    text: include_str!("../../../certs/contexts/credentials-v2.jsonld"),
    sha256: "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734",
};

/// The Open Badges 3.0.3 context as 1EdTech publishes it since March 2024 (with
/// `awardedDate`; the specification repository's first version of the file mapped
/// `achievement` and `image` to other IRIs).
pub const OB_V3P0_3: PinnedContext = PinnedContext {
    url: "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    text: include_str!("../../../certs/contexts/ob-v3p0-context-3.0.3.json"),
    sha256: "ef2fa9c7846dce233cc166b43639027278be4ee44f00bb1d45c75de2dd0cd761",
};

/// The contexts a credential or status list of this registry may name, in the order a
/// credential names them.
pub const CREDENTIAL_CONTEXTS: [&PinnedContext; 2] = [&VC_V2, &OB_V3P0_3];

/// The DID Core and Multikey contexts the DID document names. The registry never reads
/// its DID document as RDF; they are shipped for verifiers that do (the JavaScript check
/// in `.ci/run` loads them from `certs/contexts`).
pub const DID_CONTEXTS: [(&str, &str); 2] = [
    ("https://www.w3.org/ns/did/v1", "did-v1.jsonld"),
    (
        "https://w3id.org/security/multikey/v1",
        "multikey-v1.jsonld",
    ),
];

/// RDFC-1.0's guards against poisoned graphs (the specification's recommended bounds).
const DEPTH_FACTOR: f32 = 1.0;
const PERMUTATION_LIMIT: usize = 6;

/// Why a document has no canonical form here.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RdfcError {
    /// The document names a context that is not shipped with the registry.
    #[error("unknown JSON-LD context {0}")]
    UnknownContext(String),
    /// The document's `@context` is missing or is not a list of context URLs.
    #[error("the @context is not a list of known context URLs")]
    ContextShape,
    /// The JSON-LD could not be read as RDF (the reason is the processor's).
    #[error("the document cannot be read as JSON-LD: {0}")]
    JsonLd(String),
    /// The document uses a relative IRI, which has no meaning without a base.
    #[error("the document uses a relative IRI")]
    RelativeIri,
    /// The blank-node graph exceeds RDFC-1.0's bounds.
    #[error("the document is too complex to canonicalize: {0}")]
    TooComplex(String),
}

/// Where a relative IRI lands when the processor reads a document without a base.
const NO_BASE: &str = "x-string://";

type Loader = StaticLoader<ArcIri, locspan::Span>;

/// Every pinned context, parsed once.
static LOADER: LazyLock<Loader> = LazyLock::new(|| loader_with(&CREDENTIAL_CONTEXTS));

fn loader_with(contexts: &[&PinnedContext]) -> Loader {
    contexts.iter().fold(Loader::new(), |loader, context| {
        let url = ArcIri::new_unchecked(Arc::from(context.url));
        let parsed =
            json_syntax::Value::parse_str(context.text, |span| Location::new(url.clone(), span))
                .unwrap_or_else(|e| panic!("the pinned context {} is not JSON: {e}", context.url));
        let Meta(value, meta) = parsed;
        loader.with(url, Meta(value, meta))
    })
}

/// The canonical N-Quads of `document` (which must not carry a `proof`), read over the
/// registry's pinned contexts.
pub fn canonical_nquads(document: &Value) -> Result<String, RdfcError> {
    canonical_nquads_with(document, &LOADER, |url| {
        CREDENTIAL_CONTEXTS.iter().any(|c| c.url == url)
    })
}

/// As [`canonical_nquads`], over another set of contexts (the specification's test
/// vectors use its examples context).
#[cfg(test)]
pub(super) fn canonical_nquads_over(
    document: &Value,
    contexts: &[&PinnedContext],
) -> Result<String, RdfcError> {
    let loader = loader_with(contexts);
    canonical_nquads_with(document, &loader, |url| {
        contexts.iter().any(|c| c.url == url)
    })
}

fn canonical_nquads_with(
    document: &Value,
    loader: &Loader,
    known: impl Fn(&str) -> bool,
) -> Result<String, RdfcError> {
    check_contexts(document, known)?;
    let options = JsonLdOptions::new().with_document_loader(loader.clone());
    let parser = JsonLdParser::new_with_options(options);
    let text = document.to_string();
    // The loader answers from memory, so the processor's future never waits.
    let source = futures_executor::block_on(parser.async_parse_str(&text));
    let dataset: BTreeSet<Spog<SimpleTerm<'static>>> = source
        .collect_quads()
        .map_err(|e| RdfcError::JsonLd(e.to_string()))?;
    let mut out = Vec::new();
    sophia_c14n::rdfc10::normalize_with::<sophia_c14n::hash::Sha256, _, _>(
        &dataset,
        &mut out,
        DEPTH_FACTOR,
        PERMUTATION_LIMIT,
    )
    .map_err(|e| match e {
        sophia_c14n::C14nError::ToxicGraph(why) => RdfcError::TooComplex(why),
        other => RdfcError::JsonLd(other.to_string()),
    })?;
    let nquads = String::from_utf8(out).map_err(|e| RdfcError::JsonLd(e.to_string()))?;
    if nquads.contains(NO_BASE) {
        return Err(RdfcError::RelativeIri);
    }
    Ok(nquads)
}

/// The document's `@context` must be one context URL or a list of them, every one
/// pinned: no inline context, no context to fetch.
fn check_contexts(document: &Value, known: impl Fn(&str) -> bool) -> Result<(), RdfcError> {
    let urls: Vec<&Value> = match document.get("@context") {
        Some(Value::Array(list)) if !list.is_empty() => list.iter().collect(),
        Some(one @ Value::String(_)) => vec![one],
        _ => return Err(RdfcError::ContextShape),
    };
    for url in urls {
        let url = url.as_str().ok_or(RdfcError::ContextShape)?;
        if !known(url) {
            return Err(RdfcError::UnknownContext(url.to_owned()));
        }
    }
    Ok(())
}

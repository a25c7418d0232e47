//! Certificates as verifiable credentials. A certificate's data is frozen at issue time
//! as an Open Badges 3.0 `OpenBadgeCredential` ([`open_badges::build`]), signed by the
//! registry's current key with a set of two Data Integrity proofs ([`proof::add_proofs`]):
//! `eddsa-jcs-2022` (Ed25519 over SHA-256 of RFC 8785 canonical JSON, [`jcs`]) and
//! `eddsa-rdfc-2022` (over the RDF canonical form of the JSON-LD, [`rdfc`], read over
//! contexts shipped with the binary), and checked with [`proof::verify_proof`].
//! Certificates issued before the second suite keep their one JCS proof.
//!
//! Keys ([`keys`], stored by `key_store`) carry ids and rotate; the registry's `did:web`
//! DID document ([`did`]) publishes the current key and every retired one, so old
//! credentials keep verifying, also offline against a saved `did.json`. Revocation and
//! suspension are W3C Bitstring Status Lists ([`status_list`]).

pub mod badge_image;
pub mod did;
pub mod jcs;
mod key_store;
pub mod keys;
pub mod open_badges;
pub mod proof;
pub mod rdfc;
pub mod status_list;

#[cfg(test)]
mod tests;

pub use did::{did_web, keys_from_did_document};
pub use jcs::{JcsError, canonicalize};
pub use keys::{KeyError, KeyRing, PublicKeyEntry, SigningKey};
pub use open_badges::{
    AchievementInput, CredentialInput, HolderIdentity, IssuerProfile, StandardRef, StatusEntry,
    build, holder_identity,
};
pub use proof::{
    Cryptosuite, ProofError, VerifiedProof, add_proof, add_proofs, sha256_hex,
    verification_method_of, verify_proof, xml_datetime,
};
pub use status_list::{StatusBits, StatusListError, status_list_credential};

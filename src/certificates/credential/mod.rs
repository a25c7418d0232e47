//! Certificates as verifiable credentials. A certificate's data is frozen at issue time
//! as an Open Badges 3.0 `OpenBadgeCredential` ([`open_badges::build`]), signed with a
//! Data Integrity proof of the `eddsa-jcs-2022` cryptosuite ([`proof::add_proof`]:
//! Ed25519 over SHA-256 of RFC 8785 canonical JSON, [`jcs`]) by the registry's current
//! key, and checked with [`proof::verify_proof`].
//!
//! Keys ([`keys`], stored by `key_store`) carry ids and rotate; the registry's `did:web`
//! DID document ([`did`]) publishes the current key and every retired one, so old
//! credentials keep verifying, also offline against a saved `did.json`. Revocation and
//! suspension are W3C Bitstring Status Lists ([`status_list`]).

pub mod did;
pub mod jcs;
mod key_store;
pub mod keys;
pub mod open_badges;
pub mod proof;
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
pub use proof::{ProofError, VerifiedProof, add_proof, sha256_hex, verify_proof, xml_datetime};
pub use status_list::{StatusBits, StatusListError, status_list_credential};

//! Tests across the credential modules: signing end to end, the RDF cryptosuite and the
//! Open Badges mapping.

mod open_badges;
mod proofs;
mod rdfc;
mod signing;

//! Tests across the credential modules: signing end to end and the Open Badges mapping.

mod open_badges;
mod signing;

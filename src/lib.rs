//! Erguna skills-training and certification registry.
//!
//! Layers, from the outside in: [`cli`] and [`startup`] wire things together; [`http`] is
//! the only module that knows about axum; the capability modules ([`auth`],
//! [`organisations`], [`audit`]) hold the rules and take `&impl ConnectionTrait` so the
//! caller chooses the transaction; `entities` (a separate crate) maps the tables.

pub mod access;
pub mod apprenticeships;
pub mod audit;
pub mod auth;
pub mod certificates;
pub mod cli;
pub mod clock;
pub mod cohorts;
pub mod config;
pub mod corrections;
pub mod db;
pub mod error;
pub mod http;
pub mod imports;
pub mod instance;
pub mod jobs;
pub mod mail;
pub mod money;
pub mod orders;
pub mod organisations;
pub mod pagination;
pub mod people;
pub mod pictures;
pub mod private_files;
pub mod programs;
pub mod reminders;
pub mod reports;
pub mod standards;
pub mod startup;
pub mod stored;
pub mod tasks;
pub mod telemetry;
pub mod trainees;
pub mod untrusted;
pub mod verification;

//! Integration tests: the real app on a random port, a fresh database per test (SQLite,
//! or PostgreSQL when `TEST_DATABASE_URL` is set), talking HTTP.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests, helpers included: a failed step should stop the test where it failed"
)]

mod helpers;

mod audit;
mod auth;
mod basics;
mod browser;
mod certificates;
mod dates;
mod demo;
mod edge;
mod grounds;
mod hostile_files;
mod imports;
mod instances;
mod jobs;
mod ledger;
mod names;
mod openapi;
mod organisations;
mod pages;
mod privacy;
mod rebuild;
mod roles;
mod rosters;
mod standards;
mod stored;
mod training;
mod verification;

//! Integration tests: the real app on a random port, a fresh database per test (SQLite,
//! or PostgreSQL when `TEST_DATABASE_URL` is set), talking HTTP.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests, helpers included: a failed step should stop the test where it failed"
)]

mod helpers;

mod apprentice_certificates;
mod apprenticeship_pages;
mod apprenticeships;
mod audit;
mod auth;
mod basics;
mod browser;
mod bureau_pages;
mod certificate_pages;
mod certificates;
mod corrections;
mod dates;
mod demo;
mod edge;
mod grounds;
mod hostile_files;
mod imports;
mod instances;
mod jobs;
mod ledger;
mod lookup;
mod mail;
mod names;
mod open_badges;
mod openapi;
mod order_pages;
mod orders;
mod organisations;
mod pages;
mod paging;
mod paper;
mod privacy;
mod provider_pages;
mod provider_sheets;
mod rebuild;
mod renewal;
mod report_exports;
mod report_flags;
mod report_periods;
mod report_rows;
mod report_tallies;
mod reports;
mod roles;
mod rosters;
mod seals;
mod staff_pages;
mod standards;
mod statements;
mod stored;
mod tasks;
mod trainees;
mod training;
mod verification;
mod visitor;

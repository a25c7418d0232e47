//! Schema migrations of the registry. One change per file, named
//! `mYYYYMMDD_HHMMSS_<verb>_<thing>`; a landed migration is never edited.
//! This crate owns its identifiers and does not depend on `entities`.
#![expect(
    elided_lifetimes_in_paths,
    reason = "sea-orm-cli's migration template writes `&SchemaManager`, and landed migrations are never edited"
)]

pub use sea_orm_migration::prelude::*;

pub mod rewrite;

mod m20261126_000001_create_organisations;
mod m20261126_000002_create_accounts;
mod m20261126_000003_create_api_tokens;
mod m20261126_000004_create_audit_log;
mod m20261126_000005_create_occupations;
mod m20261126_000006_create_skill_levels;
mod m20261126_000007_create_standards;
mod m20261126_000008_create_people;
mod m20261126_000009_create_programs;
mod m20261126_000010_create_cohorts;
mod m20261126_000011_create_enrolments;
mod m20261126_000012_add_organisation_codes;
mod m20261126_000013_create_assessments;
mod m20261126_000014_create_certificates;
mod m20261126_000015_create_certificate_parents;
mod m20261126_000016_create_certificate_files;
mod m20261126_000017_create_counters;
mod m20261201_100000_create_jobs;
mod m20261202_400000_add_certificate_grounds_fell;
mod m20261210_000001_create_sign_in_throttles;
mod m20261215_000001_add_account_integration;
mod m20261215_000001_drop_people_birth_date;
mod m20261215_000002_add_api_token_minted_by;
mod m20261215_000002_rename_people_phone_to_phone_sealed;
mod m20261215_000003_add_audit_minted_by;
mod m20261215_000004_add_organisation_pending_name;
mod m20261215_000005_add_certificate_issuer_name;
mod m20261215_000006_create_instance_settings;
mod m20261216_100000_create_person_corrections;
mod m20261216_200001_create_person_photos;
mod m20261216_200002_create_organisation_seals;
mod m20261217_300000_create_verifier_checks;
mod m20261218_400000_create_orders;
mod m20261218_400001_create_order_funding_rules;
mod m20261220_100001_add_account_contact;
mod m20261220_100002_create_certificate_shares;
mod m20261222_100000_add_people_email;
mod m20261222_100001_create_email_confirmations;
mod m20261222_100002_create_mail_outbox;
mod m20261222_500000_create_apprenticeships;
mod m20261222_500001_create_apprenticeship_subsidies;
mod m20261223_160000_add_apprentice_mentor_accounts;
mod m20261223_600000_add_apprentice_grounds;
mod m20261224_000000_create_reports;
mod m20261224_100000_create_report_periods;
mod m20261224_170000_create_report_flag_explanations;
mod m20261224_700000_add_report_count_indexes;
mod m20261225_000000_create_report_tallies;
mod m20261225_000001_reorder_certificate_day_index;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261126_000001_create_organisations::Migration),
            Box::new(m20261126_000002_create_accounts::Migration),
            Box::new(m20261126_000003_create_api_tokens::Migration),
            Box::new(m20261126_000004_create_audit_log::Migration),
            Box::new(m20261126_000005_create_occupations::Migration),
            Box::new(m20261126_000006_create_skill_levels::Migration),
            Box::new(m20261126_000007_create_standards::Migration),
            Box::new(m20261126_000008_create_people::Migration),
            Box::new(m20261126_000009_create_programs::Migration),
            Box::new(m20261126_000010_create_cohorts::Migration),
            Box::new(m20261126_000011_create_enrolments::Migration),
            Box::new(m20261126_000012_add_organisation_codes::Migration),
            Box::new(m20261126_000013_create_assessments::Migration),
            Box::new(m20261126_000014_create_certificates::Migration),
            Box::new(m20261126_000015_create_certificate_parents::Migration),
            Box::new(m20261126_000016_create_certificate_files::Migration),
            Box::new(m20261126_000017_create_counters::Migration),
            Box::new(m20261201_100000_create_jobs::Migration),
            Box::new(m20261202_400000_add_certificate_grounds_fell::Migration),
            Box::new(m20261210_000001_create_sign_in_throttles::Migration),
            Box::new(m20261215_000001_drop_people_birth_date::Migration),
            Box::new(m20261215_000002_rename_people_phone_to_phone_sealed::Migration),
            Box::new(m20261215_000001_add_account_integration::Migration),
            Box::new(m20261215_000002_add_api_token_minted_by::Migration),
            Box::new(m20261215_000003_add_audit_minted_by::Migration),
            Box::new(m20261215_000004_add_organisation_pending_name::Migration),
            Box::new(m20261215_000005_add_certificate_issuer_name::Migration),
            Box::new(m20261215_000006_create_instance_settings::Migration),
            Box::new(m20261216_100000_create_person_corrections::Migration),
            Box::new(m20261216_200001_create_person_photos::Migration),
            Box::new(m20261216_200002_create_organisation_seals::Migration),
            Box::new(m20261217_300000_create_verifier_checks::Migration),
            Box::new(m20261220_100001_add_account_contact::Migration),
            Box::new(m20261220_100002_create_certificate_shares::Migration),
            Box::new(m20261218_400000_create_orders::Migration),
            Box::new(m20261218_400001_create_order_funding_rules::Migration),
            Box::new(m20261222_100000_add_people_email::Migration),
            Box::new(m20261222_100001_create_email_confirmations::Migration),
            Box::new(m20261222_100002_create_mail_outbox::Migration),
            Box::new(m20261222_500000_create_apprenticeships::Migration),
            Box::new(m20261222_500001_create_apprenticeship_subsidies::Migration),
            Box::new(m20261223_160000_add_apprentice_mentor_accounts::Migration),
            Box::new(m20261223_600000_add_apprentice_grounds::Migration),
            Box::new(m20261224_000000_create_reports::Migration),
            Box::new(m20261224_100000_create_report_periods::Migration),
            Box::new(m20261224_170000_create_report_flag_explanations::Migration),
            Box::new(m20261224_700000_add_report_count_indexes::Migration),
            Box::new(m20261225_000000_create_report_tallies::Migration),
            Box::new(m20261225_000001_reorder_certificate_day_index::Migration),
        ]
    }
}

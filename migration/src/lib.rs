//! Schema migrations of the registry. One change per file, named
//! `mYYYYMMDD_HHMMSS_<verb>_<thing>`; a landed migration is never edited.
//! This crate owns its identifiers and does not depend on `entities`.

pub use sea_orm_migration::prelude::*;

mod m20261126_000001_create_organisations;
mod m20261126_000002_create_accounts;
mod m20261126_000003_create_api_tokens;
mod m20261126_000004_create_audit_log;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261126_000001_create_organisations::Migration),
            Box::new(m20261126_000002_create_accounts::Migration),
            Box::new(m20261126_000003_create_api_tokens::Migration),
            Box::new(m20261126_000004_create_audit_log::Migration),
        ]
    }
}

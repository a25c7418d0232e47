//! SeaORM entities of the registry, generated from the migrated schema by
//! `sea-orm-cli generate entity` (see README). Never edit by hand: change a migration,
//! then regenerate.

pub mod prelude;

pub mod accounts;
pub mod api_tokens;
pub mod audit_head;
pub mod audit_log;
pub mod organisations;

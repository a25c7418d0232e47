pub use super::accounts::Entity as Accounts;
pub use super::api_tokens::Entity as ApiTokens;
pub use super::audit_head::Entity as AuditHead;
pub use super::audit_log::Entity as AuditLog;
pub use super::organisations::Entity as Organisations;

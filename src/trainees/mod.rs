//! Trainees on their own: claiming an account without staff help ([`claim`]), their
//! records and certificates ([`records`]), and the share links they make for a
//! certificate ([`shares`]). A trainee account always belongs to a person
//! (`people.account_id`); everything here starts from that link.

pub mod claim;
pub mod qr;
pub mod records;
pub mod shares;

//! Mail (DESIGN §9): confirmed addresses, the outbox and its delivery.
//!
//! A message is rendered from `templates/mail/<message>/` and written to the outbox
//! ([`outbox::queue`]) in the transaction of the event that causes it, together with the
//! `mail.deliver` job that sends it; nothing is sent to an address that is not confirmed,
//! except the link that confirms it ([`confirm`]). The [`Delivery`] job marks the row
//! `sending` (committed) before it talks to the server, sends through lettre with a
//! Message-ID derived from the row, and records the server's answer: temporary failures
//! retry with the job's backoff, permanent ones fail with the answer, and a row found
//! still `sending` when its job is claimed again (the last worker's lease ran out
//! mid-send) becomes `unknown` — the server may have taken it, so it is never resent
//! silently. This module depends on no capability: callers hand it plain facts.

pub mod address;
pub mod compose;
pub mod confirm;
pub mod delivery;
pub mod outbox;
pub mod staff;
pub mod transport;

pub use address::EmailAddress;
pub use compose::Composed;
pub use delivery::Delivery;
pub use outbox::{MailKind, MailStatus, Outgoing};
pub use transport::Transport;

//! People: trainees and what identifies them. [`CitizenId`] parses the GB 11643 ID
//! number, [`PersonName`] and [`MobilePhone`] the other identity fields, [`PiiKeys`] seals
//! the ID number and the phone number at rest and derives the ID's blind index
//! ([`at_rest`] reads and writes them), [`KeyGroup`] tags a person with the plan's key
//! groups, and [`photo`] keeps the photo a skill-level certificate prints, sealed too.

pub mod at_rest;
pub mod batch;
pub mod citizen_id;
pub mod email;
pub mod key_groups;
pub mod names;
pub mod phone;
pub mod photo;
pub mod sealing;

pub use citizen_id::{CitizenId, CitizenIdError, Gender};
pub use key_groups::KeyGroup;
pub use names::{PersonName, PersonNameError, mask_name};
pub use phone::{MobilePhone, MobilePhoneError};
pub use sealing::{PiiKeys, SealError};
mod rows;
pub mod store;
pub mod tags;

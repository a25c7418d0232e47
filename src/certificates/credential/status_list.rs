//! W3C Bitstring Status List: the bits that say which credentials are revoked (or
//! suspended), their `encodedList` form (multibase base64url, no padding, of the GZIP of
//! the bits) and the unsigned `BitstringStatusListCredential` that publishes them.
//! Bit 0 is the left-most, i.e. the most significant bit of the first byte.

use std::io::{Read, Write};

use base64::{
    Engine, alphabet,
    engine::{
        DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig, general_purpose::URL_SAFE_NO_PAD,
    },
};
use chrono::{DateTime, Utc};
use flate2::{Compression, read::GzDecoder, write::GzEncoder};
use serde_json::{Value, json};

use super::proof::xml_datetime;

/// The specification's minimum list length: 131,072 entries (16 KiB), so one list does
/// not give away how few credentials an issuer has.
pub const MIN_BITS: u64 = 131_072;

/// The largest decoded list accepted (128 Mi entries), so a small GZIP bomb cannot
/// exhaust memory.
const MAX_BYTES: u64 = 16 * 1024 * 1024;

/// Reads base64url with or without padding; writing never pads.
const URL_SAFE_ANY_PAD: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Why a status list cannot be encoded, decoded or changed.
#[derive(Debug, thiserror::Error)]
pub enum StatusListError {
    /// The index lies beyond the end of the list.
    #[error("status list index {index} is beyond the list's {len} entries")]
    IndexOutOfRange { index: u64, len: u64 },
    /// Not `u` + base64url of a GZIP stream.
    #[error("encodedList is not multibase base64url (u…) of GZIP data")]
    Encoding,
    /// The decoded list is shorter than the specification's minimum or too large.
    #[error("decoded status list has {bits} entries; allowed are {MIN_BITS} to {}", MAX_BYTES * 8)]
    Length { bits: u64 },
    /// Compressing or decompressing failed.
    #[error("GZIP: {0}")]
    Gzip(#[from] std::io::Error),
}

/// A status bitstring of at least [`MIN_BITS`] entries, all `false` when new.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusBits(Vec<u8>);

impl Default for StatusBits {
    fn default() -> Self {
        Self::new()
    }
}

impl StatusBits {
    /// A list of exactly [`MIN_BITS`] entries, all `false`.
    pub fn new() -> Self {
        Self::with_len(MIN_BITS)
    }

    /// A list of `bits` entries rounded up to whole bytes, all `false`; kept between
    /// [`MIN_BITS`] and 128 Mi entries.
    pub fn with_len(bits: u64) -> Self {
        let bytes = bits.clamp(MIN_BITS, MAX_BYTES * 8).div_ceil(8);
        // At most MAX_BYTES (16 MiB), which fits any usize this code runs on.
        Self(vec![0; bytes as usize])
    }

    /// The number of entries.
    pub fn len(&self) -> u64 {
        self.0.len() as u64 * 8
    }

    /// Always `false`: a list has at least [`MIN_BITS`] entries.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Sets entry `index` (`true` = revoked or suspended, per the list's purpose).
    pub fn set(&mut self, index: u64, value: bool) -> Result<(), StatusListError> {
        let len = self.len();
        let (byte, mask) = position(index)
            .filter(|(byte, _)| *byte < self.0.len())
            .ok_or(StatusListError::IndexOutOfRange { index, len })?;
        if value {
            self.0[byte] |= mask;
        } else {
            self.0[byte] &= !mask;
        }
        Ok(())
    }

    /// Entry `index`, or `None` beyond the end of the list.
    pub fn get(&self, index: u64) -> Option<bool> {
        let (byte, mask) = position(index)?;
        self.0.get(byte).map(|b| b & mask != 0)
    }

    /// The `encodedList`: `u` + base64url without padding of the GZIP of the bits.
    pub fn encode(&self) -> Result<String, StatusListError> {
        let mut gzip = GzEncoder::new(Vec::new(), Compression::best());
        gzip.write_all(&self.0)?;
        let compressed = gzip.finish()?;
        Ok(format!("u{}", URL_SAFE_NO_PAD.encode(compressed)))
    }

    /// Reads an `encodedList` back.
    pub fn decode(encoded: &str) -> Result<Self, StatusListError> {
        let base64 = encoded.strip_prefix('u').ok_or(StatusListError::Encoding)?;
        let compressed = URL_SAFE_ANY_PAD
            .decode(base64)
            .map_err(|_| StatusListError::Encoding)?;
        let mut bytes = Vec::new();
        GzDecoder::new(compressed.as_slice())
            .take(MAX_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|_| StatusListError::Encoding)?;
        let bits = bytes.len() as u64 * 8;
        if !(MIN_BITS..=MAX_BYTES * 8).contains(&bits) {
            return Err(StatusListError::Length { bits });
        }
        Ok(Self(bytes))
    }
}

/// The byte and the bit mask of entry `index`; bit 0 is the most significant bit.
fn position(index: u64) -> Option<(usize, u8)> {
    let byte = usize::try_from(index / 8).ok()?;
    Some((byte, 0x80 >> (index % 8)))
}

/// The unsigned `BitstringStatusListCredential` at `id` publishing `bits` for `purpose`
/// (`"revocation"` or `"suspension"`); its subject is `<id>#list`.
pub fn status_list_credential(
    id: &str,
    issuer: &Value,
    purpose: &str,
    bits: &StatusBits,
    valid_from: DateTime<Utc>,
) -> Result<Value, StatusListError> {
    Ok(json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": id,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": xml_datetime(valid_from),
        "credentialSubject": {
            "id": format!("{id}#list"),
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": bits.encode()?,
        },
    }))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn a_new_list_has_the_16_kib_minimum_and_is_all_clear() {
        let bits = StatusBits::new();
        assert_eq!(bits.len(), 131_072);
        assert_eq!(bits.0.len(), 16 * 1024);
        assert_eq!(StatusBits::with_len(10).len(), 131_072);
        assert_eq!(StatusBits::with_len(131_073).len(), 131_080);
        assert!((0..bits.len()).all(|i| bits.get(i) == Some(false)));
        assert_eq!(bits.get(131_072), None);
    }

    #[test]
    fn bit_zero_is_the_most_significant_bit_of_the_first_byte() {
        let mut bits = StatusBits::new();
        bits.set(0, true).unwrap();
        assert_eq!(bits.0[0], 0x80);
        bits.set(7, true).unwrap();
        bits.set(9, true).unwrap();
        assert_eq!(&bits.0[..2], &[0x81, 0x40]);
        bits.set(0, false).unwrap();
        assert_eq!(bits.0[0], 0x01);
    }

    #[test]
    fn setting_beyond_the_end_is_an_error_and_changes_nothing() {
        let mut bits = StatusBits::new();
        let err = bits.set(131_072, true).unwrap_err();
        assert!(matches!(
            err,
            StatusListError::IndexOutOfRange {
                index: 131_072,
                len: 131_072
            }
        ));
        assert_eq!(bits, StatusBits::new());
    }

    #[test]
    fn encoded_lists_round_trip() {
        let mut bits = StatusBits::new();
        for index in [0, 1, 8, 4242, 131_071] {
            bits.set(index, true).unwrap();
        }
        let encoded = bits.encode().unwrap();
        assert!(encoded.starts_with('u'));
        assert!(
            !encoded.contains(['=', '+', '/']),
            "base64url without padding"
        );
        let decoded = StatusBits::decode(&encoded).unwrap();
        assert_eq!(decoded, bits);
        assert_eq!(decoded.get(4242), Some(true));
        assert_eq!(decoded.get(4243), Some(false));
    }

    #[test]
    fn the_specifications_example_list_decodes_to_131072_clear_entries() {
        // The all-clear list from the Bitstring Status List v1.0 examples.
        let bits = StatusBits::decode(
            "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA",
        )
        .unwrap();
        assert_eq!(bits, StatusBits::new());
    }

    #[test]
    fn short_or_foreign_encodings_are_refused() {
        let mut gzip = GzEncoder::new(Vec::new(), Compression::default());
        gzip.write_all(&[0; 100]).unwrap();
        let short = format!("u{}", URL_SAFE_NO_PAD.encode(gzip.finish().unwrap()));
        assert!(matches!(
            StatusBits::decode(&short),
            Err(StatusListError::Length { bits: 800 })
        ));
        assert!(matches!(
            StatusBits::decode("zabc"),
            Err(StatusListError::Encoding)
        ));
        assert!(matches!(
            StatusBits::decode("uAAAA"),
            Err(StatusListError::Encoding)
        ));
    }

    #[test]
    fn the_status_list_credential_has_the_specified_shape() {
        let mut bits = StatusBits::new();
        bits.set(3, true).unwrap();
        let issuer = json!({"id": "did:web:reg.example.cn", "type": ["Profile"], "name": "额尔古纳市人社局"});
        let from = Utc.with_ymd_and_hms(2026, 11, 26, 8, 0, 0).unwrap();
        let list = "https://reg.example.cn/status/revocation/1";
        let vc = status_list_credential(list, &issuer, "revocation", &bits, from).unwrap();
        assert_eq!(
            vc["@context"],
            json!(["https://www.w3.org/ns/credentials/v2"])
        );
        assert_eq!(
            vc["type"],
            json!(["VerifiableCredential", "BitstringStatusListCredential"])
        );
        assert_eq!(vc["issuer"], issuer);
        assert_eq!(vc["validFrom"], "2026-11-26T08:00:00Z");
        let subject = &vc["credentialSubject"];
        assert_eq!(subject["id"], format!("{list}#list"));
        assert_eq!(subject["type"], "BitstringStatusList");
        assert_eq!(subject["statusPurpose"], "revocation");
        let decoded = StatusBits::decode(subject["encodedList"].as_str().unwrap()).unwrap();
        assert_eq!(decoded, bits);
    }
}

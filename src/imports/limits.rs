//! How large a spreadsheet may be. Everything follows from the number of data rows one
//! import may hold: a provider's upload keeps the modest default (a cohort is far smaller,
//! and a larger file is a mistake), the bureau's `registry import` of historical ledgers
//! takes 200,000. The other bounds grow with it but stay bounded, so a hostile file costs
//! at most what an honest list of that length would.

use std::time::Duration;

/// How far down the header may be: lists often start with a title row or two.
pub const HEADER_SEARCH_ROWS: u32 = 10;

/// How far across a sheet's cells may reach: a list has four columns we read, and offices
/// add a few of their own (序号, 备注, ……).
pub const MAX_COLUMNS: u32 = 50;

/// The bounds of one spreadsheet import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    rows: usize,
}

impl Limits {
    /// The rows of a provider's upload unless configured (`REGISTRY_IMPORT_MAX_ROWS`).
    pub const UPLOAD_ROWS: usize = 2_000;

    /// The rows of a `registry import` unless configured
    /// (`REGISTRY_LEDGER_IMPORT_MAX_ROWS`): a year of the bureau's ledgers.
    pub const LEDGER_ROWS: usize = 200_000;

    /// The bounds of a file of at most `rows` data rows (at least one).
    pub fn rows(rows: usize) -> Self {
        Self { rows: rows.max(1) }
    }

    /// Data rows one file may hold.
    pub fn max_rows(&self) -> usize {
        self.rows
    }

    /// The largest file read, XLSX or CSV: 4 MiB, or 256 bytes a row when that is more
    /// (a CSV row of name, ID, phone and two groups is about 90 bytes).
    pub fn file_bytes(&self) -> usize {
        (4 << 20).max(self.rows.saturating_mul(256))
    }

    /// How far down a sheet's cells may reach: the data rows and the title and header
    /// rows above them.
    pub fn sheet_rows(&self) -> u32 {
        u32::try_from(self.rows)
            .unwrap_or(u32::MAX)
            .saturating_add(HEADER_SEARCH_ROWS)
    }

    /// What all parts of an XLSX together may unpack to, as declared and as inflated:
    /// 32 MiB, or 1 KiB a row when that is more (Excel writes about 300 bytes a row).
    pub fn unpacked_bytes(&self) -> u64 {
        (32u64 << 20).max((self.rows as u64).saturating_mul(1 << 10))
    }

    /// The most shared strings an XLSX string table may announce (calamine reserves room
    /// for them up front): 500,000, or 8 a row when that is more.
    pub fn shared_strings(&self) -> u64 {
        500_000u64.max((self.rows as u64).saturating_mul(8))
    }

    /// How long reading one file may take: 20 s, or a second per 5,000 rows when that is
    /// more (100,000 rows read in about a second).
    pub fn read_time(&self) -> Duration {
        Duration::from_secs(20u64.max(self.rows as u64 / 5_000))
    }

    /// Whether a cell at (`row`, `column`), both from 0, lies inside the sheet's bounds.
    pub fn within(&self, row: u32, column: u32) -> bool {
        row < self.sheet_rows() && column < MAX_COLUMNS
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::rows(Self::UPLOAD_ROWS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_upload_keeps_the_bounds_of_a_list_and_a_ledger_gets_room_for_its_rows() {
        let upload = Limits::default();
        assert_eq!(
            (
                upload.file_bytes(),
                upload.sheet_rows(),
                upload.unpacked_bytes(),
                upload.shared_strings(),
                upload.read_time().as_secs()
            ),
            (4 << 20, 2_010, 32 << 20, 500_000, 20)
        );
        let ledger = Limits::rows(Limits::LEDGER_ROWS);
        assert_eq!(ledger.sheet_rows(), 200_010);
        assert_eq!(ledger.file_bytes(), 51_200_000);
        assert_eq!(ledger.unpacked_bytes(), 204_800_000);
        assert_eq!(ledger.shared_strings(), 1_600_000);
        assert_eq!(ledger.read_time().as_secs(), 40);
        assert!(ledger.within(200_009, 49) && !ledger.within(200_010, 0));
        assert!(!ledger.within(0, MAX_COLUMNS));
        assert_eq!(Limits::rows(0).max_rows(), 1);
    }
}

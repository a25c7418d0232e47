//! How far an import has come, for whoever watches it: the command line draws a progress
//! bar; a request tells no one ([`Silent`]).

/// The steps of an import, each counted in rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Each row's fields, age and key groups, and the same person twice in the file.
    Checking,
    /// Who is registered already, and who is enrolled in the cohort.
    LookingUp,
    /// People, enrolments and audit entries written.
    Writing,
}

impl Phase {
    /// The phase in Chinese, as the command line shows it.
    pub fn label(self) -> &'static str {
        match self {
            Phase::Checking => "检查",
            Phase::LookingUp => "比对",
            Phase::Writing => "写入",
        }
    }
}

/// Told as an import goes; called from the import's task, so cheap calls only.
pub trait Progress: Sync {
    /// A phase begins, of `rows` rows.
    fn start(&self, phase: Phase, rows: u64);
    /// `rows` more rows of the current phase are done.
    fn advance(&self, rows: u64);
}

/// Progress nobody watches.
pub struct Silent;

impl Progress for Silent {
    fn start(&self, _: Phase, _: u64) {}
    fn advance(&self, _: u64) {}
}

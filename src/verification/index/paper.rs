//! What the paper prints beyond the certificate row, for the verification answer to tell
//! the same: a completion (or apprenticeship) certificate's program, hours and training
//! period; a licence's own name and what it admits to (准入事项). Read from the program and
//! the cohort the certificate rests on, which never change once created (programs and
//! cohort dates have no edit), so they say what the paper said at issue.

use std::collections::HashMap;

use chrono::NaiveDate;
use entities::{cohorts as cohort, enrolments as enrolment, programs as program};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::{
    error::AppError,
    programs::{CertificateKind, CertificateRule},
};

/// The paper's own facts of one certificate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct PaperFacts {
    /// A licence's own name, its title on the paper.
    pub(super) title: Option<String>,
    pub(super) program: Option<String>,
    pub(super) hours: Option<u32>,
    pub(super) period: Option<(NaiveDate, NaiveDate)>,
    pub(super) licensed_activity: Option<String>,
}

/// Programs and training periods of a batch of certificates, read in two queries each.
pub(super) struct Sources {
    programs: HashMap<String, (String, u32, Vec<CertificateRule>)>,
    periods: HashMap<String, (NaiveDate, NaiveDate)>,
}

impl Sources {
    /// Reads the programs and the enrolments' cohort dates the certificates name.
    pub(super) async fn read(
        conn: &impl ConnectionTrait,
        program_ids: &[&str],
        enrolment_ids: &[&str],
    ) -> Result<Self, AppError> {
        let mut programs = HashMap::new();
        for ids in program_ids.chunks(super::FILL_BATCH as usize) {
            let rows: Vec<(String, String, i32, String)> = program::Entity::find()
                .select_only()
                .columns([
                    program::Column::Id,
                    program::Column::Title,
                    program::Column::Hours,
                    program::Column::Certificates,
                ])
                .filter(program::Column::Id.is_in(ids.iter().copied()))
                .into_tuple()
                .all(conn)
                .await?;
            for (id, title, hours, rules) in rows {
                let rules: Vec<CertificateRule> = serde_json::from_str(&rules).map_err(|e| {
                    anyhow::anyhow!("programs {id}: unreadable certificate rules: {e}")
                })?;
                programs.insert(id, (title, hours as u32, rules));
            }
        }
        let mut periods = HashMap::new();
        for ids in enrolment_ids.chunks(super::FILL_BATCH as usize) {
            let rows: Vec<(String, NaiveDate, NaiveDate)> = enrolment::Entity::find()
                .select_only()
                .column(enrolment::Column::Id)
                .column(cohort::Column::StartsOn)
                .column(cohort::Column::EndsOn)
                .inner_join(cohort::Entity)
                .filter(enrolment::Column::Id.is_in(ids.iter().copied()))
                .into_tuple()
                .all(conn)
                .await?;
            periods.extend(rows.into_iter().map(|(id, from, to)| (id, (from, to))));
        }
        Ok(Self { programs, periods })
    }

    /// What the paper of a certificate of `kind` on this program and enrolment prints.
    pub(super) fn facts(
        &self,
        kind: CertificateKind,
        program_id: Option<&str>,
        enrolment_id: Option<&str>,
    ) -> PaperFacts {
        let program = program_id.and_then(|id| self.programs.get(id));
        match kind {
            CertificateKind::Completion | CertificateKind::Apprenticeship => PaperFacts {
                program: program.map(|(title, _, _)| title.clone()),
                hours: program.map(|(_, hours, _)| *hours),
                period: enrolment_id.and_then(|id| self.periods.get(id)).copied(),
                ..PaperFacts::default()
            },
            CertificateKind::Licence => {
                let rule = program.and_then(|(_, _, rules)| rules.iter().find(|r| r.kind == kind));
                PaperFacts {
                    title: rule.and_then(|r| r.licence_title.clone()),
                    // As the paper prints it: the rule's activity, else the program's title.
                    licensed_activity: rule
                        .and_then(|r| r.licensed_activity.as_deref())
                        .map(|a| a.trim().to_owned())
                        .or_else(|| program.map(|(title, _, _)| title.clone())),
                    ..PaperFacts::default()
                }
            }
            CertificateKind::Specialty | CertificateKind::SkillLevel => PaperFacts::default(),
        }
    }
}

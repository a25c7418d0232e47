//! What the paper prints beyond the certificate row, for the verification answer to tell
//! the same: a completion (or apprenticeship) certificate's program, hours and training
//! period; a licence's own name and what it admits to (准入事项); an apprenticeship
//! certificate on an apprentice's agreement its enterprise, target level, plan hours and
//! period. Read from the program and the cohort, or the agreement, the certificate rests
//! on, which never change once created (programs, cohort dates and a filed agreement have
//! no edit), so they say what the paper said at issue; the enterprise's name is its name
//! now.

use std::collections::HashMap;

use chrono::NaiveDate;
use entities::{
    apprentices as apprentice, apprenticeship_agreements as agreement,
    apprenticeship_modules as module, cohorts as cohort, enrolments as enrolment,
    organisations as organisation, programs as program,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::{
    error::AppError,
    programs::{CertificateKind, CertificateRule},
    standards::reference,
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
    /// An apprenticeship: the enterprise the apprentice trained at.
    pub(super) enterprise: Option<String>,
    /// An apprenticeship: the level it trained toward (not attained), as printed.
    pub(super) target_level: Option<String>,
}

/// An apprenticeship's agreement as its certificate prints it.
struct Apprenticeship {
    enterprise: String,
    target_level: String,
    hours: u32,
    period: (NaiveDate, NaiveDate),
}

/// Programs and training periods of a batch of certificates, read in two queries each.
pub(super) struct Sources {
    programs: HashMap<String, (String, u32, Vec<CertificateRule>)>,
    periods: HashMap<String, (NaiveDate, NaiveDate)>,
    apprenticeships: HashMap<String, Apprenticeship>,
}

impl Sources {
    /// Reads the programs and the enrolments' cohort dates the certificates name.
    pub(super) async fn read(
        conn: &impl ConnectionTrait,
        program_ids: &[&str],
        enrolment_ids: &[&str],
        apprentice_ids: &[&str],
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
        Ok(Self {
            programs,
            periods,
            apprenticeships: apprenticeships(conn, apprentice_ids).await?,
        })
    }

    /// What the paper of a certificate of `kind` on this program and enrolment prints.
    pub(super) fn facts(
        &self,
        kind: CertificateKind,
        program_id: Option<&str>,
        enrolment_id: Option<&str>,
        apprentice_id: Option<&str>,
    ) -> PaperFacts {
        let program = program_id.and_then(|id| self.programs.get(id));
        let apprenticeship = apprentice_id.and_then(|id| self.apprenticeships.get(id));
        if let (CertificateKind::Apprenticeship, Some(a)) = (kind, apprenticeship) {
            return PaperFacts {
                hours: Some(a.hours),
                period: Some(a.period),
                enterprise: Some(a.enterprise.clone()),
                target_level: Some(a.target_level.clone()),
                ..PaperFacts::default()
            };
        }
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

/// The agreements of a batch of apprentices, with their enterprises' names, their target
/// levels' labels and their plans' hours, by apprentice id: four queries a batch and the levels once.
async fn apprenticeships(
    conn: &impl ConnectionTrait,
    apprentice_ids: &[&str],
) -> Result<HashMap<String, Apprenticeship>, AppError> {
    let mut out = HashMap::new();
    if apprentice_ids.is_empty() {
        return Ok(out);
    }
    let labels: HashMap<String, String> = reference::skill_levels(conn)
        .await?
        .into_iter()
        .map(|l| (l.code, l.label))
        .collect();
    for ids in apprentice_ids.chunks(super::FILL_BATCH as usize) {
        let apprentices: Vec<(String, String)> = apprentice::Entity::find()
            .select_only()
            .columns([apprentice::Column::Id, apprentice::Column::AgreementId])
            .filter(apprentice::Column::Id.is_in(ids.iter().copied()))
            .into_tuple()
            .all(conn)
            .await?;
        let agreement_ids: Vec<&str> = apprentices.iter().map(|(_, a)| a.as_str()).collect();
        let agreements: HashMap<String, agreement::Model> = agreement::Entity::find()
            .filter(agreement::Column::Id.is_in(agreement_ids.iter().copied()))
            .all(conn)
            .await?
            .into_iter()
            .map(|a| (a.id.clone(), a))
            .collect();
        let mut hours: HashMap<String, u32> = HashMap::new();
        let modules: Vec<(String, i32, i32)> = module::Entity::find()
            .select_only()
            .columns([
                module::Column::AgreementId,
                module::Column::TheoryHours,
                module::Column::PracticeHours,
            ])
            .filter(module::Column::AgreementId.is_in(agreement_ids.iter().copied()))
            .into_tuple()
            .all(conn)
            .await?;
        for (agreement_id, theory, practice) in modules {
            *hours.entry(agreement_id).or_default() += (theory + practice).max(0) as u32;
        }
        let enterprises: HashMap<String, String> = organisation::Entity::find()
            .select_only()
            .columns([organisation::Column::Id, organisation::Column::Name])
            .filter(
                organisation::Column::Id.is_in(agreements.values().map(|a| a.employer_id.as_str())),
            )
            .into_tuple::<(String, String)>()
            .all(conn)
            .await?
            .into_iter()
            .collect();
        for (id, agreement_id) in apprentices {
            let Some(a) = agreements.get(&agreement_id) else {
                continue;
            };
            out.insert(
                id,
                Apprenticeship {
                    enterprise: enterprises.get(&a.employer_id).cloned().unwrap_or_default(),
                    target_level: labels
                        .get(&a.target_level)
                        .cloned()
                        .unwrap_or_else(|| a.target_level.clone()),
                    hours: hours.get(&a.id).copied().unwrap_or(0),
                    period: (a.starts_on, a.ends_on),
                },
            );
        }
    }
    Ok(out)
}

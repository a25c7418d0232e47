//! The certificates resting on an apprentice, for their page: number, kind and status, in
//! the order they were issued. One query.

use entities::certificates as certificate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::{
    certificates::CertificateStatus, error::AppError, programs::CertificateKind, stored::Stored,
};

/// One certificate of an apprentice.
pub struct Listed {
    pub id: String,
    pub number: String,
    pub kind_label: &'static str,
    pub status_label: &'static str,
}

/// The certificates whose grounds are apprentice `apprentice_id`.
pub async fn of_apprentice(
    conn: &impl ConnectionTrait,
    apprentice_id: &str,
) -> Result<Vec<Listed>, AppError> {
    certificate::Entity::find()
        .filter(certificate::Column::ApprenticeId.eq(apprentice_id))
        .order_by_asc(certificate::Column::IssuedAt)
        .all(conn)
        .await?
        .into_iter()
        .map(|c| {
            let kind = CertificateKind::read("certificates", &c.id, &c.kind)?;
            let status = CertificateStatus::read("certificates", &c.id, &c.status)?;
            Ok(Listed {
                kind_label: kind.label(),
                status_label: status.label(),
                id: c.id,
                number: c.number,
            })
        })
        .collect()
}

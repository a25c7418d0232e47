use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261126_000008_create_people::People;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A person's photo, as a skill-level certificate prints it: one JPEG per person, cropped
/// and re-encoded by the registry, sealed at rest like the other personal data (AES-256-GCM,
/// nonce ‖ ciphertext ‖ tag). Replaced when a new one is uploaded; certificates already
/// issued keep the photo they were rendered with.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PersonPhotos::Table)
                    .col(string(PersonPhotos::PersonId).primary_key())
                    .col(blob(PersonPhotos::JpegSealed))
                    .col(string(PersonPhotos::Sha256))
                    .col(integer(PersonPhotos::Width))
                    .col(integer(PersonPhotos::Height))
                    .col(string(PersonPhotos::UploadedBy))
                    .col(timestamp_with_time_zone(PersonPhotos::UploadedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_person_photos_person")
                            .from(PersonPhotos::Table, PersonPhotos::PersonId)
                            .to(People::Table, People::Id),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PersonPhotos::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum PersonPhotos {
    Table,
    PersonId,
    JpegSealed,
    Sha256,
    Width,
    Height,
    UploadedBy,
    UploadedAt,
}

//! A cohort's certificates for printing and handing out: the stored PDFs the provider
//! issued to it (for the ZIP), and the same PDFs merged into one document, page by page
//! as stored — nothing is rendered again.

use std::collections::HashMap;

use entities::{certificate_files as file, certificates as certificate};
use lopdf::{Dictionary, Document, Object, ObjectId, dictionary};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::{access::Caller, error::AppError};

/// The stored PDFs of the certificates the caller's organisation issued to a cohort's
/// enrolments, in enrolment order (a person's in number order): four queries, whatever
/// the cohort's size.
pub async fn cohort_pdfs(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    cohort_id: &str,
) -> Result<Vec<(String, Vec<u8>)>, AppError> {
    let cohort = crate::cohorts::find(conn, caller, cohort_id).await?;
    let Some(issuer) = caller.organisation_id.as_deref() else {
        return Ok(Vec::new());
    };
    let enrolments: Vec<String> = entities::enrolments::Entity::find()
        .filter(entities::enrolments::Column::CohortId.eq(&cohort.id))
        .order_by_asc(entities::enrolments::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|e| e.id)
        .collect();
    let mut rows = certificate::Entity::find()
        .filter(certificate::Column::EnrolmentId.is_in(enrolments.iter().map(String::as_str)))
        .filter(certificate::Column::IssuerOrgId.eq(issuer))
        .order_by_asc(certificate::Column::Number)
        .all(conn)
        .await?;
    let place: HashMap<&str, usize> = enrolments
        .iter()
        .enumerate()
        .map(|(at, id)| (id.as_str(), at))
        .collect();
    rows.sort_by_key(|r| {
        r.enrolment_id
            .as_deref()
            .and_then(|e| place.get(e).copied())
    });
    let mut files: HashMap<String, Vec<u8>> = file::Entity::find()
        .filter(file::Column::CertificateId.is_in(rows.iter().map(|r| r.id.as_str())))
        .all(conn)
        .await?
        .into_iter()
        .map(|f| (f.certificate_id, f.pdf))
        .collect();
    rows.into_iter()
        .map(|row| {
            let pdf = files.remove(&row.id).ok_or_else(|| {
                AppError::Internal(anyhow::anyhow!("certificate {} has no PDF", row.id))
            })?;
            Ok((row.number, pdf))
        })
        .collect()
}

/// Attributes a page may take from the page-tree nodes above it (ISO 32000-1, 7.7.3.4).
const INHERITED: [&[u8]; 4] = [b"Resources", b"MediaBox", b"CropBox", b"Rotate"];

/// The pages of `pdfs`, in order, as one PDF. Each document's objects are renumbered
/// into the merged one and its pages hung under one page tree; what no page refers to
/// (the attached credentials, the documents' own catalogues) is left out.
pub fn merge(pdfs: &[Vec<u8>]) -> anyhow::Result<Vec<u8>> {
    let mut merged = Document::with_version("1.7");
    let pages_id = merged.new_object_id();
    let mut kids: Vec<Object> = Vec::new();
    for pdf in pdfs {
        let mut doc = Document::load_mem(pdf)?;
        doc.renumber_objects_with(merged.max_id + 1);
        let pages: Vec<ObjectId> = doc.get_pages().into_values().collect();
        let mut moved = Vec::with_capacity(pages.len());
        for page_id in &pages {
            let mut page = doc.get_dictionary(*page_id)?.clone();
            for (key, value) in inherited(&doc, &page) {
                page.set(key, value);
            }
            page.set("Parent", pages_id);
            moved.push((*page_id, page));
        }
        merged.max_id = merged.max_id.max(doc.max_id);
        for (id, object) in doc.objects {
            let node = object.type_name().ok();
            if !matches!(node, Some(b"Catalog" | b"Pages")) {
                merged.objects.insert(id, object);
            }
        }
        for (id, page) in moved {
            merged.objects.insert(id, Object::Dictionary(page));
            kids.push(id.into());
        }
    }
    let count = kids.len() as i64;
    merged.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => kids,
            "Count" => count,
        }),
    );
    let catalog = merged.add_object(dictionary! {
        "Type" => "Catalog",
        "Pages" => pages_id,
    });
    merged.trailer.set("Root", catalog);
    merged.prune_objects();
    let mut bytes = Vec::new();
    merged.save_to(&mut bytes)?;
    Ok(bytes)
}

/// What `page` takes from the nodes above it and lacks itself.
fn inherited(doc: &Document, page: &Dictionary) -> Vec<(Vec<u8>, Object)> {
    let mut found: Vec<(Vec<u8>, Object)> = Vec::new();
    let mut parent = page.get(b"Parent").and_then(Object::as_reference).ok();
    // A page tree is shallow; the bound only guards against a loop.
    for _ in 0..32 {
        let Some(node) = parent.and_then(|id| doc.get_dictionary(id).ok()) else {
            break;
        };
        for key in INHERITED {
            let missing = !page.has(key) && !found.iter().any(|(k, _)| k == key);
            if let (true, Ok(value)) = (missing, node.get(key)) {
                found.push((key.to_vec(), value.clone()));
            }
        }
        parent = node.get(b"Parent").and_then(Object::as_reference).ok();
    }
    found
}

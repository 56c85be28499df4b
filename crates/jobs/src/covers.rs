//! Make the page and card thumbnails of a newly stored cover. The upload
//! stores the re-encoded original and queues this job in one transaction,
//! and answers at once; pages show the generated cover until the job has
//! stored the thumbnails.

use crate::{Job, JobContext, JobError};
use quire_domain::{CoverSize, EditionId};
use quire_storage::catalog::{self, NewCoverImage};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct MakeCoverThumbnails {
    pub edition: Uuid,
}

impl Job for MakeCoverThumbnails {
    const KIND: &'static str = "cover_thumbnails";
    /// Covers on the page are what members see first.
    const PRIORITY: i64 = 10;

    /// One waiting job per edition is enough: it shrinks whatever cover is
    /// current when it runs.
    fn dedup_key(&self) -> Option<String> {
        Some(self.edition.to_string())
    }

    async fn run(&self, ctx: &JobContext) -> Result<(), JobError> {
        let edition = EditionId(self.edition);
        let Some(original) = catalog::cover(&ctx.db, edition, CoverSize::Original).await? else {
            // The cover (or the edition) is gone: nothing to shrink.
            quire_storage::jobs::complete(&ctx.db, ctx.claim()).await?;
            return Ok(());
        };
        let version = original.version.clone();
        let thumbs = tokio::task::spawn_blocking(move || {
            quire_covers::thumbnails(&original.data, &quire_covers::Limits::default())
        })
        .await
        .map_err(|e| JobError::Failed(format!("making thumbnails stopped: {e}")))?
        .map_err(|e| {
            JobError::Failed(format!(
                "the stored cover of edition {edition} could not be shrunk: {e}"
            ))
        })?;
        let images: Vec<NewCoverImage> = thumbs
            .iter()
            .map(|t| NewCoverImage {
                size: t.size,
                content_type: quire_covers::CONTENT_TYPE,
                data: &t.data,
                width: t.width,
                height: t.height,
            })
            .collect();
        let stored =
            catalog::set_thumbnails(&ctx.db, edition, &version, &images, Some(ctx.claim())).await?;
        tracing::info!(%edition, stored, "made cover thumbnails");
        Ok(())
    }
}

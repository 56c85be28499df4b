//! The job that imports a library a member uploaded and confirmed
//! (`storage::uploads`): it reads the stored bytes again, writes them
//! with `library::apply`, records its progress as it goes and keeps the
//! per-row report. Killed half-way (a crash, a restart), it runs again
//! from the start when its lease runs out, and `apply`'s stable row ids
//! make the second run finish the first's work without doubling it.

use std::io::Cursor;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use quire_jobs::{Job, JobContext, JobError};
use quire_storage::uploads::{self, UploadState};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::library::{self, Format, Keep};

/// How often the progress is written while an import runs.
const PROGRESS_EVERY: Duration = Duration::from_millis(500);

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ImportUpload {
    pub upload: Uuid,
}

impl Job for ImportUpload {
    const KIND: &'static str = "import_library";
    const MAX_ATTEMPTS: i64 = 3;
    const PRIORITY: i64 = 5;

    fn dedup_key(&self) -> Option<String> {
        Some(self.upload.to_string())
    }

    async fn run(&self, ctx: &JobContext) -> Result<(), JobError> {
        let db = &ctx.db;
        let Some((up, bytes)) = uploads::content(db, self.upload).await? else {
            // Removed since it was queued: nothing to do.
            return Ok(());
        };
        if up.state == UploadState::Done {
            return Ok(());
        }
        let name = up.file_name.clone();
        let format = Format::parse(&up.format);
        let parsed =
            tokio::task::spawn_blocking(move || library::read(Cursor::new(bytes), &name, format))
                .await
                .map_err(|e| JobError::Failed(format!("reading the upload stopped: {e}")))?;
        let parsed = match parsed {
            Ok(p) => p,
            Err(e) => {
                // The same bytes were read for the preview, so this is rare;
                // it is the member's file, not the job, that is wrong.
                uploads::fail(db, self.upload, &e.to_string()).await?;
                return Ok(());
            }
        };
        let total = parsed.entries.len();
        uploads::progress(db, self.upload, 0, i64::try_from(total).unwrap_or(i64::MAX)).await?;

        // `apply` reports progress through a plain callback; a ticker
        // writes the latest figure while it runs.
        let done = Arc::new(AtomicUsize::new(0));
        let ticker = {
            let (db, done, id) = (db.clone(), done.clone(), self.upload);
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(PROGRESS_EVERY).await;
                    let n = done.load(Ordering::Relaxed);
                    let _ = uploads::progress(
                        &db,
                        id,
                        i64::try_from(n).unwrap_or(i64::MAX),
                        i64::try_from(total).unwrap_or(i64::MAX),
                    )
                    .await;
                }
            })
        };
        let keep = if up.all_or_nothing {
            Keep::AllOrNothing
        } else {
            Keep::GoodRows
        };
        let applied = library::apply(db, up.user, &parsed, keep, |p| {
            done.store(p.done, Ordering::Relaxed)
        })
        .await;
        ticker.abort();
        let report = match applied {
            Ok(r) => r,
            Err(library::LibraryError::Storage(e)) => {
                // Tried again later; on the last try the member is told.
                if ctx.attempt() >= Self::MAX_ATTEMPTS {
                    let _ = uploads::fail(
                        db,
                        self.upload,
                        "The import could not be saved; ask the person who runs this Quire to look at its log.",
                    )
                    .await;
                }
                return Err(JobError::Storage(e));
            }
            Err(e) => {
                uploads::fail(db, self.upload, &e.to_string()).await?;
                return Ok(());
            }
        };
        let mut csv = Vec::new();
        report
            .write_csv(&mut csv)
            .map_err(|e| JobError::Failed(format!("writing the import's report: {e}")))?;
        uploads::finish(
            db,
            self.upload,
            &report.summary(),
            &String::from_utf8_lossy(&csv),
        )
        .await?;
        Ok(())
    }
}

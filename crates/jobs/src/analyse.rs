//! Analyse a work's full text (`quire_insight::analyse`) and keep the
//! result, keyed by the text's digest and the algorithm's version: a page
//! asks for the analysis of the text it has, so a replaced text or a new
//! algorithm is simply analysed again, and an old result is never shown.
//!
//! The job records its progress as it goes (the insight page draws a bar
//! from it). The analysis itself runs on a blocking thread, one at a time
//! in each process, so a burst of uploads cannot take every core. A
//! restart finds the job still queued (its lease runs out) and runs it
//! again from the start: the analysis of the longest demo novel takes
//! about half a second, so there is nothing worth resuming half-way.

use crate::{Job, JobContext, JobError};
use quire_domain::WorkId;
use quire_storage::texts::{self, AnalysisStatus, AnalysisUpdate};
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;
use tokio::sync::{Semaphore, watch};
use uuid::Uuid;

#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct AnalyseText {
    pub work: Uuid,
}

/// Analyses running at once in this process.
static IN_FLIGHT: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(1));

/// The algorithm's version as storage keeps it.
pub fn analysis_version() -> i64 {
    i64::from(quire_insight::VERSION)
}

impl Job for AnalyseText {
    const KIND: &'static str = "analyse_text";
    const MAX_ATTEMPTS: i64 = 3;

    /// One waiting analysis per work: it reads whatever text is current.
    fn dedup_key(&self) -> Option<String> {
        Some(self.work.to_string())
    }

    async fn run(&self, ctx: &JobContext) -> Result<(), JobError> {
        analyse_text(&ctx.db, WorkId(self.work), |_| {}).await?;
        Ok(())
    }
}

/// What [`analyse_text`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Analysed {
    /// The work has no text (or no longer exists).
    NoText,
    /// This text was already analysed by this version.
    AlreadyDone,
    /// Analysed now.
    Done,
}

/// Analyse `work`'s current text unless that is done already, recording
/// progress for the page and telling `report` the fraction done (the
/// command line draws its bar from it). The job and `quire import text`
/// both run this.
pub async fn analyse_text(
    db: &quire_storage::Db,
    work: WorkId,
    mut report: impl FnMut(f32) + Send,
) -> Result<Analysed, JobError> {
    let Some(info) = texts::info(db, work).await? else {
        return Ok(Analysed::NoText);
    };
    let sha = info.version.sha256.clone();
    let version = analysis_version();
    if let Some(a) = texts::analysis(db, work, &sha, version).await?
        && a.status == AnalysisStatus::Done
    {
        report(1.0);
        return Ok(Analysed::AlreadyDone);
    }
    let state = |status, progress, error| AnalysisUpdate {
        status,
        progress,
        error,
        result: None,
    };
    texts::set_analysis(
        db,
        work,
        &sha,
        version,
        &state(AnalysisStatus::Queued, 0.0, None),
    )
    .await?;
    let _permit = IN_FLIGHT
        .acquire()
        .await
        .map_err(|_| JobError::Failed("the analysis queue is shutting down".into()))?;
    let Some(text) = texts::load(db, work).await? else {
        return Ok(Analysed::NoText);
    };
    texts::set_analysis(
        db,
        work,
        &sha,
        version,
        &state(AnalysisStatus::Running, 0.0, None),
    )
    .await?;
    let (tx, mut rx) = watch::channel(0.0f32);
    let mut analysis = tokio::task::spawn_blocking(move || {
        let options = quire_insight::Options::default();
        quire_insight::analyse_with_progress(&text, &options, |p| {
            let _ = tx.send(p);
        })
    });
    // Write the progress while the analysis runs, at most every tenth.
    let mut shown = 0.0f32;
    let result = loop {
        tokio::select! {
            done = &mut analysis => break done,
            changed = rx.changed() => {
                if changed.is_err() {
                    continue;
                }
                let p = *rx.borrow_and_update();
                report(p);
                if p - shown >= 0.1 && p < 1.0 {
                    shown = p;
                    texts::set_analysis(
                        db, work, &sha, version,
                        &state(AnalysisStatus::Running, f64::from(p), None),
                    )
                    .await?;
                }
            }
        }
    };
    let result = match result {
        Ok(a) => a,
        Err(e) => {
            let reason = format!("the analysis stopped: {e}");
            texts::set_analysis(
                db,
                work,
                &sha,
                version,
                &state(AnalysisStatus::Failed, f64::from(shown), Some(&reason)),
            )
            .await?;
            return Err(JobError::Failed(reason));
        }
    };
    let json = serde_json::to_value(&result).map_err(|source| JobError::Payload {
        kind: AnalyseText::KIND.into(),
        source,
    })?;
    texts::set_analysis(
        db,
        work,
        &sha,
        version,
        &AnalysisUpdate {
            status: AnalysisStatus::Done,
            progress: 1.0,
            error: None,
            result: Some(&json),
        },
    )
    .await?;
    report(1.0);
    tracing::debug!(%work, sections = result.sections.len(), "analysed a text");
    Ok(Analysed::Done)
}

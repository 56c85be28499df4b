//! Which code runs a job of each kind.

use crate::{Job, JobContext, JobError};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

pub(crate) type JobFuture = Pin<Box<dyn Future<Output = Result<(), JobError>> + Send>>;
type Handler = Arc<dyn Fn(JobContext) -> JobFuture + Send + Sync>;

/// The kinds of job a runner knows, each with the code that reads its
/// payload and runs it.
#[derive(Clone, Default)]
pub struct Registry {
    handlers: HashMap<&'static str, Handler>,
}

impl Registry {
    pub fn new() -> Self {
        Self::default()
    }

    /// Teach the registry a kind of job.
    pub fn register<J: Job>(mut self) -> Self {
        let handler: Handler = Arc::new(|ctx: JobContext| {
            Box::pin(async move {
                let job: J = serde_json::from_str(&ctx.claim().payload).map_err(|source| {
                    JobError::Payload {
                        kind: J::KIND.to_string(),
                        source,
                    }
                })?;
                job.run(&ctx).await
            })
        });
        self.handlers.insert(J::KIND, handler);
        self
    }

    /// The kinds it knows, sorted.
    pub fn kinds(&self) -> Vec<&'static str> {
        let mut kinds: Vec<_> = self.handlers.keys().copied().collect();
        kinds.sort_unstable();
        kinds
    }

    /// The running job for a claim, or `None` for an unknown kind.
    pub(crate) fn start(&self, ctx: JobContext) -> Option<JobFuture> {
        let handler = self.handlers.get(ctx.claim().kind.as_str())?;
        Some(handler(ctx))
    }
}

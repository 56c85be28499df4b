//! Password hashing with a cap on the work in flight.
//!
//! One argon2id run takes about 19 MiB and most of a core for tens of
//! milliseconds. Unbounded, a burst of sign-ins or registrations runs
//! hundreds at once and the process grows by gigabytes. So every hash and
//! every check goes through [`Passwords`]: long-lived threads, one per core,
//! do the work, a semaphore admits about that many jobs at a time,
//! and a request that cannot get a turn within a short wait is told to come
//! back (503 with `Retry-After`) instead of queueing without end.
//!
//! Each worker keeps one argon2 work area and reuses it for every hash.
//! Letting argon2 allocate its 19 MiB per run was measured here to leave
//! the memory of about twenty runs resident for good (the allocator keeps
//! freed blocks of that size), even two at a time; with a work area per
//! worker, memory stays at the workers' count times 19 MiB.

use crate::error::AppError;
use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand::RngCore;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};

/// Checked when an account has no password (or does not exist), so that a
/// wrong username costs the same time as a wrong password.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$4C0Sp3RbQYrQG1Ns6WWbH1ErfU2UrX8K66MwZfGeGgI";

/// How long a busy server asks a client to wait, in seconds.
pub const BUSY_RETRY_SECS: u64 = 2;

/// A stored hash asking for more memory than this (in KiB blocks, here
/// 64 MiB) is not checked: Quire never makes one, and checking it would
/// grow a worker's work area for good.
const MAX_BLOCKS: usize = 64 * 1024;

/// A worker's reusable argon2 work area.
struct Scratch(Vec<Block>);

impl Scratch {
    fn blocks(&mut self, count: usize) -> &mut [Block] {
        if self.0.len() < count {
            self.0.resize(count, Block::default());
        }
        &mut self.0[..count]
    }
}

type Job = Box<dyn FnOnce(&mut Scratch) + Send>;

/// Hash with Quire's parameters (argon2id, v19, argon2's defaults: 19 MiB,
/// two passes, one lane) in the worker's work area; a PHC string.
fn hash_in(scratch: &mut Scratch, password: &[u8]) -> Result<String, String> {
    let params = Params::default();
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password_into_with_memory(
            password,
            &salt,
            &mut out,
            scratch.blocks(params.block_count()),
        )
        .map_err(|e| e.to_string())?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| e.to_string())?,
        salt: Some(Salt::new(&salt).map_err(|e| e.to_string())?),
        hash: Some(Output::new(&out).map_err(|e| e.to_string())?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the PHC string `hash`, with the parameters
/// stored in it, in the worker's work area. Output comparison is constant
/// time (`Output`'s equality).
fn verify_in(scratch: &mut Scratch, password: &[u8], hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm.as_str()) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from) {
        None => Version::default(),
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return false;
    };
    let count = params.block_count();
    if count > MAX_BLOCKS {
        return false;
    }
    let mut out = vec![0u8; expected.len()];
    Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password, salt, &mut out, scratch.blocks(count))
        .is_ok()
        && Output::new(&out).is_ok_and(|o| o == *expected)
}

/// The hashing threads, one per core, shared by everything in the process
/// (one server, or the many a test run starts), so the work areas they keep
/// number the cores and no more.
fn workers() -> &'static mpsc::Sender<Job> {
    static WORKERS: OnceLock<mpsc::Sender<Job>> = OnceLock::new();
    WORKERS.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..cores() {
            let rx = Arc::clone(&rx);
            // A thread that cannot start leaves fewer workers; jobs still
            // run on the others.
            let _ = std::thread::Builder::new()
                .name(format!("quire-hash-{i}"))
                .spawn(move || {
                    let mut scratch = Scratch(Vec::new());
                    loop {
                        // Take the next job, then let go of the lock before
                        // running it.
                        let job = match rx.lock() {
                            Ok(r) => r.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(&mut scratch),
                            Err(_) => return,
                        }
                    }
                });
        }
        tx
    })
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// One server's admission to the hashing threads, and its counters (read
/// by tests and operators).
pub struct Passwords {
    permits: Arc<Semaphore>,
    wait: Duration,
    verified: AtomicU64,
    hashed: AtomicU64,
    turned_away: AtomicU64,
}

impl Passwords {
    /// `slots` hashes at once (at least one); a request waits at most
    /// `wait` for a turn.
    pub fn new(slots: usize, wait: Duration) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(slots.max(1))),
            wait,
            verified: AtomicU64::new(0),
            hashed: AtomicU64::new(0),
            turned_away: AtomicU64::new(0),
        }
    }

    /// As many slots as this machine has cores.
    pub fn for_this_machine(wait: Duration) -> Self {
        Self::new(cores(), wait)
    }

    /// Passwords checked so far (each sign-in or password change that got
    /// past the limits and was given a turn).
    pub fn verified(&self) -> u64 {
        self.verified.load(Ordering::Relaxed)
    }

    /// Passwords hashed so far (new accounts and changed passwords).
    pub fn hashed(&self) -> u64 {
        self.hashed.load(Ordering::Relaxed)
    }

    /// Requests answered "busy" because no turn came in time.
    pub fn turned_away(&self) -> u64 {
        self.turned_away.load(Ordering::Relaxed)
    }

    async fn turn(&self) -> Result<OwnedSemaphorePermit, AppError> {
        match tokio::time::timeout(self.wait, Arc::clone(&self.permits).acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => {
                self.turned_away.fetch_add(1, Ordering::Relaxed);
                Err(AppError::Busy {
                    retry_after: BUSY_RETRY_SECS,
                })
            }
        }
    }

    /// Run `work` on a hashing thread. The permit travels with the job, so
    /// a client that hangs up does not free a slot while its hash still runs.
    async fn run<T: Send + 'static>(
        &self,
        permit: OwnedSemaphorePermit,
        work: impl FnOnce(&mut Scratch) -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |scratch| {
            let out = work(scratch);
            drop(permit);
            let _ = tx.send(out);
        });
        workers().send(job).map_err(|_| {
            AppError::internal(
                "The password could not be checked; try again.",
                "the password workers stopped",
            )
        })?;
        rx.await
            .map_err(|e| AppError::internal("The password could not be checked; try again.", e))
    }

    /// Hash a new password (argon2id, a fresh salt).
    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        let permit = self.turn().await?;
        self.hashed.fetch_add(1, Ordering::Relaxed);
        self.run(permit, move |scratch| hash_in(scratch, password.as_bytes()))
            .await?
            .map_err(|e| AppError::internal("The password could not be stored; try again.", e))
    }

    /// Whether `password` matches `hash`. With no hash (no such account, or
    /// an account that cannot sign in) the same work is done and the answer
    /// is no.
    pub async fn verify(&self, password: String, hash: Option<String>) -> Result<bool, AppError> {
        let permit = self.turn().await?;
        self.verified.fetch_add(1, Ordering::Relaxed);
        let real = hash.is_some();
        let ok = self
            .run(permit, move |scratch| {
                let hash = hash.as_deref().unwrap_or(DUMMY_HASH);
                verify_in(scratch, password.as_bytes(), hash)
            })
            .await?;
        Ok(ok && real)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::PasswordVerifier;

    #[test]
    fn hashes_are_standard_argon2id_strings() {
        let mut scratch = Scratch(Vec::new());
        let hash = hash_in(&mut scratch, b"correct horse battery").unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        // The argon2 crate's own check agrees, both ways.
        let parsed = PasswordHash::new(&hash).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"correct horse battery", &parsed)
                .is_ok()
        );
        assert!(verify_in(&mut scratch, b"correct horse battery", &hash));
        assert!(!verify_in(&mut scratch, b"correct horse batterY", &hash));
        assert!(!verify_in(&mut scratch, b"x", "not a hash"));
        // A hash made by the argon2 crate itself (as part 1 stored them).
        assert!(!verify_in(&mut scratch, b"anything", DUMMY_HASH));
        let old = argon2::PasswordHasher::hash_password(&Argon2::default(), b"part one")
            .unwrap()
            .to_string();
        assert!(verify_in(&mut scratch, b"part one", &old));
        assert_eq!(scratch.0.len(), 19 * 1024, "one work area, reused");
    }
}

//! Running a helper program (espeak-ng) under bounds.
//!
//! The text goes in on standard input, never through a shell or an
//! argument, so nothing in it can be read as an option or a command. The
//! output is read up to a cap, and the child is killed at its deadline.

use std::io::{self, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};
use wait_timeout::ChildExt;

/// How a run ended, other than with its output.
#[derive(Debug)]
pub(crate) enum RunError {
    /// The program could not be started (`NotFound` when it is not installed).
    Spawn(io::Error),
    TimedOut,
    OutputTooLarge,
    /// It exited unsuccessfully; what it said on standard error.
    Exit(String),
    Io(io::Error),
}

/// Runs `program args…` with `input` on standard input until `deadline`,
/// and returns its standard output (at most `max_bytes`).
pub(crate) fn run(
    program: &Path,
    args: &[&str],
    input: &str,
    deadline: Instant,
    max_bytes: usize,
) -> Result<Vec<u8>, RunError> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(RunError::Spawn)?;

    let (Some(mut stdin), Some(stdout), Some(stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(RunError::Io(io::Error::other(
            "the child's pipes were not opened",
        )));
    };

    // Writing and reading happen on their own threads: a child that fills
    // its output pipe before it has read all its input would otherwise
    // wait on us while we wait on it.
    let input = input.to_owned();
    let writer = thread::spawn(move || {
        // A child that exits early closes the pipe; its exit status says why.
        let _ = stdin.write_all(input.as_bytes());
    });
    // One byte past the cap tells "exactly the cap" from "more". Returning
    // at the cap drops the pipe, so a runaway child fails its next write.
    let cap = u64::try_from(max_bytes)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    let reader = thread::spawn(move || {
        let mut out = Vec::new();
        stdout.take(cap).read_to_end(&mut out).map(|_| out)
    });
    let errors = thread::spawn(move || {
        let mut out = Vec::new();
        let _ = stderr.take(4096).read_to_end(&mut out);
        String::from_utf8_lossy(&out).trim().to_owned()
    });

    let left = deadline.saturating_duration_since(Instant::now());
    let status = match child.wait_timeout(left) {
        Ok(Some(status)) => status,
        Ok(None) => {
            let _ = child.kill();
            let _ = child.wait();
            // The pipes are closed now, so the threads end.
            let _ = (writer.join(), reader.join(), errors.join());
            return Err(RunError::TimedOut);
        }
        Err(e) => {
            let _ = child.kill();
            let _ = child.wait();
            return Err(RunError::Io(e));
        }
    };
    let _ = writer.join();
    let out = match reader.join() {
        Ok(Ok(out)) => out,
        Ok(Err(e)) => return Err(RunError::Io(e)),
        Err(_) => return Err(RunError::Io(io::Error::other("the output reader panicked"))),
    };
    let said = errors.join().unwrap_or_default();
    if out.len() > max_bytes {
        return Err(RunError::OutputTooLarge);
    }
    if !status.success() {
        return Err(RunError::Exit(if said.is_empty() {
            status.to_string()
        } else {
            said
        }));
    }
    Ok(out)
}

/// What is left of the time allowed, for a step that needs a budget.
pub(crate) fn remaining(deadline: Instant) -> Duration {
    deadline.saturating_duration_since(Instant::now())
}

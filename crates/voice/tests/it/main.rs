//! quire-voice's integration tests: the real programs and the real model,
//! their WAV read back by an independent parser (hound).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop loudly on a failed step

mod bounds;
mod formant;
mod missing;
mod neural;
mod wav_check;

use quire_voice::{Config, Voices};
use std::sync::OnceLock;

/// The sentence every voice reads.
pub const TRUTH: &str = "It is a truth universally acknowledged.";

/// The voices installed on this machine (CI installs both kinds), found
/// once: finding them asks Python, and the neural model is opened once.
pub fn voices() -> &'static Voices {
    static VOICES: OnceLock<Voices> = OnceLock::new();
    VOICES.get_or_init(|| Voices::discover(&Config::from_env()))
}

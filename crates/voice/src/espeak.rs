//! espeak-ng, run as a separate program: its formant voices, and the IPA
//! phonemes the neural voice is fed.
//!
//! Running the program rather than linking the library keeps its GPL code
//! out of our binary, and lets a hung synthesis be killed.

use crate::process::{self, RunError};
use crate::wav::{self, Audio};
use crate::{INSTALL_ESPEAK, Limits, VoiceError, VoiceInfo, VoiceKind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// One espeak-ng voice as Quire offers it: a language voice with a variant
/// (espeak-ng's `voices/!v`), at its own speed and pitch.
#[derive(Debug)]
pub(crate) struct FormantVoice {
    pub id: &'static str,
    pub name: &'static str,
    pub accent: &'static str,
    /// `-v`: language voice `+` variant.
    pub voice: &'static str,
    /// `-s`: words per minute.
    pub rate: u16,
    /// `-p`: 0–99.
    pub pitch: u8,
}

/// The formant voices, in the order a page lists them.
pub(crate) const VOICES: &[FormantVoice] = &[
    FormantVoice {
        id: "kate",
        name: "Kate",
        accent: "British English",
        voice: "en-gb+f2",
        rate: 160,
        pitch: 55,
    },
    FormantVoice {
        id: "michael",
        name: "Michael",
        accent: "American English",
        voice: "en-us+m3",
        rate: 165,
        pitch: 40,
    },
    FormantVoice {
        id: "ruth",
        name: "Ruth",
        accent: "American English",
        voice: "en-us+f4",
        rate: 170,
        pitch: 62,
    },
    FormantVoice {
        id: "ewan",
        name: "Ewan",
        accent: "Scottish English",
        voice: "en-gb-scotland+m1",
        rate: 150,
        pitch: 45,
    },
];

pub(crate) fn voice(id: &str) -> Option<&'static FormantVoice> {
    VOICES.iter().find(|v| v.id == id)
}

/// The espeak-ng program, and whether it ran when asked its version.
pub(crate) struct Espeak {
    program: PathBuf,
    /// `None` when it runs; otherwise why not.
    missing: Option<String>,
}

impl Espeak {
    pub(crate) fn discover(program: &Path) -> Espeak {
        let deadline = Instant::now() + Duration::from_secs(10);
        let missing = match process::run(program, &["--version"], "", deadline, 4096) {
            Ok(out) if String::from_utf8_lossy(&out).contains("eSpeak NG") => None,
            Ok(_) => Some(format!(
                "{} does not say it is eSpeak NG",
                program.display()
            )),
            Err(e) => Some(describe(program, &e)),
        };
        Espeak {
            program: program.to_owned(),
            missing,
        }
    }

    pub(crate) fn infos(&self) -> impl Iterator<Item = VoiceInfo> + '_ {
        VOICES.iter().map(|v| VoiceInfo {
            id: v.id.to_owned(),
            label: format!("{} — {} (espeak-ng)", v.name, v.accent),
            kind: VoiceKind::Formant,
            available: self.missing.is_none(),
            install: self.missing.as_ref().map(|_| INSTALL_ESPEAK.to_owned()),
        })
    }

    /// Why espeak-ng cannot run, when it cannot.
    pub(crate) fn missing(&self) -> Option<&str> {
        self.missing.as_deref()
    }

    pub(crate) fn synthesise(
        &self,
        v: &FormantVoice,
        text: &str,
        limits: &Limits,
    ) -> Result<Audio, VoiceError> {
        if let Some(why) = &self.missing {
            return Err(missing(v.id, why));
        }
        let deadline = Instant::now() + limits.max_time;
        let (rate, pitch) = (v.rate.to_string(), v.pitch.to_string());
        let args = [
            "--stdout", "-b", "1", "-v", v.voice, "-s", &rate, "-p", &pitch, "--stdin",
        ];
        let out = process::run(&self.program, &args, text, deadline, limits.max_bytes)
            .map_err(|e| run_error(v.id, &self.program, e, limits))?;
        let (rate, pcm) = wav::read_pcm16(&out).map_err(|reason| VoiceError::Failed {
            voice: v.id.to_owned(),
            reason,
        })?;
        Ok(Audio::from_pcm16(rate, pcm))
    }

    /// `text` as IPA phonemes in espeak-ng's `language` voice, one string
    /// per sentence, each clause followed by its punctuation: the input
    /// Piper voices were trained on (Piper's phonemizer asks the espeak-ng
    /// library for the same phonemes and the clause terminators).
    pub(crate) fn phonemize(
        &self,
        voice_id: &str,
        language: &str,
        text: &str,
        deadline: Instant,
        limits: &Limits,
    ) -> Result<Vec<String>, VoiceError> {
        if let Some(why) = &self.missing {
            return Err(missing(voice_id, why));
        }
        let ipa = |text: &str| -> Result<Vec<String>, VoiceError> {
            let args = ["-q", "--ipa", "-b", "1", "-v", language, "--stdin"];
            let out = process::run(&self.program, &args, text, deadline, limits.max_bytes)
                .map_err(|e| run_error(voice_id, &self.program, e, limits))?;
            Ok(String::from_utf8_lossy(&out)
                .lines()
                .map(strip_language_switches)
                .filter(|line| !line.is_empty())
                .collect())
        };
        let text = paragraphs(text);
        let clauses = clauses(&text);
        // espeak-ng prints one line per clause but drops the punctuation
        // that ended it. When its clauses are ours, one run does; when they
        // differ (an abbreviation, a very long clause), each of ours is
        // spoken on its own so every terminator stays with its clause.
        let lines = ipa(&text)?;
        let phonemes: Vec<String> = if lines.len() == clauses.len() {
            lines
        } else {
            let mut each = Vec::with_capacity(clauses.len());
            for clause in &clauses {
                each.push(ipa(&clause.text)?.join(" "));
            }
            each
        };
        let mut sentences = Vec::new();
        let mut sentence = String::new();
        for (phonemes, clause) in phonemes.iter().zip(&clauses) {
            if phonemes.is_empty() {
                continue;
            }
            sentence.push_str(phonemes);
            sentence.push_str(clause.stop.text());
            if clause.stop.ends_sentence() {
                sentences.push(std::mem::take(&mut sentence).trim_end().to_owned());
            }
        }
        if !sentence.trim().is_empty() {
            sentences.push(sentence.trim_end().to_owned());
        }
        Ok(sentences)
    }
}

fn missing(voice: &str, why: &str) -> VoiceError {
    VoiceError::Missing {
        voice: voice.to_owned(),
        install: INSTALL_ESPEAK.to_owned(),
        why: why.to_owned(),
    }
}

fn describe(program: &Path, e: &RunError) -> String {
    match e {
        RunError::Spawn(e) if e.kind() == std::io::ErrorKind::NotFound => {
            format!("the program {} was not found", program.display())
        }
        RunError::Spawn(e) => format!(
            "the program {} could not be started: {e}",
            program.display()
        ),
        RunError::TimedOut => format!("{} did not answer in time", program.display()),
        RunError::OutputTooLarge => format!("{} printed too much", program.display()),
        RunError::Exit(said) => format!("{} failed: {said}", program.display()),
        RunError::Io(e) => format!("reading from {} failed: {e}", program.display()),
    }
}

fn run_error(voice: &str, program: &Path, e: RunError, limits: &Limits) -> VoiceError {
    match e {
        RunError::Spawn(_) => missing(voice, &describe(program, &e)),
        RunError::TimedOut => VoiceError::TimedOut {
            voice: voice.to_owned(),
            limit: limits.max_time,
        },
        RunError::OutputTooLarge => VoiceError::OutputTooLarge {
            voice: voice.to_owned(),
            max_bytes: limits.max_bytes,
        },
        RunError::Exit(_) | RunError::Io(_) => VoiceError::Failed {
            voice: voice.to_owned(),
            reason: describe(program, &e),
        },
    }
}

/// What ended a clause, as espeak-ng tells Piper's phonemizer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stop {
    Period,
    Question,
    Exclamation,
    Comma,
    Colon,
    Semicolon,
    /// The text ended without punctuation.
    None,
}

impl Stop {
    /// The phonemes Piper appends for it.
    fn text(self) -> &'static str {
        match self {
            Stop::Period => ".",
            Stop::Question => "?",
            Stop::Exclamation => "!",
            Stop::Comma => ", ",
            Stop::Colon => ": ",
            Stop::Semicolon => "; ",
            Stop::None => "",
        }
    }

    fn ends_sentence(self) -> bool {
        matches!(self, Stop::Period | Stop::Question | Stop::Exclamation)
    }
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Clause {
    pub text: String,
    pub stop: Stop,
}

/// Splits a text where espeak-ng ends its clauses: at punctuation followed
/// by a space (closing quotes and brackets may come between), and at line
/// breaks (which [`paragraphs`] leaves only between paragraphs). A full stop followed by a small letter is an abbreviation
/// ("e.g. yesterday"), as espeak-ng reads it. Clauses with nothing to say
/// are dropped, since espeak-ng prints no line for them.
pub(crate) fn clauses(text: &str) -> Vec<Clause> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    let push = |from: usize, to: usize, stop: Stop, out: &mut Vec<Clause>| {
        let text: String = chars[from..to].iter().collect();
        if text.chars().any(char::is_alphanumeric) {
            out.push(Clause {
                text: text.trim().to_owned(),
                stop,
            });
        }
    };
    while i < chars.len() {
        let c = chars[i];
        if is_stop(c) {
            let run_start = i;
            while i < chars.len() && is_stop(chars[i]) {
                i += 1;
            }
            let run: String = chars[run_start..i].iter().collect();
            while i < chars.len() && is_closing(chars[i]) {
                i += 1;
            }
            let at_end = i >= chars.len();
            if at_end || chars[i].is_whitespace() {
                let next = chars[i..].iter().find(|c| !c.is_whitespace());
                let abbreviation =
                    run.chars().all(|c| c == '.') && next.is_some_and(|c| c.is_lowercase());
                if !abbreviation {
                    push(start, i, stop_of(&run), &mut out);
                    start = i;
                }
            }
            continue;
        }
        if c == '\n' {
            push(start, i, Stop::Period, &mut out);
            start = i + 1;
        }
        i += 1;
    }
    push(start, chars.len(), Stop::None, &mut out);
    out
}

/// The text with one line per paragraph. espeak-ng's command line ends a
/// clause at every line break, where Piper's phonemizer (the library) sees
/// a space; a blank line ends a paragraph for both.
fn paragraphs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
        } else {
            if !out.is_empty() && !out.ends_with('\n') {
                out.push(' ');
            }
            out.push_str(line);
        }
    }
    out.replace('\t', " ")
}

fn is_stop(c: char) -> bool {
    matches!(c, '.' | ',' | ';' | ':' | '!' | '?' | '…')
}

fn is_closing(c: char) -> bool {
    matches!(c, '"' | '\'' | ')' | ']' | '’' | '”' | '»')
}

fn stop_of(run: &str) -> Stop {
    if run.contains('?') {
        Stop::Question
    } else if run.contains('!') {
        Stop::Exclamation
    } else if run.contains('…') || run.contains("..") {
        // An ellipsis trails off: a pause, not the end of a sentence.
        // (Piper's phonemizer gets no terminator for it from espeak-ng and
        // runs the words on each side together; a comma's pause reads
        // better.)
        Stop::Comma
    } else if run.starts_with('.') {
        Stop::Period
    } else if run.starts_with(',') {
        Stop::Comma
    } else if run.starts_with(':') {
        Stop::Colon
    } else {
        Stop::Semicolon
    }
}

/// Drops espeak-ng's language switches, "(fr)" before a French word and
/// "(en)" after it: they are markers, not sounds.
fn strip_language_switches(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line.trim();
    while let Some(open) = rest.find('(') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find(')') {
            Some(close)
                if close <= 10
                    && after[..close]
                        .chars()
                        .all(|c| c.is_ascii_alphabetic() || c == '-') =>
            {
                rest = &after[close + 1..];
            }
            _ => {
                out.push('(');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stops(text: &str) -> Vec<(String, Stop)> {
        clauses(text)
            .into_iter()
            .map(|c| (c.text, c.stop))
            .collect()
    }

    #[test]
    fn clauses_end_where_espeak_ends_them() {
        assert_eq!(
            stops("Hello, world. How are you?! Fine; thanks"),
            vec![
                ("Hello,".into(), Stop::Comma),
                ("world.".into(), Stop::Period),
                ("How are you?!".into(), Stop::Question),
                ("Fine;".into(), Stop::Semicolon),
                ("thanks".into(), Stop::None),
            ]
        );
        assert_eq!(stops("It cost 3.5 pounds, e.g. yesterday.").len(), 2);
        assert_eq!(stops("\"Go!\" she said.")[0].1, Stop::Exclamation);
        assert_eq!(
            stops(&paragraphs("One\ntwo\n\n\nThree")),
            vec![
                ("One two".into(), Stop::Period),
                ("Three".into(), Stop::None)
            ]
        );
        assert!(stops(" ... ").is_empty());
    }

    #[test]
    fn language_switches_are_dropped() {
        assert_eq!(strip_language_switches("(fr)kafe(en) ɪz"), "kafe ɪz");
        assert_eq!(strip_language_switches("a (b c)"), "a (b c)");
    }

    fn phonemes(text: &str) -> Vec<String> {
        let espeak = Espeak::discover(Path::new("espeak-ng"));
        let deadline = Instant::now() + Duration::from_secs(30);
        espeak
            .phonemize("joe", "en-us", text, deadline, &Limits::default())
            .unwrap()
    }

    #[test]
    fn phonemes_keep_each_clause_punctuation_and_split_sentences() {
        // What Piper's own phonemizer (piper-tts 1.8, espeak-ng as a
        // library) gives for these texts, checked once by hand.
        assert_eq!(
            phonemes("Hello, world. How are you? I am fine; thanks!  Second line here."),
            vec![
                "həlˈoʊ, wˈɜːld.",
                "hˈaʊ ɑːɹ juː?",
                "aɪɐm fˈaɪn; θˈæŋks!",
                "sˈɛkənd lˈaɪn hˈɪɹ."
            ]
        );
        assert_eq!(phonemes("He said: yes."), vec!["hiː sˈɛd: jˈɛs."]);
        // An abbreviation before a capital ends espeak-ng's clause, and ours.
        let text = "“My dear Mr. Bennet,” said his lady, “have you heard that Netherfield Park is let at last?”";
        let sentences = phonemes(text);
        assert_eq!(sentences.len(), 2, "{sentences:?}");
        assert_eq!(sentences[0], "maɪ dˈɪɹ mˈɪstɚ.");
        assert!(sentences[1].ends_with("lˈæst?"), "{sentences:?}");
        assert_eq!(sentences[1].matches(", ").count(), 2, "{sentences:?}");
        assert_eq!(
            phonemes("I like fruit, e.g. Apples."),
            vec!["aɪ lˈaɪk fɹˈuːt, ˌiːdʒˈiː.", "ˈæpəlz."]
        );
        // espeak-ng cuts a very long clause where we do not: each of ours is
        // then read on its own, and the punctuation stays where it was.
        let long = format!("{}, and then? Nothing.", ["and the cat sat"; 100].join(" "));
        let sentences = phonemes(&long);
        assert_eq!(sentences.len(), 2, "{sentences:?}");
        assert!(sentences[0].ends_with("sˈæt, ænd ðˈɛn?"), "{sentences:?}");
        assert_eq!(sentences[0].matches(", ").count(), 1);
        assert_eq!(sentences[1], "nˈʌθɪŋ.");
        // A line break inside a paragraph is a space; a blank line ends one.
        assert_eq!(
            phonemes("It was\ncold.\n\nChapter 1\n\nIt"),
            vec!["ɪt wʌz kˈoʊld.", "tʃˈæptɚ wˈʌn.", "ˈɪt"]
        );
    }
}

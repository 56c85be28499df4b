//! Every synthesis is bounded: text length, control characters, time, size.

use crate::{TRUTH, voices};
use quire_voice::{Config, Limits, VoiceError, Voices};
use std::time::Duration;

#[test]
fn an_over_long_text_is_refused_before_any_voice_runs() {
    let text = "a".repeat(20_001);
    for voice in ["kate", "joe"] {
        match voices().synthesise(voice, &text) {
            Err(VoiceError::TextTooLong {
                chars: 20_001,
                max: 20_000,
            }) => {}
            other => panic!("{voice}: expected TextTooLong, got {other:?}"),
        }
    }
    // At the limit, the check lets it through (to the time limit, here).
    assert!(!matches!(
        voices().synthesise("kate", &"a ".repeat(10_000)),
        Err(VoiceError::TextTooLong { .. })
    ));
}

#[test]
fn control_characters_are_refused() {
    for (text, position, code) in [
        ("Hello\u{7} world", 5, 7),
        ("\u{1b}[31mred", 0, 0x1b),
        ("nul\0", 3, 0),
    ] {
        match voices().synthesise("michael", text) {
            Err(VoiceError::ControlCharacter {
                position: p,
                code: c,
            }) => assert_eq!((p, c), (position, code), "{text:?}"),
            other => panic!("{text:?}: expected ControlCharacter, got {other:?}"),
        }
    }
    // Line breaks and tabs are text.
    assert!(
        voices()
            .synthesise("michael", "It is a truth,\n\tuniversally acknowledged.")
            .is_ok()
    );
    assert!(matches!(
        voices().synthesise("michael", " \n "),
        Err(VoiceError::EmptyText)
    ));
}

fn tight(max_time: Duration, max_bytes: usize) -> Voices {
    let mut config = Config::from_env();
    config.limits = Limits {
        max_time,
        max_bytes,
        ..Limits::default()
    };
    Voices::discover(&config)
}

fn long_text() -> String {
    "It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife. "
        .repeat(150)
}

#[test]
fn a_synthesis_past_its_time_is_stopped() {
    let voices = tight(Duration::from_millis(100), Limits::default().max_bytes);
    for voice in ["ewan", "joe"] {
        match voices.synthesise(voice, &long_text()) {
            Err(VoiceError::TimedOut { voice: v, limit }) => {
                assert_eq!((v.as_str(), limit), (voice, Duration::from_millis(100)));
            }
            other => panic!("{voice}: expected TimedOut, got {other:?}"),
        }
    }
    // The same voices still speak a short text in time afterwards.
    let voices = tight(Duration::from_secs(120), Limits::default().max_bytes);
    assert!(voices.synthesise("ewan", TRUTH).is_ok());
}

#[test]
fn the_child_is_killed_at_its_deadline() {
    // espeak-ng under a name of its own, so that only this test's child
    // can match when the processes are listed.
    let dir = tempfile::tempdir().unwrap();
    let program = dir.path().join("espeak-ng-killed-at-deadline");
    let real = which("espeak-ng");
    std::os::unix::fs::symlink(real, &program).unwrap();
    let mut config = Config::from_env();
    config.espeak = program.clone();
    config.limits = Limits {
        max_time: Duration::from_millis(100),
        ..Limits::default()
    };
    let voices = Voices::discover(&config);
    assert!(matches!(
        voices.synthesise("ruth", &long_text()),
        Err(VoiceError::TimedOut { .. })
    ));
    let running = running_with(&program.to_string_lossy());
    assert!(
        running.is_empty(),
        "espeak-ng still running past its deadline: {running:?}"
    );
}

fn which(program: &str) -> std::path::PathBuf {
    std::env::split_paths(&std::env::var_os("PATH").unwrap())
        .map(|dir| dir.join(program))
        .find(|path| path.is_file())
        .unwrap_or_else(|| panic!("{program} is not on PATH"))
}

/// The processes (zombies too) whose command line mentions `needle`.
fn running_with(needle: &str) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|entry| entry.file_name().to_string_lossy().parse::<u32>().ok())
        .filter(|pid| {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            String::from_utf8_lossy(&cmdline).contains(needle) || stat.contains("(espeak-ng-kille")
        })
        .collect()
}

#[test]
fn audio_past_its_size_cap_is_refused() {
    let voices = tight(Duration::from_secs(120), 50_000);
    for voice in ["kate", "joe"] {
        match voices.synthesise(voice, TRUTH) {
            Err(VoiceError::OutputTooLarge {
                voice: v,
                max_bytes: 50_000,
            }) => assert_eq!(v, voice),
            other => panic!("{voice}: expected OutputTooLarge, got {other:?}"),
        }
    }
}

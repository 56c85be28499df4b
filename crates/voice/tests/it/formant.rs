//! espeak-ng's voices, run as the real program.

use crate::wav_check::{assert_speech, hear};
use crate::{TRUTH, voices};
use quire_voice::VoiceKind;

#[test]
fn there_are_at_least_four_formant_voices_and_they_are_installed() {
    let formant: Vec<_> = voices()
        .list()
        .into_iter()
        .filter(|v| v.kind == VoiceKind::Formant)
        .collect();
    assert!(formant.len() >= 4, "{formant:?}");
    for v in &formant {
        assert!(v.available, "{} is not available: {:?}", v.id, v.install);
        assert_eq!(v.install, None);
        assert!(v.label.ends_with("(espeak-ng)"), "{}", v.label);
    }
    assert!(
        formant
            .iter()
            .any(|v| v.label == "Kate — British English (espeak-ng)")
    );
}

#[test]
fn each_formant_voice_reads_the_sentence_aloud() {
    for v in voices()
        .list()
        .into_iter()
        .filter(|v| v.kind == VoiceKind::Formant)
    {
        let audio = voices().synthesise(&v.id, TRUTH).unwrap();
        let heard = hear(&audio);
        assert_eq!(heard.sample_rate, 22_050, "{}", v.id);
        assert_speech(&v.id, &heard);
    }
}

#[test]
fn the_voices_sound_different() {
    let heard: Vec<_> = voices()
        .list()
        .into_iter()
        .filter(|v| v.available)
        .map(|v| {
            (
                v.id.clone(),
                hear(&voices().synthesise(&v.id, TRUTH).unwrap()),
            )
        })
        .collect();
    assert!(
        heard.len() >= 5,
        "the four formant voices and the neural one"
    );
    for (i, (a, ha)) in heard.iter().enumerate() {
        for (b, hb) in &heard[i + 1..] {
            assert_ne!(ha.samples, hb.samples, "{a} and {b} gave the same audio");
            // Not just a changed sample here and there: speed or pitch differ.
            let (la, lb) = (ha.samples.len() as f64, hb.samples.len() as f64);
            let rel = (la - lb).abs() / la.max(lb);
            let pitch_a = crossings(&ha.samples) / ha.seconds;
            let pitch_b = crossings(&hb.samples) / hb.seconds;
            assert!(
                rel > 0.02 || (pitch_a - pitch_b).abs() / pitch_a.max(pitch_b) > 0.02,
                "{a} and {b} have the same length ({la}, {lb}) and zero-crossing rate ({pitch_a:.0}/s, {pitch_b:.0}/s)"
            );
        }
    }
}

/// Zero crossings, a rough measure of how high a voice sounds.
fn crossings(samples: &[i16]) -> f64 {
    samples
        .windows(2)
        .filter(|w| (w[0] < 0) != (w[1] < 0))
        .count() as f64
}

#[test]
fn text_that_looks_like_options_or_markup_is_only_read() {
    // On stdin, never as arguments: an option-like text is just words.
    let audio = voices()
        .synthesise(
            "kate",
            "--help -w /tmp/pwned.wav <speak>hi</speak> $(reboot)",
        )
        .unwrap();
    assert_speech("kate", &hear(&audio));
    assert!(!std::path::Path::new("/tmp/pwned.wav").exists());
}

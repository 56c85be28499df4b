//! The Piper voice, through the real espeak-ng and ONNX Runtime.

use crate::wav_check::{assert_speech, hear};
use crate::{TRUTH, voices};
use quire_voice::VoiceKind;

#[test]
fn the_neural_voice_is_installed() {
    let list = voices().list();
    let joe = list
        .iter()
        .find(|v| v.kind == VoiceKind::Neural)
        .expect("a neural voice is listed");
    assert_eq!(joe.id, "joe");
    assert!(joe.available, "not available: {:?}", joe.install);
}

#[test]
fn the_neural_voice_reads_the_sentence_aloud() {
    let audio = voices().synthesise("joe", TRUTH).unwrap();
    let heard = hear(&audio);
    // The rate the model's .onnx.json declares.
    assert_eq!(heard.sample_rate, 22_050);
    assert_speech("joe", &heard);
}

#[test]
fn the_neural_voice_takes_longer_over_a_longer_text() {
    // Each sentence is spoken, not only the first.
    let one = hear(&voices().synthesise("joe", "Call me Ishmael.").unwrap());
    let three =
        hear(&voices().synthesise("joe", "Call me Ishmael. Some years ago, never mind how long precisely, I went to sea. It was cold!").unwrap());
    assert!(
        three.seconds > one.seconds * 2.5,
        "{} s vs {} s",
        three.seconds,
        one.seconds
    );
}

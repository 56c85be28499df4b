//! What a listener would check of a WAV: it opens, says what it is, lasts
//! a sentence's time, and is not silence.

use quire_voice::Audio;
use std::io::Cursor;

pub struct Heard {
    pub sample_rate: u32,
    pub seconds: f64,
    pub rms: f64,
    pub samples: Vec<i16>,
}

/// Reads the WAV with hound and checks it is mono PCM16 and agrees with
/// what `Audio` says of it.
pub fn hear(audio: &Audio) -> Heard {
    assert_eq!(&audio.wav[..4], b"RIFF");
    assert_eq!(&audio.wav[8..12], b"WAVE");
    let mut reader = hound::WavReader::new(Cursor::new(&audio.wav)).expect("a WAV hound can read");
    let spec = reader.spec();
    assert_eq!(spec.channels, 1, "mono");
    assert_eq!(spec.bits_per_sample, 16, "16-bit");
    assert_eq!(spec.sample_format, hound::SampleFormat::Int);
    assert_eq!(
        spec.sample_rate, audio.sample_rate,
        "the header's rate is the one declared"
    );
    let samples: Vec<i16> = reader
        .samples::<i16>()
        .collect::<Result<_, _>>()
        .expect("every sample reads");
    let seconds = samples.len() as f64 / f64::from(spec.sample_rate);
    assert!(
        (seconds - audio.duration.as_secs_f64()).abs() < 0.01,
        "duration {seconds} s vs {:?}",
        audio.duration
    );
    let rms = (samples.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>()
        / samples.len().max(1) as f64)
        .sqrt();
    Heard {
        sample_rate: spec.sample_rate,
        seconds,
        rms,
        samples,
    }
}

/// A spoken sentence: 1 to 10 seconds, and louder than a whisper (an RMS
/// of 300 is about −40 dBFS; silence is 0, speech in these voices is
/// thousands).
pub fn assert_speech(voice: &str, heard: &Heard) {
    assert!(
        (1.0..=10.0).contains(&heard.seconds),
        "{voice}: {} s of audio",
        heard.seconds
    );
    assert!(
        heard.rms > 300.0,
        "{voice}: RMS {} is near silence",
        heard.rms
    );
}

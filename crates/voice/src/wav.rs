//! WAV in and out: mono 16-bit PCM, the one format every browser plays.
//!
//! espeak-ng writes its WAV to a pipe before it knows the length, so its
//! header carries placeholder sizes; we take the samples after the `data`
//! tag and write a fresh header with the true ones.

use std::time::Duration;

/// Speech as a WAV file.
#[derive(Clone, Debug)]
pub struct Audio {
    /// A complete WAV file: RIFF, mono, 16-bit PCM.
    pub wav: Vec<u8>,
    pub sample_rate: u32,
    pub duration: Duration,
}

impl Audio {
    /// Wraps mono PCM16 samples (little-endian bytes) in a WAV header.
    pub(crate) fn from_pcm16(sample_rate: u32, pcm: &[u8]) -> Audio {
        let data_len = u32::try_from(pcm.len()).unwrap_or(u32::MAX - 36) & !1;
        let mut wav = Vec::with_capacity(44 + pcm.len());
        wav.extend_from_slice(b"RIFF");
        wav.extend_from_slice(&(36 + data_len).to_le_bytes());
        wav.extend_from_slice(b"WAVEfmt ");
        wav.extend_from_slice(&16u32.to_le_bytes()); // fmt chunk size
        wav.extend_from_slice(&1u16.to_le_bytes()); // PCM
        wav.extend_from_slice(&1u16.to_le_bytes()); // mono
        wav.extend_from_slice(&sample_rate.to_le_bytes());
        wav.extend_from_slice(&(sample_rate * 2).to_le_bytes()); // bytes per second
        wav.extend_from_slice(&2u16.to_le_bytes()); // bytes per frame
        wav.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
        wav.extend_from_slice(b"data");
        wav.extend_from_slice(&data_len.to_le_bytes());
        wav.extend_from_slice(&pcm[..data_len as usize]);
        let samples = u64::from(data_len / 2);
        let duration = Duration::from_secs_f64(samples as f64 / f64::from(sample_rate.max(1)));
        Audio {
            wav,
            sample_rate,
            duration,
        }
    }

    /// Converts float samples (about −1..1) to PCM16, clipping what is louder.
    pub(crate) fn from_f32(sample_rate: u32, samples: &[f32]) -> Audio {
        let mut pcm = Vec::with_capacity(samples.len() * 2);
        for &s in samples {
            let v = (s.clamp(-1.0, 1.0) * 32767.0).round() as i16;
            pcm.extend_from_slice(&v.to_le_bytes());
        }
        Audio::from_pcm16(sample_rate, &pcm)
    }
}

/// The sample rate and PCM bytes of a mono 16-bit WAV whose sizes may be
/// placeholders. `Err` says what was wrong.
pub(crate) fn read_pcm16(bytes: &[u8]) -> Result<(u32, &[u8]), String> {
    if bytes.len() < 12 || &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return Err(format!(
            "the output is not a WAV file ({} bytes, no RIFF/WAVE header)",
            bytes.len()
        ));
    }
    let mut at = 12;
    let mut format = None;
    while at + 8 <= bytes.len() {
        let tag = &bytes[at..at + 4];
        let size = u32::from_le_bytes([bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]])
            as usize;
        let body = at + 8;
        if tag == b"fmt " {
            let fmt = bytes
                .get(body..body + 16)
                .ok_or("the WAV's fmt chunk is cut short")?;
            let tag = u16::from_le_bytes([fmt[0], fmt[1]]);
            let channels = u16::from_le_bytes([fmt[2], fmt[3]]);
            let rate = u32::from_le_bytes([fmt[4], fmt[5], fmt[6], fmt[7]]);
            let bits = u16::from_le_bytes([fmt[14], fmt[15]]);
            if (tag, channels, bits) != (1, 1, 16) || rate == 0 {
                return Err(format!(
                    "the WAV is format {tag}, {channels} channel(s), {bits} bits at {rate} Hz; mono 16-bit PCM was expected"
                ));
            }
            format = Some(rate);
        } else if tag == b"data" {
            let rate = format.ok_or("the WAV has data before its fmt chunk")?;
            // A streamed header's size runs past the end: take what is there.
            let end = body.saturating_add(size).min(bytes.len());
            return Ok((rate, &bytes[body..end]));
        }
        at = body.saturating_add(size).saturating_add(size & 1);
    }
    Err("the WAV has no data chunk".to_owned())
}

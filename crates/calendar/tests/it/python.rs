//! Runs `check_ics.py` on a document and returns what it read. The Python
//! `icalendar` package must be installed (`pip install icalendar`); without
//! it these tests fail rather than pass having checked nothing.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

const SCRIPT: &str = include_str!("check_ics.py");

/// What the Python side read from `ics`.
pub fn read_back(ics: &str) -> Value {
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(SCRIPT)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("could not run python3 ({e}): install Python 3 and `pip install icalendar`")
        });
    child
        .stdin
        .take()
        .unwrap()
        .write_all(ics.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.code() == Some(3) {
        panic!(
            "the Python package `icalendar` is missing ({}): run `pip install icalendar`",
            stderr.trim()
        );
    }
    assert!(
        out.status.success(),
        "Python's icalendar could not read the calendar:\n{stderr}\n--- document ---\n{ics}"
    );
    let read: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        read["errors"],
        Value::Array(vec![]),
        "icalendar reported errors"
    );
    assert_eq!(
        read["long_lines"],
        Value::Array(vec![]),
        "lines longer than 75 octets"
    );
    assert_eq!(read["bare_lf"], 0, "line feeds without a carriage return");
    read
}

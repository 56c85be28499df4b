//! Checks of made documents with the tools a reader's machine has:
//! poppler's `pdftotext` and `pdftoppm` for PDFs, `epubcheck` for EPUBs
//! (`.ci/run` installs them). Shared by the pack's own tests and the web
//! tests that download packs from the server.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A scratch directory for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("quire-pack-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("make a scratch directory");
    dir
}

pub fn run(cmd: &mut Command) -> std::process::Output {
    cmd.output().unwrap_or_else(|e| {
        panic!(
            "could not run {:?} ({e}); install poppler-utils and epubcheck (.ci/run does)",
            cmd.get_program()
        )
    })
}

/// The PDF's text layer, whitespace collapsed and ligatures undone, so a
/// sentence can be searched for whatever the line breaks.
pub fn pdf_text(pdf: &Path) -> String {
    let out = run(Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(pdf)
        .arg("-"));
    assert!(
        out.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    flat(&String::from_utf8_lossy(&out.stdout))
}

pub fn flat(s: &str) -> String {
    s.replace('\u{FB01}', "fi")
        .replace('\u{FB02}', "fl")
        .replace('\u{FB00}', "ff")
        .replace('\u{FB03}', "ffi")
        .replace('\u{FB04}', "ffl")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Page 1 as a PNG at 50 dpi; true when some pixel is not white.
pub fn first_page_inked(pdf: &Path, dir: &Path) -> bool {
    let stem = dir.join("page");
    let out = run(Command::new("pdftoppm")
        .args(["-png", "-r", "50", "-f", "1", "-l", "1", "-singlefile"])
        .arg(pdf)
        .arg(&stem));
    assert!(
        out.status.success(),
        "pdftoppm failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let png = std::fs::read(stem.with_extension("png")).expect("pdftoppm wrote the page");
    png_has_ink(&png)
}

/// Decodes the PNG and counts dark pixels: a page with a title on it has
/// some, a blank or failed render has none.
pub fn png_has_ink(png: &[u8]) -> bool {
    let img = image::load_from_memory_with_format(png, image::ImageFormat::Png)
        .expect("pdftoppm wrote a PNG")
        .to_luma8();
    let dark = img.pixels().filter(|p| p.0[0] < 128).count();
    dark > 20
}

/// epubcheck's verdict: exit code and its report.
pub fn epubcheck(epub: &Path) -> (bool, String) {
    // Debian installs epubcheck as a bare jar (run through binfmt, which
    // a container may lack): start it with java directly.
    let jar =
        std::env::var_os("EPUBCHECK_JAR").unwrap_or_else(|| "/usr/share/java/epubcheck.jar".into());
    let out = run(Command::new("java").arg("-jar").arg(jar).arg(epub));
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success() && !report.contains("ERROR"), report)
}

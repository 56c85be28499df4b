//! Cover images, made safe to keep and serve.
//!
//! An upload is never stored as sent. [`prepare`] bounds it in bytes, tells
//! its format from its first bytes (never from a name or a declared type),
//! reads its dimensions from the header and refuses a picture too big
//! before any pixel is decoded, decodes it under an allocation limit so a
//! header that lies cannot make the decoder allocate more, and re-encodes
//! it as a JPEG. Re-encoding drops whatever the file carried besides its
//! pixels: EXIF (with GPS positions), comments, colour profiles, and any
//! script or markup smuggled after the image data. [`thumbnails`] makes the
//! two smaller sizes that cards and the book page show.
//!
//! The work here is CPU-heavy and synchronous; callers run it off the async
//! executor and cap how many run at once.

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, RgbImage};
use std::io::Cursor;

/// How much an upload may be, and how much work decoding it may take.
#[derive(Clone, Debug)]
pub struct Limits {
    /// The largest file accepted, in bytes.
    pub max_bytes: usize,
    /// The longest side, in pixels.
    pub max_side: u32,
    /// The most pixels in all (width × height).
    pub max_pixels: u64,
    /// The most memory the decoder may allocate, in bytes.
    pub max_alloc: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: 10 * 1024 * 1024,
            max_side: 6_000,
            max_pixels: 30_000_000,
            // 30 megapixels of RGBA is 120 MB; a little room for the
            // decoder's own buffers, and no more.
            max_alloc: 160 * 1024 * 1024,
        }
    }
}

/// The formats Quire accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    Webp,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Jpeg => "JPEG",
            Format::Png => "PNG",
            Format::Webp => "WebP",
        }
    }

    fn image_format(self) -> ImageFormat {
        match self {
            Format::Jpeg => ImageFormat::Jpeg,
            Format::Png => ImageFormat::Png,
            Format::Webp => ImageFormat::WebP,
        }
    }
}

pub use quire_domain::CoverSize as Size;

/// The content type of every stored cover: they are all re-encoded as JPEG.
pub const CONTENT_TYPE: &str = "image/jpeg";

/// JPEG quality for stored covers: no visible loss at cover sizes, about a
/// tenth of the size of a lossless copy.
pub const QUALITY: u8 = 85;

/// One encoded image, ready to store.
#[derive(Clone, Debug)]
pub struct Encoded {
    pub size: Size,
    /// JPEG bytes.
    pub data: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// An upload made safe: the re-encoded original, and the thumbnails when
/// they were asked for.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// The format the upload was in.
    pub source: Format,
    pub original: Encoded,
}

/// Why an upload was refused. Every message says what was wrong and what to
/// do instead; none of them echoes the file's contents.
#[derive(Debug, thiserror::Error)]
pub enum CoverError {
    #[error("The file is empty. Choose a JPEG, PNG or WebP photo of the cover.")]
    Empty,
    #[error(
        "The file is {} and covers can be at most {}. Save a smaller JPEG of the cover and upload that.",
        megabytes(*size),
        megabytes(*max)
    )]
    TooLarge { size: usize, max: usize },
    /// A file of a kind Quire does not take, named as people know it
    /// ("an SVG drawing", "a web page (HTML)").
    #[error("This file is {0}; upload a JPEG, PNG or WebP photo of the cover.")]
    Unsupported(&'static str),
    #[error(
        "The image is {width} × {height} pixels; covers can be at most {max_side} pixels on a side and {} megapixels in all. Scale it down and upload it again.",
        max_pixels / 1_000_000
    )]
    TooManyPixels {
        width: u32,
        height: u32,
        max_side: u32,
        max_pixels: u64,
    },
    #[error(
        "The {} file is damaged or cut short, so it cannot be read ({reason}). Save or export it again and upload the new file.",
        format.name()
    )]
    Corrupt { format: Format, reason: String },
    #[error(
        "The image would need more memory to open than a cover may use. Save a smaller JPEG of the cover and upload that."
    )]
    TooMuchMemory,
    /// Encoding our own pixels failed: a fault here, not in the upload.
    #[error("The cover could not be saved: {0}")]
    Encode(String),
}

impl CoverError {
    /// A stable snake_case code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            CoverError::Empty => "empty_file",
            CoverError::TooLarge { .. } => "too_large",
            CoverError::Unsupported(_) => "unsupported_format",
            CoverError::TooManyPixels { .. } => "too_many_pixels",
            CoverError::Corrupt { .. } => "corrupt_image",
            CoverError::TooMuchMemory => "too_many_pixels",
            CoverError::Encode(_) => "internal_error",
        }
    }

    /// Whether the upload was at fault (anything but [`CoverError::Encode`]).
    pub fn is_input(&self) -> bool {
        !matches!(self, CoverError::Encode(_))
    }
}

fn megabytes(bytes: usize) -> String {
    let mb = bytes as f64 / (1024.0 * 1024.0);
    if mb >= 10.0 || mb.fract() < 0.05 {
        format!("{mb:.0} MB")
    } else {
        format!("{mb:.1} MB")
    }
}

/// What the first bytes of a file say it is: one of the accepted formats,
/// or the name of what it is instead.
pub fn sniff(bytes: &[u8]) -> Result<Format, CoverError> {
    if bytes.is_empty() {
        return Err(CoverError::Empty);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(Format::Jpeg);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(Format::Png);
    }
    if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Ok(Format::Webp);
    }
    Err(CoverError::Unsupported(name_other(bytes)))
}

/// Names a file Quire refuses, so the message can say what it is.
fn name_other(bytes: &[u8]) -> &'static str {
    let starts = |m: &[u8]| bytes.starts_with(m);
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return "a GIF animation or image";
    }
    if starts(b"%PDF") {
        return "a PDF document";
    }
    if starts(b"BM") && bytes.len() > 14 {
        return "a BMP bitmap";
    }
    if starts(b"II*\0") || starts(b"MM\0*") {
        return "a TIFF image";
    }
    if starts(b"PK\x03\x04") {
        return "a zip archive (an EPUB, a Word document or similar)";
    }
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        return match &bytes[8..12] {
            b"avif" | b"avis" => "an AVIF image",
            b"heic" | b"heix" | b"mif1" | b"msf1" | b"hevc" => {
                "a HEIC photo (as iPhones save them)"
            }
            _ => "a video or other media file",
        };
    }
    if starts(&[0, 0, 1, 0]) {
        return "an icon file";
    }
    // Text: look past a byte-order mark and white space, at the start only.
    let head = &bytes[..bytes.len().min(1024)];
    let text = String::from_utf8_lossy(head).to_lowercase();
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.contains("<svg") {
        return "an SVG drawing";
    }
    if text.starts_with("<!doctype html")
        || [
            "<html", "<head", "<body", "<script", "<meta", "<div", "<p>", "<iframe",
        ]
        .iter()
        .any(|t| text.contains(t))
    {
        return "a web page (HTML)";
    }
    if text.starts_with("<?xml") || text.starts_with('<') {
        return "an XML document";
    }
    if text.starts_with('{') || text.starts_with('[') {
        return "a JSON document";
    }
    if head
        .iter()
        .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace())
    {
        return "a text file";
    }
    "not an image Quire can read"
}

fn reader(bytes: &[u8], format: Format) -> ImageReader<Cursor<&[u8]>> {
    ImageReader::with_format(Cursor::new(bytes), format.image_format())
}

fn decode_error(format: Format, e: ImageError) -> CoverError {
    match e {
        ImageError::Limits(_) => CoverError::TooMuchMemory,
        ImageError::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            CoverError::Corrupt {
                format,
                reason: "the file ends before the image does".into(),
            }
        }
        other => CoverError::Corrupt {
            format,
            reason: short_reason(&other.to_string()),
        },
    }
}

/// A decoder's message, cut to one short clause for people to read.
fn short_reason(s: &str) -> String {
    let s = s.lines().next().unwrap_or("").trim();
    let s: String = s.chars().take(120).collect();
    if s.is_empty() {
        "the image data is not valid".into()
    } else {
        let lower = s.to_lowercase();
        if lower.contains("eof")
            || lower.contains("end of file")
            || lower.contains("unexpected end")
        {
            "the file ends before the image does".into()
        } else {
            s
        }
    }
}

/// Check an upload and decode it: size, format, declared dimensions, then
/// pixels under the allocation limit. The image comes back upright (EXIF
/// orientation applied) and flattened onto white if it had transparency.
pub fn decode(bytes: &[u8], limits: &Limits) -> Result<(Format, RgbImage), CoverError> {
    if bytes.len() > limits.max_bytes {
        return Err(CoverError::TooLarge {
            size: bytes.len(),
            max: limits.max_bytes,
        });
    }
    let format = sniff(bytes)?;
    let too_many = |w: u32, h: u32| {
        w > limits.max_side
            || h > limits.max_side
            || u64::from(w) * u64::from(h) > limits.max_pixels
    };
    let refuse = |width: u32, height: u32| CoverError::TooManyPixels {
        width,
        height,
        max_side: limits.max_side,
        max_pixels: limits.max_pixels,
    };
    // A PNG states its size in the first chunk: read it there, so a file
    // that is nothing but a huge header is refused for its size, not for
    // the missing pixel data.
    if let Some((w, h)) = png_declared_size(bytes)
        && too_many(w, h)
    {
        return Err(refuse(w, h));
    }
    if format == Format::Jpeg && !jpeg_is_complete(bytes) {
        return Err(CoverError::Corrupt {
            format,
            reason: "the file ends before the image does".into(),
        });
    }

    // The header alone first: no pixel buffer exists yet.
    let mut header_limits = image::Limits::default();
    header_limits.max_alloc = Some(limits.max_alloc);
    let mut probe = reader(bytes, format);
    probe.limits(header_limits);
    let (width, height) = probe
        .into_dimensions()
        .map_err(|e| decode_error(format, e))?;
    if width == 0 || height == 0 {
        return Err(CoverError::Corrupt {
            format,
            reason: "it declares an image with no pixels".into(),
        });
    }
    if too_many(width, height) {
        return Err(refuse(width, height));
    }

    // Then the pixels, with the same bounds given to the decoder itself: a
    // file whose frames disagree with its header is stopped there too.
    let mut strict = image::Limits::default();
    strict.max_image_width = Some(limits.max_side);
    strict.max_image_height = Some(limits.max_side);
    strict.max_alloc = Some(limits.max_alloc);
    let mut r = reader(bytes, format);
    r.limits(strict);
    let mut decoder = r.into_decoder().map_err(|e| decode_error(format, e))?;
    if decoder.total_bytes() > limits.max_alloc {
        return Err(CoverError::TooMuchMemory);
    }
    let orientation = decoder.orientation().ok();
    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| decode_error(format, e))?;
    if let Some(o) = orientation {
        img.apply_orientation(o);
    }
    Ok((format, flatten(img)))
}

/// The width and height in a PNG's header chunk, which the format requires
/// to come first.
fn png_declared_size(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.len() < 24 || &bytes[12..16] != b"IHDR" {
        return None;
    }
    let be = |r: std::ops::Range<usize>| {
        bytes
            .get(r)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(u32::from_be_bytes)
    };
    Some((be(16..20)?, be(20..24)?))
}

/// Whether a JPEG has its end-of-image marker after the start of its scan.
/// The decoder fills a cut-short scan with grey rather than failing, so a
/// half-uploaded photo would otherwise be stored with its bottom missing.
/// Inside the compressed scan a 0xFF byte is always followed by 0x00 or a
/// restart marker, so 0xFF 0xD9 after the scan starts is the real end.
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let Some(scan) = bytes.windows(2).position(|w| w == [0xFF, 0xDA]) else {
        return false;
    };
    bytes[scan..].windows(2).any(|w| w == [0xFF, 0xD9])
}

/// RGB pixels; transparent parts shown over white, as on a page.
fn flatten(img: DynamicImage) -> RgbImage {
    if !img.color().has_alpha() {
        return img.into_rgb8();
    }
    let rgba = img.into_rgba8();
    let (w, h) = rgba.dimensions();
    RgbImage::from_fn(w, h, |x, y| {
        let p = rgba.get_pixel(x, y).0;
        let a = u32::from(p[3]);
        let mix = |c: u8| ((u32::from(c) * a + 255 * (255 - a) + 127) / 255) as u8;
        image::Rgb([mix(p[0]), mix(p[1]), mix(p[2])])
    })
}

fn encode(img: &RgbImage, size: Size) -> Result<Encoded, CoverError> {
    let mut data = Vec::new();
    JpegEncoder::new_with_quality(&mut data, QUALITY)
        .encode_image(img)
        .map_err(|e| CoverError::Encode(e.to_string()))?;
    Ok(Encoded {
        size,
        data,
        width: img.width(),
        height: img.height(),
    })
}

/// Check, decode and re-encode an upload. Only the re-encoded original
/// comes back; [`thumbnails`] makes the smaller sizes from it.
pub fn prepare(bytes: &[u8], limits: &Limits) -> Result<Prepared, CoverError> {
    let (source, img) = decode(bytes, limits)?;
    Ok(Prepared {
        source,
        original: encode(&img, Size::Original)?,
    })
}

/// Check, decode and re-encode an upload and make its thumbnails in one
/// pass: the original first, then the page and card sizes.
pub fn prepare_all(bytes: &[u8], limits: &Limits) -> Result<(Prepared, Vec<Encoded>), CoverError> {
    let (source, img) = decode(bytes, limits)?;
    let original = encode(&img, Size::Original)?;
    let thumbs = thumbnails_of(&img)?;
    Ok((Prepared { source, original }, thumbs))
}

/// The page and card sizes of a stored original (a JPEG this crate made).
/// It is decoded under the same limits as an upload.
pub fn thumbnails(original: &[u8], limits: &Limits) -> Result<Vec<Encoded>, CoverError> {
    let (_, img) = decode(original, limits)?;
    thumbnails_of(&img)
}

fn thumbnails_of(img: &RgbImage) -> Result<Vec<Encoded>, CoverError> {
    let mut out = Vec::with_capacity(2);
    // The card is made from the page size: far less work than from a large
    // original, and no visible difference at 240 pixels.
    let mut source = DynamicImage::ImageRgb8(img.clone());
    for size in [Size::Page, Size::Card] {
        let Some(target) = size.width() else {
            continue;
        };
        let scaled = scale_to_width(&source, target);
        out.push(encode(&scaled, size)?);
        source = DynamicImage::ImageRgb8(scaled);
    }
    Ok(out)
}

/// Scale to `width`, keeping the aspect; never enlarge.
fn scale_to_width(img: &DynamicImage, width: u32) -> RgbImage {
    if img.width() <= width {
        return img.to_rgb8();
    }
    let height = ((u64::from(img.height()) * u64::from(width) + u64::from(img.width()) / 2)
        / u64::from(img.width()))
    .max(1) as u32;
    img.resize_exact(width, height, FilterType::CatmullRom)
        .into_rgb8()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use image::codecs::png::PngEncoder;
    use image::{ImageEncoder, Rgba, RgbaImage};

    fn picture(w: u32, h: u32) -> RgbImage {
        RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        })
    }

    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        encode(&picture(w, h), Size::Original).unwrap().data
    }

    fn png(img: &RgbaImage) -> Vec<u8> {
        let mut out = Vec::new();
        PngEncoder::new(&mut out)
            .write_image(
                img.as_raw(),
                img.width(),
                img.height(),
                image::ExtendedColorType::Rgba8,
            )
            .unwrap();
        out
    }

    /// A PNG signature and header chunk declaring any size, with a correct
    /// CRC, and no pixel data: what a decompression bomb starts with.
    fn png_header(width: u32, height: u32) -> Vec<u8> {
        let mut ihdr = b"IHDR".to_vec();
        ihdr.extend(width.to_be_bytes());
        ihdr.extend(height.to_be_bytes());
        ihdr.extend([8, 6, 0, 0, 0]); // 8-bit RGBA, no interlace
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        out.extend(13u32.to_be_bytes());
        out.extend(&ihdr);
        out.extend(crc32(&ihdr).to_be_bytes());
        out
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn a_jpeg_is_reencoded_with_thumbnails_that_keep_its_aspect() {
        let (p, thumbs) = prepare_all(&jpeg(1000, 1500), &Limits::default()).unwrap();
        assert_eq!(p.source, Format::Jpeg);
        assert_eq!((p.original.width, p.original.height), (1000, 1500));
        assert!(p.original.data.starts_with(&[0xFF, 0xD8, 0xFF]));
        let sizes: Vec<_> = thumbs.iter().map(|t| (t.size, t.width, t.height)).collect();
        assert_eq!(sizes, [(Size::Page, 480, 720), (Size::Card, 240, 360)]);
        for t in &thumbs {
            let back = image::load_from_memory(&t.data).unwrap();
            assert_eq!((back.width(), back.height()), (t.width, t.height));
        }
    }

    #[test]
    fn a_small_image_is_not_enlarged() {
        let thumbs = thumbnails(&jpeg(200, 300), &Limits::default()).unwrap();
        assert!(thumbs.iter().all(|t| (t.width, t.height) == (200, 300)));
    }

    #[test]
    fn a_transparent_png_is_flattened_onto_white_and_becomes_a_jpeg() {
        let img = RgbaImage::from_pixel(60, 90, Rgba([0, 0, 0, 0]));
        let p = prepare(&png(&img), &Limits::default()).unwrap();
        assert_eq!(p.source, Format::Png);
        let back = image::load_from_memory(&p.original.data)
            .unwrap()
            .into_rgb8();
        assert!(back.get_pixel(30, 45).0.iter().all(|&c| c > 245));
    }

    #[test]
    fn a_webp_is_accepted() {
        let img = RgbaImage::from_pixel(40, 60, Rgba([200, 10, 10, 255]));
        let mut out = Vec::new();
        image::codecs::webp::WebPEncoder::new_lossless(&mut out)
            .write_image(img.as_raw(), 40, 60, image::ExtendedColorType::Rgba8)
            .unwrap();
        let p = prepare(&out, &Limits::default()).unwrap();
        assert_eq!((p.source, p.original.width), (Format::Webp, 40));
    }

    #[test]
    fn metadata_after_the_image_is_not_kept() {
        // Bytes after the end-of-image marker (where a polyglot file hides a
        // script, or a camera its notes) do not survive re-encoding.
        let mut file = jpeg(50, 50);
        file.extend_from_slice(b"<script>alert(1)</script> GPS 51.5N 0.1W");
        let p = prepare(&file, &Limits::default()).unwrap();
        let text = String::from_utf8_lossy(&p.original.data);
        assert!(!text.contains("script") && !text.contains("GPS"));
    }

    #[test]
    fn a_png_declaring_fifty_thousand_pixels_a_side_is_refused_from_its_header() {
        let err = prepare(&png_header(50_000, 50_000), &Limits::default()).unwrap_err();
        assert!(matches!(
            err,
            CoverError::TooManyPixels {
                width: 50_000,
                height: 50_000,
                ..
            }
        ));
        assert_eq!(err.code(), "too_many_pixels");
        assert!(err.to_string().contains("50000 × 50000 pixels"), "{err}");
    }

    #[test]
    fn too_many_pixels_in_all_is_refused_even_within_the_side_limit() {
        let err = prepare(&png_header(6_000, 5_500), &Limits::default()).unwrap_err();
        assert!(matches!(err, CoverError::TooManyPixels { .. }), "{err}");
    }

    #[test]
    fn a_header_without_its_pixels_is_corrupt_not_a_crash() {
        let err = prepare(&png_header(100, 100), &Limits::default()).unwrap_err();
        assert!(
            matches!(
                err,
                CoverError::Corrupt {
                    format: Format::Png,
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn a_truncated_jpeg_is_refused_as_damaged() {
        let full = jpeg(400, 600);
        let err = prepare(&full[..full.len() / 3], &Limits::default()).unwrap_err();
        assert!(
            matches!(
                err,
                CoverError::Corrupt {
                    format: Format::Jpeg,
                    ..
                }
            ),
            "{err}"
        );
        assert!(
            err.to_string()
                .starts_with("The JPEG file is damaged or cut short")
        );
    }

    #[test]
    fn the_size_is_checked_before_anything_else() {
        let limits = Limits {
            max_bytes: 1000,
            ..Limits::default()
        };
        let err = prepare(&vec![b'<'; 2000], &limits).unwrap_err();
        assert!(matches!(
            err,
            CoverError::TooLarge {
                size: 2000,
                max: 1000
            }
        ));
        let err = prepare(&vec![0; 30 * 1024 * 1024], &Limits::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "The file is 30 MB and covers can be at most 10 MB. Save a smaller JPEG of the cover and upload that."
        );
    }

    #[test]
    fn other_kinds_of_file_are_refused_by_name() {
        let cases: [(&[u8], &str); 8] = [
            (
                b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"><script>x</script></svg>",
                "an SVG drawing",
            ),
            (b"  <svg onload=alert(1)>", "an SVG drawing"),
            (b"<!DOCTYPE html><html><body>hi</body></html>", "a web page (HTML)"),
            (b"\xEF\xBB\xBF<html><script>alert(1)</script>", "a web page (HTML)"),
            (b"GIF89a\x01\x00\x01\x00", "a GIF animation or image"),
            (b"%PDF-1.7\n", "a PDF document"),
            (b"\0\0\0\x18ftypheic\0\0\0\0", "a HEIC photo (as iPhones save them)"),
            (b"hello, world\n", "a text file"),
        ];
        for (bytes, name) in cases {
            let err = prepare(bytes, &Limits::default()).unwrap_err();
            assert_eq!(err.code(), "unsupported_format");
            assert_eq!(
                err.to_string(),
                format!("This file is {name}; upload a JPEG, PNG or WebP photo of the cover.")
            );
        }
        assert!(matches!(
            prepare(b"", &Limits::default()),
            Err(CoverError::Empty)
        ));
    }
}

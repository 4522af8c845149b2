//! Checking and preparing uploaded photos. An upload is trusted only after it decodes as an
//! image within the limits; the copy readers get is re-encoded, which drops every piece of
//! metadata (a source's GPS position must never leak).

use image::{DynamicImage, ImageFormat, ImageReader, Limits};
use std::io::Cursor;

/// Decoding refuses images with more pixels than this (a decompression bomb is a small file
/// that claims enormous dimensions).
pub const MAX_PIXELS: u64 = 100_000_000;
const MAX_SIDE: u32 = 20_000;
const MAX_DECODE_BYTES: u64 = 1 << 30;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PhotoError {
    #[error("The photo is larger than {0} MiB.")]
    TooLarge(u64),
    #[error("The file is not a JPEG, PNG, WebP or GIF image.")]
    NotAnImage,
    #[error("The image is {width}×{height} pixels; at most {max} megapixels are accepted.", max = MAX_PIXELS / 1_000_000)]
    TooManyPixels { width: u32, height: u32 },
    #[error("The image could not be read; the file may be truncated or damaged.")]
    Corrupt,
}

/// A checked upload: its original bytes for the archive and a clean copy for readers.
pub struct PreparedPhoto {
    pub original: Vec<u8>,
    pub original_type: &'static str,
    pub display: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

pub fn prepare(bytes: Vec<u8>) -> Result<PreparedPhoto, PhotoError> {
    let reader = ImageReader::new(Cursor::new(&bytes))
        .with_guessed_format()
        .map_err(|_| PhotoError::NotAnImage)?;
    let format = reader.format().ok_or(PhotoError::NotAnImage)?;
    let original_type = match format {
        ImageFormat::Jpeg => "image/jpeg",
        ImageFormat::Png => "image/png",
        ImageFormat::WebP => "image/webp",
        ImageFormat::Gif => "image/gif",
        _ => return Err(PhotoError::NotAnImage),
    };
    let (width, height) = reader.into_dimensions().map_err(|_| PhotoError::Corrupt)?;
    if u64::from(width) * u64::from(height) > MAX_PIXELS || width > MAX_SIDE || height > MAX_SIDE {
        return Err(PhotoError::TooManyPixels { width, height });
    }
    let mut reader = ImageReader::with_format(Cursor::new(&bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let image = reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => PhotoError::TooManyPixels { width, height },
        _ => PhotoError::Corrupt,
    })?;
    let display = encode_jpeg(&image)?;
    Ok(PreparedPhoto {
        original: bytes,
        original_type,
        display,
        width,
        height,
    })
}

fn encode_jpeg(image: &DynamicImage) -> Result<Vec<u8>, PhotoError> {
    let rgb = image.to_rgb8();
    let mut out = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85);
    rgb.write_with_encoder(encoder)
        .map_err(|_| PhotoError::Corrupt)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = DynamicImage::new_rgb8(width, height);
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn a_png_is_accepted_and_re_encoded_as_jpeg() {
        let photo = prepare(png(40, 30)).unwrap();
        assert_eq!(
            (photo.width, photo.height, photo.original_type),
            (40, 30, "image/png")
        );
        assert_eq!(&photo.display[..3], &[0xFF, 0xD8, 0xFF]);
    }

    #[test]
    fn text_named_like_a_photo_is_refused() {
        assert!(prepare(b"GIF89a? not really".to_vec()).is_err());
        assert_eq!(
            prepare(b"hello, I am text".to_vec()).err(),
            Some(PhotoError::NotAnImage)
        );
    }

    #[test]
    fn a_truncated_image_is_refused() {
        let bytes = png(64, 64);
        assert!(prepare(bytes[..bytes.len() / 2].to_vec()).is_err());
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for byte in data {
            crc ^= u32::from(*byte);
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
    fn a_decompression_bomb_is_refused_before_decoding() {
        // A valid PNG header claiming 50,000 × 50,000 pixels.
        let mut bytes = png(1, 1);
        bytes[16..20].copy_from_slice(&50_000u32.to_be_bytes());
        bytes[20..24].copy_from_slice(&50_000u32.to_be_bytes());
        let crc = crc32(&bytes[12..29]);
        bytes[29..33].copy_from_slice(&crc.to_be_bytes());
        assert!(matches!(
            prepare(bytes),
            Err(PhotoError::TooManyPixels { .. })
        ));
    }
}

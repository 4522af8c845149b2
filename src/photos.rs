//! Checking and preparing uploaded photos. An upload is trusted only after it decodes as an
//! image within the limits. Readers only ever get re-encoded renditions: re-encoding applies the
//! EXIF orientation and drops every piece of metadata (a source's GPS position must never leak).
//! The original bytes are kept untouched for the archive.

use crate::domain::{self, Aspect, Crop, FocalPoint, Photo, PhotoId, UserId};
use crate::storage::{Store, StoreError};
use image::imageops::FilterType;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, RgbImage};
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::io::Cursor;
use time::OffsetDateTime;

/// Decoding refuses images with more pixels than this (a decompression bomb is a small file
/// that claims enormous dimensions). 64 megapixels covers every current camera.
pub const MAX_PIXELS: u64 = 64_000_000;
const MAX_SIDE: u32 = 20_000;
/// What the decoded picture may take: width × height × the bytes per pixel of the colour type
/// it decodes to, so a 64-megapixel 8-bit colour photo fits, and a 16-bit RGBA picture of as
/// many pixels (512 MB) does not. The decoder's own allocations are held to it too. Working
/// copies (converting to 8-bit colour, turning upright) at most double it per upload.
pub const MAX_DECODED_BYTES: u64 = MAX_PIXELS * 3;
/// The PNG chunks the decoder is given; every other chunk is dropped before decoding. A colour
/// profile (iCCP) or compressed text (zTXt, iTXt) is a zlib stream that can inflate to
/// gigabytes, and none of them changes the pixels readers get; the original is archived as sent.
const PNG_CHUNKS_DECODED: [&[u8; 4]; 5] = [b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"];
/// EXIF (eXIf) is kept for the orientation it carries; it is not compressed, so a cap on its
/// size bounds it.
const MAX_PNG_EXIF: usize = 64 << 10;

/// The widths readers' renditions are made at. An image narrower than the widest gets one at
/// its own width instead; nothing is ever upscaled.
pub const RENDITION_WIDTHS: [u32; 3] = [480, 960, 1600];
/// How wide crops are made; an image too small for that gets the largest crop it allows.
pub const CROP_WIDTH: u32 = 1200;
const JPEG_QUALITY: u8 = 82;
/// Uploads decoded at once; the machine's cores are shared with serving pages.
pub const CONCURRENT_JOBS: usize = 2;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PhotoError {
    #[error("The photo is larger than the {} limit.", human_size(*.0))]
    TooLarge(usize),
    #[error("The file is not a JPEG, PNG, WebP or GIF image.")]
    NotAnImage,
    #[error("The image is {width}×{height} pixels; at most {max} megapixels are accepted.", max = MAX_PIXELS / 1_000_000)]
    TooManyPixels { width: u32, height: u32 },
    #[error(
        "The image is {width}×{height} pixels at {bits} bits per pixel, too much to convert; save it as an 8-bit JPEG or PNG and upload that."
    )]
    TooDeep { width: u32, height: u32, bits: u64 },
    #[error("The image could not be read; the file may be truncated or damaged.")]
    Corrupt,
    #[error("The image could not be converted for the web.")]
    Encode,
}

/// One re-encoded JPEG made for readers.
pub struct Rendition {
    pub width: u32,
    pub height: u32,
    pub jpeg: Vec<u8>,
}

/// A checked upload: its original bytes for the archive and clean renditions for readers.
pub struct PreparedPhoto {
    pub original: Vec<u8>,
    pub original_type: &'static str,
    /// SHA-256 of the original bytes: the same file uploaded twice is stored once.
    pub hash: [u8; 32],
    /// Upright dimensions, after the EXIF orientation is applied.
    pub width: u32,
    pub height: u32,
    /// Narrowest first.
    pub renditions: Vec<Rendition>,
    /// One per [`Aspect`], cut around the centre.
    pub crops: Vec<CropJpeg>,
}

/// One crop re-encoded for readers.
pub struct CropJpeg {
    pub crop: Crop,
    pub jpeg: Vec<u8>,
}

/// `20 MiB`, `512 KiB`.
fn human_size(bytes: usize) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1 << 20 {
        format!("{:.1} MiB", bytes as f64 / f64::from(1 << 20))
    } else {
        format!("{} KiB", bytes.div_ceil(1024))
    }
}

pub fn content_hash(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

pub fn prepare(bytes: Vec<u8>) -> Result<PreparedPhoto, PhotoError> {
    let format = sniff(&bytes)?;
    let image = decode_checked(&bytes, format)?;
    let renditions = renditions(&image)?;
    let crops = crops(&image, FocalPoint::CENTRE)?;
    Ok(PreparedPhoto {
        crops,
        hash: content_hash(&bytes),
        original_type: mime(format),
        width: image.width(),
        height: image.height(),
        original: bytes,
        renditions,
    })
}

/// Decodes an upload that `sniff` took as `format`, upright, with every limit applied.
fn decode_checked(bytes: &[u8], format: ImageFormat) -> Result<DynamicImage, PhotoError> {
    let decodable = match format {
        ImageFormat::Png => Cow::Owned(png_pixels_only(bytes)?),
        _ => Cow::Borrowed(bytes),
    };
    decode_upright(&decodable, format)
}

/// The crops of a stored original cut around `focal`: decoded again from the original, with the
/// same checks as an upload, so a crop is as sharp as one made at upload time.
pub fn recut(original: &[u8], focal: FocalPoint) -> Result<Vec<CropJpeg>, PhotoError> {
    let image = decode_checked(original, sniff(original)?)?;
    crops(&image, focal)
}

/// The format from the file's first bytes (never its name or declared type).
fn sniff(bytes: &[u8]) -> Result<ImageFormat, PhotoError> {
    let format = image::guess_format(bytes).map_err(|_| PhotoError::NotAnImage)?;
    if !matches!(
        format,
        ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP | ImageFormat::Gif
    ) {
        return Err(PhotoError::NotAnImage);
    }
    if format == ImageFormat::Jpeg && !jpeg_is_complete(bytes) {
        return Err(PhotoError::Corrupt);
    }
    Ok(format)
}

/// A copy of a PNG with only the chunks in `PNG_CHUNKS_DECODED` (and a small eXIf), in their
/// order. A chunk running past the end of the file means the file was cut short.
fn png_pixels_only(bytes: &[u8]) -> Result<Vec<u8>, PhotoError> {
    const SIGNATURE: usize = 8;
    let mut kept = Vec::with_capacity(bytes.len());
    kept.extend_from_slice(bytes.get(..SIGNATURE).ok_or(PhotoError::Corrupt)?);
    let mut at = SIGNATURE;
    while at < bytes.len() {
        let header = bytes.get(at..at + 8).ok_or(PhotoError::Corrupt)?;
        let length = u32::from_be_bytes([header[0], header[1], header[2], header[3]]);
        let kind = &header[4..8];
        // Length, type, data and CRC.
        let end = usize::try_from(length)
            .ok()
            .and_then(|length| at.checked_add(12)?.checked_add(length))
            .filter(|end| *end <= bytes.len())
            .ok_or(PhotoError::Corrupt)?;
        let small_exif = kind == b"eXIf" && (length as usize) <= MAX_PNG_EXIF;
        if small_exif || PNG_CHUNKS_DECODED.iter().any(|k| &k[..] == kind) {
            kept.extend_from_slice(&bytes[at..end]);
        }
        at = end;
        if kind == b"IEND" {
            break;
        }
    }
    Ok(kept)
}

/// Whether a JPEG holds all of its image data. The decoder quietly fills a cut-off image with
/// grey, so a truncated upload has to be caught here, two ways. The end marker must follow the
/// first scan (looked for after the scan starts, not anywhere: an EXIF thumbnail carries an end
/// marker of its own). And the scans must be long enough for the size the header claims:
/// Huffman coding spends at least one bit on the first DC value of every 8×8 block, so W×H
/// pixels need at least ⌈W/8⌉·⌈H/8⌉ bits; a 693-byte file claiming 8000×8000 has a 180th of it.
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let mut blocks: u64 = 0;
    let mut at = 2;
    while at + 4 <= bytes.len() {
        if bytes[at] != 0xFF {
            return false;
        }
        let marker = bytes[at + 1];
        if marker == 0xFF {
            at += 1; // fill byte
            continue;
        }
        if marker == 0xDA {
            // Inside entropy-coded data 0xFF is escaped, so 0xFF 0xD9 can only be the end.
            let scans = &bytes[at..];
            let ends = scans.windows(2).any(|w| w == [0xFF, 0xD9]);
            return ends && scans.len() as u64 * 8 >= blocks;
        }
        // A start-of-frame segment (C0–CF but for DHT C4, JPG C8 and DAC CC): height, width.
        if matches!(marker, 0xC0..=0xCF)
            && !matches!(marker, 0xC4 | 0xC8 | 0xCC)
            && let Some(frame) = bytes.get(at + 5..at + 9)
        {
            let height = u64::from(u16::from_be_bytes([frame[0], frame[1]]));
            let width = u64::from(u16::from_be_bytes([frame[2], frame[3]]));
            blocks = width.div_ceil(8) * height.div_ceil(8);
        }
        let length = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
        at += 2 + length;
    }
    false
}

fn mime(format: ImageFormat) -> &'static str {
    match format {
        ImageFormat::Png => "image/png",
        ImageFormat::WebP => "image/webp",
        ImageFormat::Gif => "image/gif",
        _ => "image/jpeg",
    }
}

/// Decodes the whole image (the first frame of an animation) as 8-bit colour, checking the
/// size its header claims first, in pixels and in decoded bytes, so that a bomb is refused
/// before any pixel memory is allocated.
fn decode_upright(bytes: &[u8], format: ImageFormat) -> Result<DynamicImage, PhotoError> {
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    // Reading the header allocates nothing in proportion to the claimed size; the PNG decoder
    // takes its own allocation budget from these limits, here and only here.
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits.clone());
    let mut decoder = reader.into_decoder().map_err(|_| PhotoError::Corrupt)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PIXELS || width > MAX_SIDE || height > MAX_SIDE {
        return Err(PhotoError::TooManyPixels { width, height });
    }
    let bits = u64::from(decoder.color_type().bits_per_pixel());
    let too_deep = PhotoError::TooDeep {
        width,
        height,
        bits,
    };
    if decoder.total_bytes() > MAX_DECODED_BYTES {
        return Err(too_deep);
    }
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    decoder
        .set_limits(limits)
        .map_err(|_| PhotoError::TooManyPixels { width, height })?;
    // Damaged EXIF must not lose an otherwise good photo: it is then shown as stored.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let image = DynamicImage::from_decoder(decoder).map_err(|e| match e {
        image::ImageError::Limits(_) => too_deep,
        _ => PhotoError::Corrupt,
    })?;
    // Down to 8-bit colour before turning upright, so the copy a rotation makes is the small one.
    let mut image = DynamicImage::ImageRgb8(on_white(image));
    image.apply_orientation(orientation);
    Ok(image)
}

/// 8-bit colour for JPEG, which has no transparency: see-through parts of a PNG, WebP or GIF are
/// shown on white, as the page behind them would be, rather than on whatever colour the
/// transparent pixels hold. Consumes the image so that no more than one copy is alive at once.
fn on_white(image: DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.into_rgb8();
    }
    let (width, height) = (image.width(), image.height());
    let mut pixels = image.into_rgba8().into_raw();
    // Blended in place, four bytes into three: each write lands at or before the bytes read.
    let count = pixels.len() / 4;
    for i in 0..count {
        let [r, g, b, a] = [
            pixels[4 * i],
            pixels[4 * i + 1],
            pixels[4 * i + 2],
            pixels[4 * i + 3],
        ];
        let blend = |c: u8| {
            let c = u32::from(c) * u32::from(a) + 255 * (255 - u32::from(a));
            u8::try_from((c + 127) / 255).unwrap_or(u8::MAX)
        };
        pixels[3 * i] = blend(r);
        pixels[3 * i + 1] = blend(g);
        pixels[3 * i + 2] = blend(b);
    }
    pixels.truncate(3 * count);
    RgbImage::from_raw(width, height, pixels).unwrap_or_else(|| RgbImage::new(width, height))
}

/// Who added a photo, and the words stored with it as every story's defaults (empty when not
/// given).
pub struct PhotoDetails {
    pub uploaded_by: Option<UserId>,
    pub uploaded_at: OffsetDateTime,
    pub caption: String,
    pub credit: String,
    pub alt: String,
}

/// Stores an upload once, however often it is sent: gives back the photo already stored under
/// the same bytes, or checks, prepares and stores the upload as a new photo with `details`.
/// The outer error is the store's; the inner one says why the upload cannot be used.
pub fn store_upload(
    store: &dyn Store,
    bytes: Vec<u8>,
    details: PhotoDetails,
) -> Result<Result<Photo, PhotoError>, StoreError> {
    if let Some(existing) = store.photo_by_hash(&content_hash(&bytes))? {
        return Ok(Ok(existing));
    }
    let prepared = match prepare(bytes) {
        Ok(prepared) => prepared,
        Err(e) => return Ok(Err(e)),
    };
    let record = Photo {
        id: PhotoId::new(),
        content_type: prepared.original_type.to_owned(),
        width: prepared.width,
        height: prepared.height,
        uploaded_by: details.uploaded_by,
        uploaded_at: details.uploaded_at,
        hash: Some(prepared.hash),
        renditions: prepared
            .renditions
            .iter()
            .map(|r| domain::Rendition {
                width: r.width,
                height: r.height,
            })
            .collect(),
        caption: details.caption,
        credit: details.credit,
        alt: details.alt,
        focal: FocalPoint::CENTRE,
        crops: prepared.crops.iter().map(|c| c.crop).collect(),
    };
    let jpegs: Vec<Vec<u8>> = prepared.renditions.into_iter().map(|r| r.jpeg).collect();
    let crops: Vec<Vec<u8>> = prepared.crops.into_iter().map(|c| c.jpeg).collect();
    // Another upload of the same bytes may have won the race: then its record comes back.
    Ok(Ok(store.save_photo(
        &record,
        &prepared.original,
        &jpegs,
        &crops,
    )?))
}

/// Why a photo's focal point could not be changed.
#[derive(Debug, thiserror::Error)]
pub enum RecutError {
    #[error("no such photo")]
    NotFound,
    #[error("the stored original could not be cut again")]
    Photo(#[source] PhotoError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Moves photo `id`'s focal point to `focal` and cuts its crops again around it from the
/// stored original. Decodes a whole photo: run it off the async threads, a few at a time.
pub fn set_focal_point(
    store: &dyn Store,
    id: PhotoId,
    focal: FocalPoint,
) -> Result<Photo, RecutError> {
    let original = store
        .photo_blob(id, crate::storage::PhotoBlob::Original)?
        .ok_or(RecutError::NotFound)?;
    let crops: Vec<(Crop, Vec<u8>)> = recut(&original, focal)
        .map_err(RecutError::Photo)?
        .into_iter()
        .map(|c| (c.crop, c.jpeg))
        .collect();
    drop(original);
    match store.save_photo_crops(id, focal, &crops) {
        Err(StoreError::NotFound) => Err(RecutError::NotFound),
        other => Ok(other?),
    }
}

/// The lead photos of `stories` that have one stored: each story's id, the photo's record and
/// the story's alt text for it (empty when not given). Two reads per story; listing pages are
/// cached, so this is paid once per change of the public site.
pub fn lead_photos(
    store: &dyn Store,
    stories: &[domain::StoryId],
) -> Result<Vec<(domain::StoryId, Photo, String)>, StoreError> {
    let mut found = Vec::new();
    for id in stories {
        let Some(lead) = store.story(*id)?.and_then(|s| s.content.photo) else {
            continue;
        };
        let Some(photo) = lead.image.map(|p| store.photo(p)).transpose()?.flatten() else {
            continue;
        };
        let alt = lead
            .alt
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        found.push((*id, photo, alt));
    }
    Ok(found)
}

/// Where the crop in `aspect` lies in an image `width` × `height`: the largest rectangle of
/// those proportions, placed with `focal` as near its middle as the edges allow. Gives left,
/// top, width and height.
pub fn crop_region(width: u32, height: u32, aspect: Aspect, focal: FocalPoint) -> [u32; 4] {
    let (a, b) = aspect.ratio();
    let (w, h) = (u64::from(width), u64::from(height));
    let (a, b) = (u64::from(a), u64::from(b));
    let (cw, ch) = if w * b >= h * a {
        ((h * a / b).max(1), h)
    } else {
        (w, (w * b / a).max(1))
    };
    let place = |size: u64, part: u64, percent: u8| {
        let centre = size * u64::from(percent) / 100;
        centre.saturating_sub(part / 2).min(size - part)
    };
    let left = place(w, cw, focal.x());
    let top = place(h, ch, focal.y());
    [left, top, cw, ch].map(|v| u32::try_from(v).unwrap_or(u32::MAX))
}

/// The output size of a crop `region_width` wide: [`CROP_WIDTH`] or narrower, never upscaled.
fn crop_size(region_width: u32, aspect: Aspect) -> (u32, u32) {
    let (a, b) = aspect.ratio();
    let mut width = region_width.min(CROP_WIDTH);
    // Whole multiples of the ratio, so the proportions are exact.
    if width >= a {
        width -= width % a;
    }
    let height = (u64::from(width) * u64::from(b) / u64::from(a)).max(1);
    (width, u32::try_from(height).unwrap_or(u32::MAX))
}

fn crops(image: &DynamicImage, focal: FocalPoint) -> Result<Vec<CropJpeg>, PhotoError> {
    let Some(rgb) = image.as_rgb8() else {
        return crops(&DynamicImage::ImageRgb8(image.to_rgb8()), focal);
    };
    Aspect::ALL
        .into_iter()
        .map(|aspect| {
            let [left, top, cw, ch] = crop_region(rgb.width(), rgb.height(), aspect, focal);
            let (width, height) = crop_size(cw, aspect);
            let view = image::imageops::crop_imm(rgb, left, top, cw, ch);
            // As for renditions: area averaging when shrinking by half or more, else a filter;
            // both read the region in place rather than copying it.
            let cut = if (width, height) == (cw, ch) {
                view.to_image()
            } else if cw >= 2 * width {
                image::imageops::thumbnail(&*view, width, height)
            } else {
                image::imageops::resize(&*view, width, height, FilterType::Triangle)
            };
            Ok(CropJpeg {
                crop: Crop {
                    aspect,
                    width,
                    height,
                },
                jpeg: encode_jpeg(&cut)?,
            })
        })
        .collect()
}

/// The widths to make for an image `width` pixels wide, narrowest first.
pub fn rendition_widths(width: u32) -> Vec<u32> {
    let mut widths: Vec<u32> = RENDITION_WIDTHS
        .into_iter()
        .filter(|w| *w < width)
        .collect();
    if width <= RENDITION_WIDTHS[RENDITION_WIDTHS.len() - 1] {
        widths.push(width);
    }
    widths
}

fn renditions(image: &DynamicImage) -> Result<Vec<Rendition>, PhotoError> {
    // Widest first, each made from the previous one: a 12-megapixel photo is scaled down in
    // full only once, and the smaller steps are cheap.
    let mut made = Vec::new();
    let mut source = std::borrow::Cow::Borrowed(image);
    for width in rendition_widths(image.width()).into_iter().rev() {
        let height = scaled_height(image.width(), image.height(), width);
        let scaled = if (width, height) == (source.width(), source.height()) {
            source.to_rgb8()
        } else if source.width() >= 2 * width {
            // Two or more source pixels per output pixel: averaging the area each one covers is
            // as sharp as a filter here and several times faster on a full-size photo.
            source.thumbnail_exact(width, height).to_rgb8()
        } else {
            source
                .resize_exact(width, height, FilterType::Triangle)
                .to_rgb8()
        };
        made.push(Rendition {
            width,
            height,
            jpeg: encode_jpeg(&scaled)?,
        });
        source = std::borrow::Cow::Owned(DynamicImage::ImageRgb8(scaled));
    }
    made.reverse();
    Ok(made)
}

fn scaled_height(width: u32, height: u32, new_width: u32) -> u32 {
    let scaled =
        (u64::from(height) * u64::from(new_width) + u64::from(width) / 2) / u64::from(width);
    u32::try_from(scaled.max(1)).unwrap_or(u32::MAX)
}

fn encode_jpeg(rgb: &image::RgbImage) -> Result<Vec<u8>, PhotoError> {
    let mut out = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY);
    rgb.write_with_encoder(encoder)
        .map_err(|_| PhotoError::Encode)?;
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
        assert_eq!(photo.renditions.len(), 1);
        assert_eq!(&photo.renditions[0].jpeg[..3], &[0xFF, 0xD8, 0xFF]);
    }

    #[test]
    fn transparency_is_shown_on_white() {
        let clear = DynamicImage::ImageRgba8(image::RgbaImage::from_pixel(
            8,
            8,
            image::Rgba([0, 0, 0, 0]),
        ));
        let mut out = Cursor::new(Vec::new());
        clear.write_to(&mut out, ImageFormat::Png).unwrap();
        let photo = prepare(out.into_inner()).unwrap();
        let shown = image::load_from_memory(&photo.renditions[0].jpeg)
            .unwrap()
            .to_rgb8();
        assert!(shown.get_pixel(4, 4).0.iter().all(|c| *c > 245));
    }

    #[test]
    fn renditions_never_upscale() {
        assert_eq!(rendition_widths(300), vec![300]);
        assert_eq!(rendition_widths(960), vec![480, 960]);
        assert_eq!(rendition_widths(1200), vec![480, 960, 1200]);
        assert_eq!(rendition_widths(1600), vec![480, 960, 1600]);
        assert_eq!(rendition_widths(4000), vec![480, 960, 1600]);
    }

    #[test]
    fn renditions_keep_the_aspect_ratio() {
        let photo = prepare(png(2000, 1000)).unwrap();
        let sizes: Vec<_> = photo
            .renditions
            .iter()
            .map(|r| (r.width, r.height))
            .collect();
        assert_eq!(sizes, vec![(480, 240), (960, 480), (1600, 800)]);
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

    #[test]
    fn a_jpeg_cut_short_is_refused_though_the_decoder_would_fill_it_in() {
        let image = DynamicImage::ImageRgb8(image::RgbImage::from_fn(64, 64, |x, y| {
            image::Rgb([(x * 4) as u8, (y * 4) as u8, 90])
        }));
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, ImageFormat::Jpeg).unwrap();
        let bytes = out.into_inner();
        assert!(prepare(bytes.clone()).is_ok());
        assert_eq!(
            prepare(bytes[..bytes.len() - 40].to_vec()).err(),
            Some(PhotoError::Corrupt)
        );
    }

    #[test]
    fn a_decompression_bomb_is_refused_before_decoding() {
        // A valid PNG header claiming 50,000 × 50,000 pixels.
        let mut bytes = png(1, 1);
        bytes[16..20].copy_from_slice(&50_000u32.to_be_bytes());
        bytes[20..24].copy_from_slice(&50_000u32.to_be_bytes());
        let crc = crc32fast::hash(&bytes[12..29]);
        bytes[29..33].copy_from_slice(&crc.to_be_bytes());
        assert!(matches!(
            prepare(bytes),
            Err(PhotoError::TooManyPixels { .. })
        ));
    }

    /// `bytes` with a chunk of `kind` holding `data` put in right after the IHDR chunk.
    fn with_chunk(bytes: &[u8], kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut chunk = Vec::new();
        chunk.extend_from_slice(&u32::try_from(data.len()).unwrap().to_be_bytes());
        chunk.extend_from_slice(kind);
        chunk.extend_from_slice(data);
        chunk.extend_from_slice(&crc32fast::hash(&chunk[4..]).to_be_bytes());
        let after_ihdr = 8 + 12 + 13;
        [&bytes[..after_ihdr], &chunk, &bytes[after_ihdr..]].concat()
    }

    fn chunk_kinds(png: &[u8]) -> Vec<String> {
        let mut kinds = Vec::new();
        let mut at = 8;
        while at + 8 <= png.len() {
            let length = u32::from_be_bytes(png[at..at + 4].try_into().unwrap()) as usize;
            kinds.push(String::from_utf8_lossy(&png[at + 4..at + 8]).into_owned());
            at += 12 + length;
        }
        kinds
    }

    #[test]
    fn a_16_bit_picture_within_the_pixel_limit_is_refused_for_its_decoded_size() {
        // A valid PNG header claiming 8000 × 8000 pixels of 16-bit RGBA: 512 MB decoded.
        let mut bytes = png(1, 1);
        bytes[16..20].copy_from_slice(&8000u32.to_be_bytes());
        bytes[20..24].copy_from_slice(&8000u32.to_be_bytes());
        bytes[24] = 16;
        bytes[25] = 6;
        let crc = crc32fast::hash(&bytes[12..29]);
        bytes[29..33].copy_from_slice(&crc.to_be_bytes());
        assert_eq!(
            prepare(bytes).err(),
            Some(PhotoError::TooDeep {
                width: 8000,
                height: 8000,
                bits: 64
            })
        );
    }

    #[test]
    fn a_colour_profile_or_compressed_text_never_reaches_the_decoder() {
        use std::io::Write;
        let mut deflated = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..64 {
            deflated.write_all(&zeros).unwrap();
        }
        let mut profile = b"bomb\0\0".to_vec();
        profile.extend(deflated.finish().unwrap());
        let bytes = with_chunk(&png(8, 8), b"iCCP", &profile);
        let bytes = with_chunk(&bytes, b"zTXt", &profile);
        assert_eq!(
            chunk_kinds(&bytes),
            ["IHDR", "zTXt", "iCCP", "IDAT", "IEND"]
        );

        assert_eq!(
            chunk_kinds(&png_pixels_only(&bytes).unwrap()),
            ["IHDR", "IDAT", "IEND"]
        );
        let photo = prepare(bytes.clone()).unwrap();
        assert_eq!((photo.width, photo.height), (8, 8));
        assert_eq!(photo.original, bytes, "the archive keeps the file as sent");
    }

    #[test]
    fn a_png_chunk_running_past_the_end_is_refused() {
        let bytes = with_chunk(&png(8, 8), b"tEXt", b"caption");
        let cut = &bytes[..8 + 12 + 13 + 10];
        assert_eq!(png_pixels_only(cut).err(), Some(PhotoError::Corrupt));
    }

    #[test]
    fn a_jpeg_far_too_short_for_the_size_it_claims_is_refused() {
        let image = DynamicImage::ImageRgb8(image::RgbImage::from_pixel(8, 8, image::Rgb([90; 3])));
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, ImageFormat::Jpeg).unwrap();
        let mut bytes = out.into_inner();
        assert!(prepare(bytes.clone()).is_ok());
        // Its frame header now claims 8000 × 8000 pixels; the data is that of 8 × 8.
        let frame = bytes
            .windows(2)
            .position(|w| w == [0xFF, 0xC0])
            .expect("a baseline frame header");
        bytes[frame + 5..frame + 7].copy_from_slice(&8000u16.to_be_bytes());
        bytes[frame + 7..frame + 9].copy_from_slice(&8000u16.to_be_bytes());
        assert!(bytes.len() < 1000);
        assert_eq!(prepare(bytes).err(), Some(PhotoError::Corrupt));
    }

    /// A `width` × `height` PNG whose left half is red and right half blue.
    fn red_left_blue_right(width: u32, height: u32) -> Vec<u8> {
        let image = DynamicImage::ImageRgb8(image::RgbImage::from_fn(width, height, |x, _| {
            if x < width / 2 {
                image::Rgb([220, 20, 20])
            } else {
                image::Rgb([20, 20, 220])
            }
        }));
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    fn decoded(crop: &CropJpeg) -> image::RgbImage {
        image::load_from_memory(&crop.jpeg).unwrap().to_rgb8()
    }

    fn is_red(p: &image::Rgb<u8>) -> bool {
        p.0[0] > 150 && p.0[2] < 100
    }

    fn is_blue(p: &image::Rgb<u8>) -> bool {
        p.0[2] > 150 && p.0[0] < 100
    }

    #[test]
    fn an_upload_gets_crops_at_16_9_4_3_and_1_1_at_most_1200_wide() {
        // The smallest upload from which every crop is cut down to 1,200 pixels wide.
        let photo = prepare(red_left_blue_right(1600, 1200)).unwrap();
        let sizes: Vec<_> = photo
            .crops
            .iter()
            .map(|c| (c.crop.aspect, c.crop.width, c.crop.height))
            .collect();
        assert_eq!(
            sizes,
            vec![
                (Aspect::Wide, 1200, 675),
                (Aspect::Standard, 1200, 900),
                (Aspect::Square, 1200, 1200)
            ]
        );
        for crop in &photo.crops {
            let image = decoded(crop);
            assert_eq!(
                (image.width(), image.height()),
                (crop.crop.width, crop.crop.height)
            );
        }
    }

    #[test]
    fn a_small_upload_gets_the_largest_crops_it_allows_never_upscaled() {
        let photo = prepare(red_left_blue_right(400, 300)).unwrap();
        let sizes: Vec<_> = photo
            .crops
            .iter()
            .map(|c| (c.crop.width, c.crop.height))
            .collect();
        assert_eq!(sizes, vec![(400, 225), (400, 300), (300, 300)]);
    }

    #[test]
    fn the_crops_of_an_upload_are_cut_around_the_centre() {
        let photo = prepare(red_left_blue_right(400, 200)).unwrap();
        let square = decoded(&photo.crops[2]);
        assert!(is_red(square.get_pixel(5, 100)));
        assert!(is_blue(square.get_pixel(194, 100)));
    }

    #[test]
    fn a_focal_point_at_the_left_edge_gives_a_square_crop_of_the_left_colour() {
        let original = red_left_blue_right(400, 200);
        let left = FocalPoint::parse(0, 50).unwrap();
        let crops = recut(&original, left).unwrap();
        let square = crops
            .iter()
            .find(|c| c.crop.aspect == Aspect::Square)
            .unwrap();
        let image = decoded(square);
        assert_eq!((image.width(), image.height()), (200, 200));
        assert!(
            image.pixels().all(is_red),
            "only the left half is in the crop"
        );

        let right = recut(&original, FocalPoint::parse(100, 50).unwrap()).unwrap();
        assert!(decoded(&right[2]).pixels().all(is_blue));
    }

    #[test]
    fn a_crop_keeps_the_focal_point_as_near_its_middle_as_the_edges_allow() {
        let point = FocalPoint::parse(30, 50).unwrap();
        assert_eq!(
            crop_region(1000, 500, Aspect::Square, point),
            [50, 0, 500, 500]
        );
        assert_eq!(
            crop_region(1000, 500, Aspect::Square, FocalPoint::parse(95, 0).unwrap()),
            [500, 0, 500, 500]
        );
        assert_eq!(
            crop_region(600, 1200, Aspect::Wide, FocalPoint::parse(50, 10).unwrap()),
            [0, 0, 600, 337]
        );
    }
}

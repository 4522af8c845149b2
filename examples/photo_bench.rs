//! Upload-to-renditions time for a large photo: what one upload costs the server.
//!
//!     cargo run --release --example photo_bench -- make photo.jpg    # a 12-megapixel JPEG
//!     cargo run --release --example photo_bench -- run photo.jpg [5]  # time it (5 rounds)
//!
//! `run` does what an upload does: hash the bytes, decode, turn upright, make the renditions
//! and the 16:9, 4:3 and 1:1 crops, and store them with the original in a fresh database. Peak memory is measured from outside
//! (`scripts/bench-photos.sh` runs it under `/usr/bin/time -v`), so `make` is a separate step.

use anyhow::{Context, bail};
use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use newsroom::photos;
use newsroom::storage;
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [cmd, path] if cmd == "make" => make(path),
        [cmd, path] if cmd == "run" => run(path, 5),
        [cmd, path, rounds] if cmd == "run" => run(path, rounds.parse()?),
        _ => bail!("usage: photo_bench make PATH | run PATH [ROUNDS]"),
    }
}

/// A 4000×3000 JPEG with detail everywhere (gradients and noise), so that it compresses like a
/// photo rather than like a flat test card.
fn make(path: &str) -> anyhow::Result<()> {
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let image = RgbImage::from_fn(4000, 3000, |x, y| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let noise = (seed & 0x3F) as u32;
        Rgb([
            ((x / 16 + noise) % 256) as u8,
            ((y / 12 + noise) % 256) as u8,
            (((x + y) / 28 + noise) % 256) as u8,
        ])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(image).write_to(&mut out, ImageFormat::Jpeg)?;
    std::fs::write(path, out.get_ref()).with_context(|| format!("writing {path}"))?;
    println!("wrote {path}: 4000x3000, {} bytes", out.get_ref().len());
    Ok(())
}

fn run(path: &str, rounds: usize) -> anyhow::Result<()> {
    let rounds = rounds.max(1);
    let bytes = std::fs::read(path).with_context(|| format!("reading {path}"))?;
    let dir = tempfile::tempdir()?;
    let store = storage::open(
        &newsroom::settings::Storage::Sled {
            dir: dir.path().to_owned(),
            cache_bytes: 16 << 20,
        },
        newsroom::clock::Clock::system(),
    )?;
    let mut times = Vec::new();
    for round in 0..rounds {
        // Each round stores a new photo: one changed trailing byte defeats deduplication
        // without changing the image.
        let mut upload = bytes.clone();
        upload.extend_from_slice(&(round as u32).to_be_bytes());
        let started = Instant::now();
        let hash = photos::content_hash(&upload);
        if store.photo_by_hash(&hash)?.is_some() {
            bail!("unexpected duplicate");
        }
        let details = photos::PhotoDetails {
            uploaded_by: None,
            uploaded_at: time::OffsetDateTime::UNIX_EPOCH,
            caption: String::new(),
            credit: String::new(),
            alt: String::new(),
        };
        let record = photos::store_upload(&*store, upload, details)??;
        let elapsed = started.elapsed();
        println!(
            "round {}: {:.0} ms ({}x{}, renditions {:?}, crops {:?})",
            round + 1,
            elapsed.as_secs_f64() * 1000.0,
            record.width,
            record.height,
            record
                .renditions
                .iter()
                .map(|r| r.width)
                .collect::<Vec<_>>(),
            record
                .crops
                .iter()
                .map(|c| (c.width, c.height))
                .collect::<Vec<_>>()
        );
        times.push(elapsed.as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    println!(
        "upload to renditions and crops: median {:.0} ms, worst {:.0} ms over {rounds} rounds",
        times[times.len() / 2] * 1000.0,
        times[times.len() - 1] * 1000.0
    );
    Ok(())
}

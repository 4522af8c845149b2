#!/usr/bin/env bash
# Upload-to-renditions time and peak memory for a 12-megapixel JPEG (release build).
# Usage: scripts/bench-photos.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --locked --release --example photo_bench
bin=target/release/examples/photo_bench
photo=$(mktemp --suffix=.jpg)
trap 'rm -f "$photo"' EXIT
"$bin" make "$photo"
# One round alone for the peak memory of a single upload, then five for the time.
/usr/bin/time -v "$bin" run "$photo" 1 2>&1 >/dev/null | grep -E "Maximum resident set size" || true
"$bin" run "$photo"

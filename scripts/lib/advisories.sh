# Checks Cargo.lock against the RustSec advisory database, offline: `source
# scripts/lib/advisories.sh`, then `check_advisories`. The database is the copy beside the
# checkout (../shared/advisory-db, a git bundle; override with NEWSROOM_ADVISORY_DB), cloned
# once into target/advisory-db and taken again when the bundle changes; nothing is fetched.
# Any vulnerability fails the check, as does any unmaintained or unsound warning not accepted
# in .cargo/audit.toml (which says why each is accepted and the way out). Yanked crates are
# not checked: that needs the crates.io index, which is not here offline.
# cargo-audit is installed once (`cargo install --locked`) when missing.

check_advisories() {
  local bundle="${NEWSROOM_ADVISORY_DB:-../shared/advisory-db/advisory-db.bundle}"
  local db=target/advisory-db
  if [ ! -f "$bundle" ]; then
    echo "scripts/test: no advisory database at $bundle (see README, \"Dependency advisories\")" >&2
    return 1
  fi
  if ! command -v cargo-audit >/dev/null 2>&1; then
    echo "scripts/test: installing cargo-audit (once)" >&2
    cargo install --locked cargo-audit --version '^0.22' >&2
  fi
  # A clone made from an older bundle is replaced: the bundle is the copy to check against.
  local stamp="$db/.bundle-stamp"
  local current
  current="$(stat -c '%s %Y' "$bundle")"
  if [ ! -d "$db/.git" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$current" ]; then
    rm -rf "$db"
    mkdir -p "$(dirname "$db")"
    git clone -q -b main "$bundle" "$db"
    echo "$current" >"$stamp"
  fi
  # The copy is dated; no staleness check (its date is older than today by design).
  cargo audit --no-fetch --stale --db "$db"
}

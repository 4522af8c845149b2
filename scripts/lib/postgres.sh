# A throwaway PostgreSQL cluster in a temporary directory on a free local port, for the tests
# and the benchmarks: `source scripts/lib/postgres.sh`, then `start_postgres [--durable]`,
# which sets PG_URL (postgres://newsroom@127.0.0.1:PORT/postgres, trust authentication) and
# stops and removes the cluster however the calling script ends. Without --durable the
# cluster skips fsync (-F): for tests only, never for a figure about durable saves.
# Needs Debian's postgresql (its binaries in /usr/lib/postgresql/VERSION/bin, off the PATH).

pg_bin() {
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
  [ -n "$found" ] && [ -x "$found/initdb" ] && echo "$found"
}

# initdb refuses to run as root: as root, the cluster belongs to the postgres account.
as_pg() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

stop_postgres() {
  if [ -n "${PG_STARTED:-}" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$PG_CLUSTER/data" -m fast -w stop >/dev/null 2>&1 || true
    PG_STARTED=""
  fi
  [ -n "${PG_CLUSTER:-}" ] && rm -rf "$PG_CLUSTER"
}

start_postgres() {
  local fsync="-F"
  [ "${1:-}" = --durable ] && fsync=""
  PG_BIN=$(pg_bin) || { echo "PostgreSQL's binaries are missing (apt-get install postgresql)" >&2; return 1; }
  PG_CLUSTER=$(mktemp -d "${TMPDIR:-/tmp}/newsroom-pg.XXXXXX")
  PG_STARTED=""
  trap stop_postgres EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  [ "$(id -u)" = 0 ] && chown postgres: "$PG_CLUSTER"
  as_pg "$PG_BIN/initdb" -D "$PG_CLUSTER/data" -A trust -U newsroom -E UTF8 --locale=C -N >/dev/null
  # A free port: PostgreSQL takes no port 0. One taken between the check and the start is
  # retried with another.
  local attempt port
  for attempt in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 40000))
    ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || continue
    # -N 500: every test holds a few connections.
    if as_pg "$PG_BIN/pg_ctl" -D "$PG_CLUSTER/data" -l "$PG_CLUSTER/log" -w -o \
      "-p $port -h 127.0.0.1 -k $PG_CLUSTER $fsync -N 500" start >/dev/null; then
      PG_STARTED=yes
      break
    fi
  done
  if [ -z "$PG_STARTED" ]; then
    echo "PostgreSQL did not start:" >&2
    cat "$PG_CLUSTER/log" >&2 || true
    return 1
  fi
  PG_URL="postgres://newsroom@127.0.0.1:$port/postgres"
}

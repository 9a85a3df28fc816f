# pgserver.sh - a throwaway PostgreSQL server for one test script. Source it after lib.sh.
#
# Uses Debian's server binaries (the newest /usr/lib/postgresql/*/bin, or PG_BINDIR): initdb
# into $TMP/pg, listening only on a Unix socket in that directory (listen_addresses=''),
# stopped when the script exits. Without the binaries the whole script is skipped, loudly.
# As root, the server runs as `nobody` (initdb and postgres refuse root).
#
# Sets: PGBIN, PGSOCK (socket directory), PGURI (trust-authenticated superuser chtest,
# database postgres), and defines psql_q (one query, unaligned, '|'-separated),
# pg_start, pg_stop and pg_crash (pg_ctl stop -m immediate).
# Roles for the authentication tests: pwuser (password "right", scram-sha-256).

PGBIN=${PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ] || [ ! -x "$PGBIN/pg_ctl" ] || [ ! -x "$PGBIN/psql" ]; then
    echo "1..0 # SKIP PostgreSQL server binaries not found (no initdb, pg_ctl and psql in ${PG_BINDIR:-/usr/lib/postgresql/*/bin}):" \
        "install Debian's postgresql package to run the PostgreSQL tests"
    echo "WARNING: PostgreSQL tests SKIPPED: server binaries not found" >&2
    exit 0
fi

PGSOCK="$TMP/pg"
PGDATA="$TMP/pg/data"
PGLOG="$TMP/pg/log"
mkdir -p "$PGSOCK"
as_server() { "$@"; }
if [ "$(id -u)" -eq 0 ]; then
    chmod 755 "$TMP" # nobody must reach the socket directory
    chown nobody "$PGSOCK"
    as_server() { runuser -u nobody -- "$@"; }
fi

if ! as_server "$PGBIN/initdb" -D "$PGDATA" -U chtest -A trust -E UTF8 --locale=C >"$PGSOCK/initdb.log" 2>&1; then
    echo "Bail out! initdb failed: $(tail -n 3 "$PGSOCK/initdb.log")"
    exit 1
fi
# Password authentication for pwuser; every other role is trusted.
as_server sh -c "printf 'local all pwuser scram-sha-256\nlocal all all trust\n' >'$PGDATA/pg_hba.conf'"

pg_start() {
    as_server "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGLOG" -w -t 60 \
        -o "-c listen_addresses='' -k '$PGSOCK' -c fsync=off -c full_page_writes=off" \
        start >/dev/null
}
pg_stop() { as_server "$PGBIN/pg_ctl" -D "$PGDATA" -w -m fast stop >/dev/null 2>&1; }
pg_crash() { as_server "$PGBIN/pg_ctl" -D "$PGDATA" -w -m immediate stop >/dev/null 2>&1; }

trap 'pg_stop; rm -rf "$TMP"' EXIT
if ! pg_start; then
    echo "Bail out! the test PostgreSQL server did not start: $(tail -n 5 "$PGLOG" 2>/dev/null)"
    exit 1
fi

PGURI="postgresql://chtest@/postgres?host=$PGSOCK"
# psql_q QUERY: the rows of one query, columns separated by '|'.
psql_q() { "$PGBIN/psql" -X -q -At -F '|' -h "$PGSOCK" -U chtest -d postgres -v ON_ERROR_STOP=1 -c "$1"; }
psql_q "CREATE ROLE pwuser LOGIN PASSWORD 'right' SUPERUSER" >/dev/null

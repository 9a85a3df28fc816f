# pg_pooler.sh - two workers of one connector through PgBouncer in transaction mode, where the
# server's advisory lock cannot keep them apart: the generation does.
#
# With pool_mode = transaction and one server connection, both workers' statements run in the
# same server session, which holds the lock, so the second worker's pg_try_advisory_lock succeeds
# (a session may take its own lock again). The first worker pauses just after its checkpoint at
# 200 (no transaction open); the second, given a longer stream, syncs the connector to 700; the
# first, let go, must be refused at its next checkpoint (exit 75) and commit nothing: without the
# fence it would take the state back to 600 and write its older rows over the second's.
. "$TESTS_SRCDIR/lib.sh"
PGBOUNCER=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
if [ ! -x "$PGBOUNCER" ]; then
    echo "1..0 # SKIP pgbouncer not found: install Debian's pgbouncer package to run this test"
    echo "WARNING: PgBouncer test SKIPPED: pgbouncer not found" >&2
    exit 0
fi
. "$TESTS_SRCDIR/pgserver.sh"
ORACLE="$BUILD_TOP/tests/workload_oracle"
KEYS=100
P="--plugin-dir $TEST_PLUGINS"

# PgBouncer on a Unix socket of its own, as the server's user (it refuses to run as root).
BOUNCER="$TMP/bouncer"
mkdir -p "$BOUNCER"
printf '"chtest" ""\n' >"$BOUNCER/users.txt"
cat >"$BOUNCER/pgbouncer.ini" <<EOF
[databases]
postgres = host=$PGSOCK port=5432 dbname=postgres user=chtest
[pgbouncer]
listen_addr =
unix_socket_dir = $BOUNCER
listen_port = 6432
auth_type = trust
auth_file = $BOUNCER/users.txt
pool_mode = transaction
default_pool_size = 1
max_client_conn = 20
logfile = $BOUNCER/pgbouncer.log
pidfile = $BOUNCER/pgbouncer.pid
ignore_startup_parameters = extra_float_digits,options
EOF
[ "$(id -u)" -eq 0 ] && chown -R nobody "$BOUNCER"
if ! as_server "$PGBOUNCER" -d "$BOUNCER/pgbouncer.ini" >"$BOUNCER/start.log" 2>&1; then
    echo "Bail out! pgbouncer did not start: $(cat "$BOUNCER/start.log" "$BOUNCER/pgbouncer.log" 2>/dev/null | tail -n 3)"
    exit 1
fi
trap 'kill "$(cat "$BOUNCER/pgbouncer.pid" 2>/dev/null)" 2>/dev/null; pg_stop; rm -rf "$TMP"' EXIT
for _ in $(seq 1 100); do [ -S "$BOUNCER/.s.PGSQL.6432" ] && break; sleep 0.1; done
POOLED="postgresql://chtest@/postgres?host=$BOUNCER&port=6432&schema=pooled"
"$PGBIN/psql" -X -q -At -h "$BOUNCER" -p 6432 -U chtest -d postgres -c "select 1" >/dev/null 2>&1 &&
    pass "PgBouncer in transaction mode is up" || fail "PgBouncer in transaction mode is up" "$(tail -n 3 "$BOUNCER/pgbouncer.log")"

table() { psql_q "select id, val, txt, case when _fivetran_deleted then 1 else 0 end from pooled.w order by id"; }
pos() { psql_q "select state::json->>'pos' from pooled._connector_state where connector = 'workload'"; }
gen() { psql_q "select generation from pooled._connector_state where connector = 'workload'"; }

printf '{"n": "600", "every": "100", "keys": "%s", "pause_at": "200", "pause_file": "%s"}\n' \
    "$KEYS" "$TMP/a.go" >"$TMP/a.json"
("$HOST" run workload --working-dir "$(newdir a)" $P --configuration "$TMP/a.json" \
    --destination "$POOLED" >"$TMP/a.out" 2>"$TMP/a.err"
    echo $? >"$TMP/a.rc") &
for _ in $(seq 1 300); do [ -e "$TMP/a.go.reached" ] && break; sleep 0.1; done
[ -e "$TMP/a.go.reached" ] && pass "the first worker is paused after its checkpoint at 200" ||
    fail "the first worker is paused after its checkpoint at 200" "$(cat "$TMP/a.err")"
is "$(pos) $(gen)" "200 2" "it committed position 200 at generation 2"

printf '{"n": "700", "every": "100", "keys": "%s"}\n' "$KEYS" >"$TMP/b.json"
host run workload --working-dir "$(newdir b)" $P --configuration "$TMP/b.json" --destination "$POOLED"
is "$rc" 0 "through the pooler the lock lets a second worker in: it syncs to the end"
is "$(pos) $(gen)" "700 7" "it committed position 700 at generation 7"

touch "$TMP/a.go"
for _ in $(seq 1 300); do [ -s "$TMP/a.rc" ] && break; sleep 0.1; done
is "$(cat "$TMP/a.rc")" 75 "the first worker, let go, is refused at its next checkpoint: exit 75"
like "$(cat "$TMP/a.err")" "another worker took over connector 'workload' in schema pooled of $BOUNCER:6432 (generation 7 > 2" \
    "it says another worker took over, with both generations"
like "$(cat "$TMP/a.out")" "BUSY: another worker has this connector" "its summary says it is busy"
is "$(pos) $(gen)" "700 7" "the second worker's state and generation stand"
[ "$(table)" = "$("$ORACLE" 700 "$KEYS")" ] && pass "the table is the oracle's at 700: nothing of the first worker's over it" ||
    fail "the table is the oracle's at 700: nothing of the first worker's over it"

done_testing

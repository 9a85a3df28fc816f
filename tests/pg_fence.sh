# pg_fence.sh - a worker that lost its PostgreSQL lock commits nothing over a newer one.
#
# The workload connector pauses at an operation (pause_at) while its sync holds the server's
# advisory lock and an open transaction. Then:
#   - its session is killed (pg_terminate_backend), which frees the lock; a second worker syncs
#     the connector to the end; the first, let go, must fail at its next checkpoint and commit
#     nothing: the host never reconnects behind the sync's back;
#   - its session lives but a newer worker has committed (as a pooler in transaction mode allows:
#     the lock does not fence it, the generation does): the first's next checkpoint finds the
#     newer generation, commits nothing and exits 75.
# Each time the table must equal the oracle at the state that is committed.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/pgserver.sh"
ORACLE="$BUILD_TOP/tests/workload_oracle"
KEYS=100
P="--plugin-dir $TEST_PLUGINS"

# table SCHEMA: the workload's table as the oracle prints it.
table() { psql_q "select id, val, txt, case when _fivetran_deleted then 1 else 0 end from $1.w order by id"; }
# pos SCHEMA: the position committed in the schema's state.
pos() { psql_q "select state::json->>'pos' from $1._connector_state where connector = 'workload'"; }
gen() { psql_q "select generation from $1._connector_state where connector = 'workload'"; }
# wait_for FILE: until it exists (the paused worker made it), at most 30 s.
wait_for() {
    for _ in $(seq 1 300); do [ -e "$1" ] && return 0; sleep 0.1; done
    return 1
}
# start_paused SCHEMA NAME: a worker in the background, paused at operation 250 (after the
# checkpoint at 200); its exit status goes to $TMP/NAME.rc, its output to $TMP/NAME.out/err.
start_paused() {
    printf '{"n": "600", "every": "100", "keys": "%s", "pause_at": "250", "pause_file": "%s"}\n' \
        "$KEYS" "$TMP/$2.go" >"$TMP/$2.json"
    ("$HOST" run workload --working-dir "$(newdir "$2")" $P --configuration "$TMP/$2.json" \
        --destination "$PGURI&schema=$1" >"$TMP/$2.out" 2>"$TMP/$2.err"
        echo $? >"$TMP/$2.rc") &
    wait_for "$TMP/$2.go.reached" && pass "$2: the first worker is paused at operation 250" ||
        fail "$2: the first worker is paused at operation 250" "$(cat "$TMP/$2.err")"
}
# finish NAME: lets the paused worker go and waits for it.
finish() {
    touch "$TMP/$1.go"
    for _ in $(seq 1 300); do [ -s "$TMP/$1.rc" ] && break; sleep 0.1; done
    rc=$(cat "$TMP/$1.rc" 2>/dev/null)
    out=$(cat "$TMP/$1.out")
    err=$(cat "$TMP/$1.err")
}

# ---- the first worker's session is killed; a second one takes over ---------------------------
start_paused fa a1
is "$(pos fa)" 200 "killed: the first worker committed its checkpoint at 200"
is "$(gen fa)" 2 "killed: generation 2 (the checkpoints at 100 and 200)"
is "$(psql_q "select count(*) from pg_locks where locktype = 'advisory' and granted")" 1 "killed: it holds the advisory lock"
host run workload --working-dir "$(newdir b0)" $P --configuration "$TMP/a1.json" --destination "$PGURI&schema=fa"
is "$rc" 75 "killed: while it lives, a second worker is refused with 75"
is "$(psql_q "select count(*) from (select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'connector-host' and datname = 'postgres') t")" 1 "killed: the first worker's session is terminated"
printf '{"n": "600", "every": "100", "keys": "%s"}\n' "$KEYS" >"$TMP/b1.json"
host run workload --working-dir "$(newdir b1)" $P --configuration "$TMP/b1.json" --destination "$PGURI&schema=fa"
is "$rc" 0 "killed: then a second worker takes the lock and syncs to the end"
is "$(pos fa)" 600 "killed: the second worker committed position 600"
is "$(gen fa)" 6 "killed: generation 6 (four more checkpoints: 300 to 600)"
finish a1
is "$rc" 1 "killed: the first worker, let go, fails (exit 1)"
like "$err" "the server went away" "killed: it says the server went away"
like "$out" "SYNC FAILED" "killed: its summary says so"
is "$(pos fa)" 600 "killed: the second worker's state stands"
is "$(gen fa)" 6 "killed: and its generation"
[ "$(table fa)" = "$("$ORACLE" 600 "$KEYS")" ] && pass "killed: the table is the oracle's at 600" ||
    fail "killed: the table is the oracle's at 600"

# ---- the first worker's session lives, but a newer worker has committed ----------------------
start_paused fb a2
is "$(gen fb)" 2 "overtaken: the first worker is at generation 2"
# What a newer worker's commit does to the row (the data it would write is left out: the table
# must stay at the state that row names, position 200, whatever the first worker does).
psql_q "update fb._connector_state set generation = generation + 1, updated_at = now() where connector = 'workload'" >/dev/null
finish a2
is "$rc" 75 "overtaken: the first worker's next checkpoint is refused: exit 75"
like "$err" "another worker took over connector 'workload' in schema fb of $PGSOCK:5432 (generation 3 > 2" "overtaken: the error names connector, schema, server and both generations"
like "$err" "nothing of this checkpoint is committed" "overtaken: and says nothing was committed"
like "$out" "BUSY: another worker has this connector" "overtaken: the summary says it is busy"
is "$(gen fb)" 3 "overtaken: the newer generation stands"
is "$(pos fb)" 200 "overtaken: the state is still position 200"
[ "$(table fb)" = "$("$ORACLE" 200 "$KEYS")" ] && pass "overtaken: the table is the oracle's at 200: nothing of the first worker's after it" ||
    fail "overtaken: the table is the oracle's at 200: nothing of the first worker's after it"
printf '{"n": "600", "every": "100", "keys": "%s"}\n' "$KEYS" >"$TMP/b2.json"
host run workload --working-dir "$(newdir b2)" $P --configuration "$TMP/b2.json" --destination "$PGURI&schema=fb"
is "$rc" 0 "overtaken: the next run resumes from the committed state"
is "$(gen fb)" 7 "overtaken: and moves the generation on from 3"
[ "$(table fb)" = "$("$ORACLE" 600 "$KEYS")" ] && pass "overtaken: the table is the oracle's at 600" ||
    fail "overtaken: the table is the oracle's at 600"

done_testing

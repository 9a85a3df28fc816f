# pg_faults.sh - the PostgreSQL destination when things go wrong: no server, unknown role,
# wrong password, a statement timeout, and the server stopped mid-sync (then restarted, and the
# next run resumes with nothing lost). Each failure names the server and what failed.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/pgserver.sh"

P="--plugin-dir $TEST_PLUGINS"
SERVER="$PGSOCK:5432"

# ---- connecting ---------------------------------------------------------------------------------
W=$(newdir noserver)
host run three --working-dir "$W" --destination "postgresql://chtest@/postgres?host=$TMP/nosuch&schema=x"
is "$rc" 1 "no server: exit 1"
like "$err" "cannot connect to the PostgreSQL server at $TMP/nosuch:5432 (database postgres, user chtest): " "no server: names server, database and user"
like "$err" "No such file or directory" "no server: says what failed"
like "$out" "SYNC FAILED: cannot connect to the PostgreSQL server" "no server: the summary says why"
[ ! -e "$W/files/state.json" ] && pass "no server: no state written" || fail "no server: no state written"

host run three --working-dir "$(newdir norole)" --destination "postgresql://nosuch@/postgres?host=$PGSOCK"
is "$rc" 1 "unknown role: exit 1"
like "$err" "cannot connect to the PostgreSQL server at $SERVER (database postgres, user nosuch): " "unknown role: names server and user"
like "$err" 'role "nosuch" does not exist' "unknown role: the server's reason"

host run three --working-dir "$(newdir badpw)" --destination "postgresql://pwuser:wrongsecret@/postgres?host=$PGSOCK"
is "$rc" 1 "wrong password: exit 1"
like "$err" "cannot connect to the PostgreSQL server at $SERVER (database postgres, user pwuser): " "wrong password: names server and user"
like "$err" 'password authentication failed for user "pwuser"' "wrong password: authentication failure reported"
unlike "$err$out" "wrongsecret" "wrong password: the password is never printed"
host run three --working-dir "$(newdir goodpw)" --destination "postgresql://pwuser:right@/postgres?host=$PGSOCK&schema=pw"
is "$rc" 0 "right password: exit 0"
unlike "$err$out" ":right@" "right password: the password is never printed"
is "$(psql_q 'select count(*) from pw.three')" 3 "right password: rows landed"

host run three --working-dir "$(newdir badparam)" --destination "postgresql://chtest@/postgres?host=$PGSOCK&bogus=1"
is "$rc" 2 "unknown URI parameter: exit 2 (bad usage), before anything runs"
like "$err" "destination 'postgresql://chtest@/postgres?host=$PGSOCK&bogus=1': invalid URI query parameter: \"bogus\"" "unknown URI parameter: libpq's reason, with the spec"
host run three --working-dir "$(newdir badparam)" --destination "postgresql://pwuser:topsecret@/postgres?host=$PGSOCK&bogus=1&password=othersecret"
is "$rc" 2 "unknown URI parameter with passwords: exit 2"
like "$err" "destination 'postgresql://pwuser:***@/postgres?host=$PGSOCK&bogus=1&password=***': invalid URI query parameter" "a malformed spec is shown with its passwords hidden"
unlike "$err$out" "secret" "a malformed spec's passwords are never printed"
host run three --working-dir "$(newdir emptyschema)" --destination "postgresql://chtest@/postgres?schema="
is "$rc" 2 "empty schema=: exit 2"
like "$err" "the schema parameter is empty" "empty schema=: said so"

# ---- statement timeout --------------------------------------------------------------------------
# A second session holds an exclusive lock on the table, so the host's statement waits until the
# connection's statement_timeout (given in the URI's options) cancels it.
W=$(newdir timeout)
host run three --working-dir "$W" --destination "$PGURI&schema=st"
is "$rc" 0 "timeout: a first run creates the table"
before=$(psql_q 'select state from st._connector_state; select count(*) from st.three')
"$PGBIN/psql" -X -q -h "$PGSOCK" -U chtest -d postgres \
    -c "begin; lock table st.three in access exclusive mode; select pg_sleep(6); commit" >/dev/null 2>&1 &
locker=$!
for _ in $(seq 1 100); do
    [ "$(psql_q "select count(*) from pg_locks where relation = 'st.three'::regclass and mode = 'AccessExclusiveLock' and granted")" = 1 ] && break
    sleep 0.1
done
host run three --working-dir "$W" --destination "$PGURI&schema=st&options=-c%20statement_timeout%3D300"
is "$rc" 1 "timeout: exit 1"
like "$err" "postgresql://chtest@$SERVER/postgres?schema=st: creating a staging table was cancelled by the server (statement_timeout or a cancel request): ERROR:  canceling statement due to statement timeout" "timeout: named as a statement timeout, with the server and the step"
kill "$locker" 2>/dev/null
wait "$locker" 2>/dev/null
psql_q "select pg_terminate_backend(pid) from pg_stat_activity where query like '%lock table st.three%' and pid <> pg_backend_pid()" >/dev/null
is "$(psql_q 'select state from st._connector_state; select count(*) from st.three')" "$before" "timeout: nothing of the failed sync is committed"
host run three --working-dir "$W" --destination "$PGURI&schema=st"
is "$rc" 0 "timeout: the next run succeeds"
is "$(psql_q 'select count(*) from st.three')" 6 "timeout: the next run added its rows"

# ---- the server goes away mid-sync --------------------------------------------------------------
# Twice: checkpoints of 250 operations over 300 keys, and of 2500 over 3000 keys, whose rows merge
# early (ahead of their checkpoint, while the connection is idle), so that the server may go away
# during an early merge, with the checkpoint's commit queued behind it.
ORACLE="$BUILD_TOP/tests/workload_oracle"
for case in small early; do
if [ "$case" = small ]; then
    N=20000 KEYS=300 NSP=wl
    conf '{"n":"20000","every":"250","keys":"300","sleep_us":"200"}' >/dev/null
else
    N=60000 KEYS=3000 NSP=wle
    conf '{"n":"60000","every":"2500","keys":"3000","sleep_us":"40"}' >/dev/null
fi
W=$(newdir "crash_$case")
committed_pos() {
    local s
    s=$(psql_q "select state from $NSP._connector_state where connector = 'workload'" 2>/dev/null)
    s=${s#*\"pos\":\"}
    echo "${s%%\"*}" | grep -E '^[0-9]+$' || echo 0
}
table() { psql_q "select id, val, txt, _fivetran_deleted::int from $NSP.w order by id" 2>/dev/null; }
"$HOST" run workload --working-dir "$W" $P --destination "$PGURI&schema=$NSP" \
    --configuration "$TMP/conf.json" >"$TMP/crash.out" 2>"$TMP/crash.err" &
pid=$!
for _ in $(seq 1 200); do
    [ "$(committed_pos)" -ge 1000 ] && break
    sleep 0.05
done
pg_crash
wait "$pid"
rc=$?
err=$(grep SEVERE "$TMP/crash.err")
is "$rc" 1 "server stopped mid-sync: exit 1"
like "$err" "postgresql://chtest@$SERVER/postgres?schema=$NSP: the server went away during " "server stopped ($case): named, with the step that failed"
like "$err" "nothing after the last checkpoint is committed" "server stopped: says what is kept"
like "$(cat "$TMP/crash.out")" "SYNC FAILED" "server stopped: the summary says SYNC FAILED"
pg_start && pass "the server restarts" || fail "the server restarts"
pos=$(committed_pos)
[ "$pos" -ge 1000 ] && [ "$pos" -lt "$N" ] && pass "server stopped ($case): a checkpoint mid-stream was committed ($pos)" ||
    fail "server stopped ($case): a checkpoint mid-stream was committed" "position: $pos"
is "$(table)" "$("$ORACLE" "$pos" "$KEYS")" "server stopped: the table is exactly the stream up to the committed position"
host run workload --working-dir "$W" $P --destination "$PGURI&schema=$NSP" --configuration "$TMP/conf.json"
is "$rc" 0 "the next run resumes and finishes"
like "$err" "resuming at operation $pos of $N" "it resumes at the committed position"
is "$(committed_pos)" "$N" "it reaches the end of the stream"
is "$(table)" "$("$ORACLE" "$N" "$KEYS")" "final table equals the oracle: nothing lost, doubled or stale"
is "$(cat "$W/files/state.json")" "$(psql_q "select state from $NSP._connector_state")" "state.json equals the destination's state"
done

done_testing

# ch_crash.sh - ClickHouse's guarantee, tested: it has no transaction across inserts, so a
# checkpoint is not atomic there; instead, after any crash (the host killed with kill -9 at
# random moments, the server killed mid-sync) the next sync resumes from the last committed
# state and the table read with FINAL converges to exactly what an uninterrupted run gives:
# nothing lost, nothing doubled. In between, a reader sees the table at the committed position,
# or at the next checkpoint's when the crash came between its rows and its state (the README's
# "what a reader may see").
#
# CH_CRASH_KILLS (default 20) kills, CRASH_SEED (default 4242) makes the moments reproducible.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/chserver.sh"
ch_start one

KILLS=${CH_CRASH_KILLS:-20}
SEED=${CRASH_SEED:-4242}
N=20000
EVERY=250
KEYS=500
RANDOM=$SEED
ORACLE="$BUILD_TOP/tests/workload_oracle"
P="--plugin-dir $TEST_PLUGINS"
echo "# $KILLS kills, seed $SEED (set CRASH_SEED to repeat a run)"

# committed_pos DB: the position of the latest state in ClickHouse (0 before the first).
committed_pos() {
    local s
    s=$(ch_q one "select state from $1._connector_state where connector = 'workload' order by _connector_version desc limit 1" 2>/dev/null)
    s=${s#*\"pos\":\"}
    echo "${s%%\"*}" | grep -E '^[0-9]+$' || echo 0
}
# table DB: the workload table read with FINAL, as the oracle prints it.
table() { ch_q one "select id, val, txt, _fivetran_deleted from $1.w final order by id" 2>/dev/null | sed 's/\\N//g' | tr '\t' '|'; }
# quiet: waits until the server runs no statement of a killed host (an insert it had sent whole).
quiet() {
    local i
    for i in $(seq 1 100); do
        [ "$(ch_q one "select count() from system.processes where query not like '%system.processes%'")" = 0 ] && return
        sleep 0.05
    done
}
# between DB POS: the table is the oracle's at POS or at the next checkpoint's.
between() {
    local got next=$(($2 + EVERY))
    got=$(table "$1")
    [ "$got" = "$("$ORACLE" "$2" "$KEYS")" ] && { echo committed; return; }
    [ "$next" -le "$N" ] && [ "$got" = "$("$ORACLE" "$next" "$KEYS")" ] && { echo next; return; }
    echo neither
}

# ---- the host killed at random moments --------------------------------------------------------
W=$(newdir w)
printf '{"n":"%s","every":"%s","keys":"%s","sleep_us":"20"}\n' $N $EVERY $KEYS >"$TMP/conf.json"
kills=0 bad=0 ahead=0 positions=""
for k in $(seq 1 "$KILLS"); do
    "$HOST" run workload --working-dir "$W" $P --destination "$(ch_url one wk)" \
        --configuration "$TMP/conf.json" >/dev/null 2>&1 &
    pid=$!
    ms=$((RANDOM % 600))
    sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    status=$?
    [ "$status" -eq 137 ] && kills=$((kills + 1))
    quiet
    pos=$(committed_pos wk)
    positions="$positions $pos"
    seen=$(between wk "$pos")
    [ "$seen" = next ] && ahead=$((ahead + 1))
    if [ "$seen" = neither ]; then
        bad=$((bad + 1))
        fail "kill $k after ${ms} ms (exit $status): the table is the oracle's at the committed position $pos or the next checkpoint's"
    else
        pass "kill $k after ${ms} ms (exit $status): the table is the oracle's at the $seen position ($pos)"
    fi
    [ "$status" -eq 0 ] && break # the sync ended before the kill
done
is "$bad" 0 "after every kill, a reader saw the table at the committed position or the next checkpoint's"
[ "$kills" -ge $((KILLS / 2)) ] && pass "$kills of $KILLS kills landed mid-sync" ||
    fail "$kills of $KILLS kills landed mid-sync" "positions:$positions"
echo "# positions after each kill:$positions; the table was a checkpoint ahead of its state after $ahead kills"

host run workload --working-dir "$W" $P --destination "$(ch_url one wk)" --configuration "$TMP/conf.json"
is "$rc" 0 "after the kills, the next run resumes and finishes"
is "$(committed_pos wk)" "$N" "it reaches the end of the stream"
is "$(table wk)" "$("$ORACLE" $N $KEYS)" "the table read with FINAL equals the oracle's: nothing lost, doubled or stale"
is "$(ch_q one "select count() from wk.w final")" "$(ch_q one "select uniqExact(id) from wk.w")" \
    "one row per key with FINAL"
is "$(cat "$W/files/state.json")" "$(ch_q one "select state from wk._connector_state order by _connector_version desc limit 1")" \
    "state.json equals the destination's latest state"
# An uninterrupted run of the same stream gives the same table.
host run workload --working-dir "$(newdir straight)" $P --destination "$(ch_url one ws)" --configuration "$TMP/conf.json"
is "$rc.$(table ws)" "0.$(table wk)" "an uninterrupted run gives the same table"

# ---- the server killed mid-sync -----------------------------------------------------------------
W=$(newdir server)
printf '{"n":"%s","every":"%s","keys":"%s","sleep_us":"200"}\n' $N $EVERY $KEYS >"$TMP/conf.json"
"$HOST" run workload --working-dir "$W" $P --destination "$(ch_url one wv)" \
    --configuration "$TMP/conf.json" >"$TMP/crash.out" 2>"$TMP/crash.err" &
pid=$!
for _ in $(seq 1 200); do
    [ "$(committed_pos wv)" -ge 1000 ] && break
    sleep 0.05
done
ch_kill one
wait "$pid"
rc=$?
is "$rc" 1 "server killed mid-sync: exit 1"
like "$(grep SEVERE "$TMP/crash.err")" "cannot reach the ClickHouse server at 127.0.0.1:$CH_HTTP_one" \
    "server killed: names the server and the step"
like "$(cat "$TMP/crash.out")" "SYNC FAILED" "server killed: the summary says SYNC FAILED"
ch_start one && pass "the server restarts" || fail "the server restarts"
pos=$(committed_pos wv)
[ "$pos" -ge 1000 ] && [ "$pos" -lt "$N" ] && pass "server killed: a checkpoint mid-stream was committed ($pos)" ||
    fail "server killed: a checkpoint mid-stream was committed" "position: $pos"
seen=$(between wv "$pos")
[ "$seen" != neither ] && pass "server killed: the table is the oracle's at the $seen position" ||
    fail "server killed: the table is the oracle's at the committed position or the next checkpoint's"
host run workload --working-dir "$W" $P --destination "$(ch_url one wv)" --configuration "$TMP/conf.json"
is "$rc" 0 "the next run resumes and finishes"
like "$err" "resuming at operation $pos of $N" "it resumes at the committed position"
is "$(committed_pos wv)" "$N" "it reaches the end of the stream"
is "$(table wv)" "$("$ORACLE" $N $KEYS)" "final table equals the oracle: nothing lost, doubled or stale"

# The server stopped (SIGTERM) mid-sync, then started again: the same.
W=$(newdir stopped)
"$HOST" run workload --working-dir "$W" $P --destination "$(ch_url one wst)" \
    --configuration "$TMP/conf.json" >"$TMP/stop.out" 2>"$TMP/stop.err" &
pid=$!
for _ in $(seq 1 200); do
    [ "$(committed_pos wst)" -ge 500 ] && break
    sleep 0.05
done
ch_stop one
wait "$pid"
# ClickHouse finishes what runs before it stops: the sync may fail or finish meanwhile
echo "# the sync ended with status $? while the server stopped"
ch_start one
host run workload --working-dir "$W" $P --destination "$(ch_url one wst)" --configuration "$TMP/conf.json"
is "$rc" 0 "server stopped: the next run resumes and finishes"
is "$(table wst)" "$("$ORACLE" $N $KEYS)" "server stopped: final table equals the oracle"

done_testing

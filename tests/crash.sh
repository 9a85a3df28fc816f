# crash.sh - kill -9 the host at random moments; nothing committed is lost, nothing is doubled.
#
# CRASH_KILLS (default 50) kills per run, CRASH_SEED (default 4242) makes the moments
# reproducible; `make soak` runs 1000.
. "$TESTS_SRCDIR/lib.sh"

KILLS=${CRASH_KILLS:-50}
SEED=${CRASH_SEED:-4242}
N=20000
EVERY=250
KEYS=500
RANDOM=$SEED
echo "# $KILLS kills, seed $SEED (set CRASH_SEED to repeat a run)"

W=$(newdir w)
DB="$W/files/warehouse.db"
printf '{"n":"%s","every":"%s","keys":"%s","sleep_us":"20"}\n' $N $EVERY $KEYS >"$TMP/conf.json"
. "$TESTS_SRCDIR/workload.sh"

kills=0 lagging=0 finished=0 bad=0 positions=""
for k in $(seq 1 "$KILLS"); do
    "$HOST" run workload --working-dir "$W" --plugin-dir "$TEST_PLUGINS" \
        --configuration "$TMP/conf.json" >/dev/null 2>&1 &
    pid=$!
    ms=$((RANDOM % 300))
    sleep "$(printf '0.%03d' "$ms")"
    kill -9 "$pid" 2>/dev/null
    wait "$pid"
    status=$?
    [ "$status" -eq 137 ] && kills=$((kills + 1))
    pos=$(committed_pos)
    positions="$positions $pos"
    if is_oracle "$pos"; then
        pass "kill $k after ${ms} ms (exit $status): the table equals the oracle at committed position $pos"
    else
        bad=$((bad + 1))
        fail "kill $k after ${ms} ms (exit $status): the table equals the oracle at committed position $pos"
    fi
    # state.json is replaced after the commit, so a kill in between leaves the previous one,
    # which the next run rewrites from the warehouse; it is never ahead of the warehouse.
    if [ -f "$W/files/state.json" ]; then
        file_pos=$(sed -n 's/.*"pos":"\([0-9]*\)".*/\1/p' "$W/files/state.json")
        if [ "${file_pos:-0}" -gt "$pos" ]; then
            bad=$((bad + 1))
            fail "kill $k: state.json ($file_pos) is not ahead of the warehouse ($pos)"
        elif [ "${file_pos:-0}" -ne "$pos" ]; then
            lagging=$((lagging + 1))
        fi
    fi
    if [ "$status" -eq 0 ]; then # the sync ended before the kill: start over
        finished=$((finished + 1))
        "$HOST" reset --working-dir "$W" >/dev/null 2>&1
    fi
done
is "$bad" 0 "after every kill, the warehouse held exactly the oracle's table at its committed position"
[ "$kills" -ge $((KILLS * 3 / 4)) ] && pass "$kills of $KILLS kills landed mid-sync" ||
    fail "$kills of $KILLS kills landed mid-sync" "positions:$positions"
echo "# positions after each kill:$positions"
echo "# state.json lagged one checkpoint behind after $lagging kills; syncs finished before the kill: $finished"

# Resume to the end: exactly the oracle's table, and state.json agrees with the warehouse.
host run workload --working-dir "$W" --plugin-dir "$TEST_PLUGINS" --configuration "$TMP/conf.json"
is "$rc" 0 "the last run resumes and finishes"
is "$(committed_pos)" "$N" "it reaches the end of the stream"
if is_oracle $N; then pass "final table equals the oracle: no row missing, doubled or stale"; else
    fail "final table equals the oracle: no row missing, doubled or stale"; fi
is "$(cat "$W/files/state.json")" "$(sql "$DB" "select state from _connector_state where connector = 'workload'")" "state.json equals the warehouse's state"
is "$(sql "$DB" 'pragma integrity_check')" ok "the warehouse passes SQLite's integrity check"

done_testing

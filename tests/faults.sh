# faults.sh - connector failures and crashes, signals, destination faults and concurrent
# runs: each is reported clearly and leaves exactly the last checkpoint.
. "$TESTS_SRCDIR/lib.sh"

P="--plugin-dir $TEST_PLUGINS"
# Under AddressSanitizer the I/O fault library is preloaded before ASan's runtime: allow it.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
KEYS=500
W=$(newdir w)
DB="$W/files/warehouse.db"
# conf [N [MORE]]: the workload's configuration; MORE is extra JSON members.
conf() { printf '{"n":"%s","every":"500","keys":"%s"%s}\n' "${1:-20000}" $KEYS "${2:-}" >"$TMP/conf.json"; echo "$TMP/conf.json"; }
. "$TESTS_SRCDIR/workload.sh"
# at_checkpoint POS DESCRIPTION: the warehouse holds exactly the stream up to POS.
at_checkpoint() {
    is "$(committed_pos)" "$1" "$2: the committed position is $1"
    if is_oracle "$1"; then pass "$2: the table is the oracle's at $1"; else
        fail "$2: the table is the oracle's at $1"; fi
}
fresh() { "$HOST" reset --working-dir "$W" >/dev/null 2>&1; }

# ---- Connector failures -------------------------------------------------------------
host run workload --working-dir "$W" $P --configuration "$(conf 20000 ',"fail_at":"3210"')"
is "$rc" 1 "connector error mid-stream: exit 1"
like "$out" "SYNC FAILED: workload failing on purpose at operation 3210" "the connector's reason is the failure"
like "$err" "rolling back 210 operations after the last checkpoint" "the rollback is counted"
at_checkpoint 3000 "connector error"
is "$(cat "$W/files/state.json")" '{"pos":"3000"}' "connector error: state.json is the last checkpoint's"

host run workload --working-dir "$W" $P --configuration "$(conf 20000 ',"abort_at":"7777"')"
is "$rc" 134 "abort() in the connector: the host dies of SIGABRT (134)"
like "$err" "connector-host: SYNC FAILED: connector 'workload' ($TEST_PLUGINS/workload) crashed with SIGABRT (aborted); nothing after the last checkpoint was committed" "abort: signal and connector named"
at_checkpoint 7500 "abort"

host run workload --working-dir "$W" $P --configuration "$(conf 20000 ',"segv_at":"9999"')"
is "$rc" 139 "NULL dereference in the connector: the host dies of SIGSEGV (139)"
like "$err" "connector 'workload' ($TEST_PLUGINS/workload) crashed with SIGSEGV (invalid memory access)" "segfault: signal and connector named"
at_checkpoint 9500 "segfault"

host run workload --working-dir "$W" $P --configuration "$(conf)"
is "$rc" 0 "after the failures, the next run resumes and finishes"
like "$err" "resuming at operation 9500 of 20000" "it resumes at the last checkpoint"
at_checkpoint 20000 "resumed to the end"

# ---- Signals ------------------------------------------------------------------------
for sig in TERM INT; do
    fresh
    "$HOST" run workload --working-dir "$W" $P --configuration "$(conf 20000 ',"sleep_us":"100"')" >"$TMP/out" 2>"$TMP/err" &
    pid=$!
    # Wait for the first checkpoint, so the stop lands mid-stream with data committed.
    for _ in $(seq 1 100); do [ "$(committed_pos)" -gt 0 ] && break; sleep 0.05; done
    kill -"$sig" "$pid"
    wait "$pid"
    rc=$?
    is "$rc" 1 "SIG$sig during a sync: exit 1"
    like "$(cat "$TMP/out")" "SYNC FAILED: interrupted by SIG$sig; stopped at the last checkpoint" "SIG$sig: the summary says so"
    pos=$(committed_pos)
    [ "$pos" -gt 0 ] && [ "$pos" -lt 20000 ] && pass "SIG$sig: stopped mid-stream, at $pos" || fail "SIG$sig: stopped mid-stream, at $pos"
    at_checkpoint "$pos" "SIG$sig"
    is "$(cat "$W/files/state.json")" "{\"pos\":\"$pos\"}" "SIG$sig: state.json is the last checkpoint's"
done

# ---- Destination faults -------------------------------------------------------------
# Disk full: writes to the warehouse fail after a budget of bytes.
fresh
IOFAULT_PATH=warehouse.db IOFAULT_WRITE_BUDGET=200000 LD_PRELOAD="$IOFAULT" \
    host run workload --working-dir "$W" $P --configuration "$(conf)"
is "$rc" 1 "disk full: exit 1"
like "$out" "database or disk is full" "disk full: SQLite's reason is reported"
pos=$(committed_pos)
[ "$pos" -gt 0 ] && [ "$pos" -lt 20000 ] && pass "disk full: stopped at checkpoint $pos" || fail "disk full: stopped at checkpoint $pos"
at_checkpoint "$pos" "disk full"
is "$(cat "$W/files/state.json")" "{\"pos\":\"$pos\"}" "disk full: state.json is the last checkpoint's"
host run workload --working-dir "$W" $P --configuration "$(conf)"
is "$rc" 0 "disk full: with space again, the next run finishes"
at_checkpoint 20000 "after disk full"

# A failing fsync of the warehouse is a failed checkpoint, not a success.
fresh
IOFAULT_PATH=warehouse.db IOFAULT_SYNC_ERRNO=5 LD_PRELOAD="$IOFAULT" \
    host run workload --working-dir "$W" $P --configuration "$(conf)"
is "$rc" 1 "fsync error: exit 1"
like "$out" "disk I/O error" "fsync error: reported as SQLite's I/O error"

# The warehouse cannot be written (a permission check that holds for root too).
fresh
host run workload --working-dir "$W" $P --configuration "$(conf 1000)"
before=$(snapshot "$W")
IOFAULT_PATH=warehouse.db IOFAULT_OPEN_ERRNO=13 LD_PRELOAD="$IOFAULT" \
    host run workload --working-dir "$W" $P --configuration "$(conf)"
is "$rc" 1 "read-only warehouse: exit 1"
like "$err" "cannot open warehouse $W/files/warehouse.db: " "read-only warehouse: named"
is "$(snapshot "$W")" "$before" "read-only warehouse: nothing changed"

# state.json written after the commit cannot be: the data is committed, the failure said.
fresh
IOFAULT_PATH=state.json.tmp IOFAULT_OPEN_ERRNO=28 LD_PRELOAD="$IOFAULT" \
    host run workload --working-dir "$W" $P --configuration "$(conf)"
is "$rc" 1 "state.json cannot be written: exit 1"
like "$out" "SYNC FAILED: checkpoint committed, but cannot write $W/files/state.json: No space left on device" "state.json failure: what was committed and what failed"
matches "$out" '^total( +[0-9]+){4} +1 ' "state.json failure: the committed checkpoint is counted"
at_checkpoint 500 "state.json failure"
is "$(cat "$W/files/state/workload.json")" '{"pos":"500"}' "state.json failure: the connector's own state file is written all the same"
host run workload --working-dir "$W" $P --configuration "$(conf)"
is "$rc" 0 "state.json failure: the next run finishes"
like "$err" "$W/files/state.json is missing: writing into it the state committed in the warehouse" "the next run writes state.json from the warehouse"
at_checkpoint 20000 "after the state.json failure"

# A corrupted warehouse file is reported and left as it is, for the user to inspect.
fresh
host run workload --working-dir "$W" $P --configuration "$(conf 1000)"
sql "$DB" 'pragma wal_checkpoint(truncate)' >/dev/null # everything into the main file first
printf 'this is not a database, it was overwritten by mistake' | dd of="$DB" conv=notrunc status=none
sum_before=$(cksum <"$DB")
host run workload --working-dir "$W" $P --configuration "$(conf)"
is "$rc" 1 "corrupted warehouse: exit 1"
like "$err" "cannot open warehouse $W/files/warehouse.db: file is not a database" "corrupted warehouse: named with the reason"
is "$(cksum <"$DB")" "$sum_before" "corrupted warehouse: the file is not touched"

# state.json deleted, then corrupted: the warehouse's copy wins and the file is rewritten.
fresh
host run workload --working-dir "$W" $P --configuration "$(conf 20000 ',"fail_at":"4100"')"
rm "$W/files/state.json"
host run workload --working-dir "$W" $P --configuration "$(conf 20000 ',"fail_at":"8100"')"
like "$err" "resuming at operation 4000 of 20000" "state.json deleted: the sync resumes from the warehouse's state"
is "$(cat "$W/files/state.json")" '{"pos":"8000"}' "state.json deleted: rewritten"
printf '{"pos": garbage' >"$W/files/state.json"
host run workload --working-dir "$W" $P --configuration "$(conf)"
is "$rc" 0 "state.json corrupted: the sync succeeds"
like "$err" "resuming at operation 8000 of 20000" "state.json corrupted: the warehouse's state is used"
at_checkpoint 20000 "after state.json corruption"
is "$(cat "$W/files/state.json")" '{"pos":"20000"}' "state.json corrupted: rewritten"

# ---- Concurrency --------------------------------------------------------------------
fresh
"$HOST" run workload --working-dir "$W" $P --configuration "$(conf 20000 ',"sleep_us":"50"')" >"$TMP/first.out" 2>&1 &
first=$!
for _ in $(seq 1 100); do [ "$(committed_pos)" -gt 0 ] && break; sleep 0.05; done
host run workload --working-dir "$W" $P --configuration "$(conf)"
is "$rc" 75 "a second run on the same working directory: exit 75"
like "$err" "another connector-host is already working in '$W'" "the second run is refused with a clear message"
wait "$first"
is "$?" 0 "the first run completes untouched"
at_checkpoint 20000 "concurrent runs"

done_testing

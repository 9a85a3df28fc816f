# lock.sh - one sync at a time per working directory; the one refused exits 75 (EX_TEMPFAIL), so
# that a scheduler retries it later.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/summary_lib.sh"

W=$(newdir w)
host run three --working-dir "$W"
is "$rc" 0 "baseline sync"
before=$(snapshot "$W")

# Hold the host's lock from another process, as a running sync would.
command -v flock >/dev/null || { echo "1..0 # SKIP flock(1) not installed"; exit 0; }
# The lock belongs to the open file, so this shell holding fd 9 blocks the host.
exec 9>>"$W/files/.connector-host.lock"
flock -n 9 && pass "lock taken by the test" || fail "lock taken by the test"
host run three --working-dir "$W"
is "$rc" 75 "second sync refused: exit 75 (EX_TEMPFAIL: try again later)"
like "$err" "another connector-host is already working in '$W'" "refusal names the working directory"
like "$err" "WARNING [host] another connector-host" "refusal is a warning, not an alarm"
like "$out" "BUSY: another worker has this connector; exit status 75: try again later" "the summary says it is busy"
like "$out" "SYNC FAILED: another connector-host is already working in '$W'" "the summary says why"
is "$(snapshot "$W")" "$before" "refused sync changed nothing"
host run three --working-dir "$W" --log-format json
is "$rc" 75 "refused with a JSON summary: exit 75"
is "$(json exit_status)" 75 "JSON summary: exit_status 75"
is "$(json busy)" 1 "JSON summary: busy is true"
like "$(json reason)" "another connector-host is already working in '$W'" "JSON summary: the reason"
host reset --working-dir "$W"
is "$rc" 75 "reset during a sync refused: exit 75"
[ -f "$W/files/warehouse.db" ] && pass "refused reset removed nothing" || fail "refused reset removed nothing"
exec 9>&-

host run three --working-dir "$W" --log-format json
is "$rc" 0 "after the lock is released the sync runs"
is "$(json exit_status)" 0 "JSON summary of a success: exit_status 0"
is "$(json busy)" 0 "JSON summary of a success: busy is false"
is "$(sql "$W/files/warehouse.db" 'select count(*) from three')" 6 "and adds its rows"

done_testing

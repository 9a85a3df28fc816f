# lock.sh - one sync at a time per working directory.
. "$TESTS_SRCDIR/lib.sh"

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
is "$rc" 1 "second sync refused: exit 1"
like "$err" "another connector-host is already working in '$W'" "refusal names the working directory"
is "$(snapshot "$W")" "$before" "refused sync changed nothing"
host reset --working-dir "$W"
is "$rc" 1 "reset during a sync refused"
[ -f "$W/files/warehouse.db" ] && pass "refused reset removed nothing" || fail "refused reset removed nothing"
exec 9>&-

host run three --working-dir "$W"
is "$rc" 0 "after the lock is released the sync runs"
is "$(sql "$W/files/warehouse.db" 'select count(*) from three')" 6 "and adds its rows"

done_testing

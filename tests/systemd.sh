# systemd.sh - contrib/systemd's units: the service runs what its ExecStart says, counts exit 75
# (another worker has the connector) as success, and systemd-analyze accepts both units.
. "$TESTS_SRCDIR/lib.sh"

UNIT="$BUILD_TOP/contrib/systemd/connector-host@.service"
TIMER="$TESTS_SRCDIR/../contrib/systemd/connector-host@.timer"
[ -f "$UNIT" ] && pass "the service unit is built" || fail "the service unit is built"
[ -f "$TIMER" ] && pass "the timer unit is there" || fail "the timer unit is there"

# key UNIT KEY: the value of KEY= in the unit.
key() { sed -n "s/^$2=//p" "$1"; }
exec_start=$(key "$UNIT" ExecStart)
like "$exec_start" "/connector-host run %i --working-dir /var/lib/connector-host/%i" "ExecStart runs connector %i in /var/lib/connector-host/%i"
unlike "$exec_start" "@bindir@" "ExecStart names the installed host, not a placeholder"
is "$(key "$UNIT" StateDirectory)" "connector-host/%i" "systemd makes the working directory (StateDirectory)"
is "$(key "$UNIT" SuccessExitStatus)" 75 "exit 75 counts as success"
is "$(key "$UNIT" RestartPreventExitStatus)" 75 "and is never restarted"
is "$(key "$TIMER" OnCalendar)" "*:0/15" "the timer starts it every 15 minutes"

# The service's command line as systemd would run it for connector three: %i replaced, the
# environment file's arguments (none) dropped, the host of this build, a temporary directory.
W=$(newdir three)
cmd=$(printf '%s\n' "$exec_start" | sed -e "s|^[^ ]*/connector-host|$HOST|" -e 's/%i/three/g' \
    -e "s|/var/lib/connector-host/three|$W|" -e 's/ \$CONNECTOR_HOST_ARGS//')
$cmd >"$TMP/out" 2>"$TMP/err"
is "$?" 0 "the service's command syncs connector three"
is "$(sql "$W/files/warehouse.db" 'select count(*) from three')" 3 "into the working directory it names"
if command -v flock >/dev/null; then
    exec 9>>"$W/files/.connector-host.lock"
    flock -n 9
    $cmd >"$TMP/out" 2>"$TMP/err"
    is "$?" 75 "while another worker holds the lock, the same command exits 75: success to systemd"
    exec 9>&-
else
    pass "while another worker holds the lock, the same command exits 75 # SKIP flock(1) not installed"
fi

# systemd-analyze checks the units' syntax and the command's path; it needs no running systemd.
if command -v systemd-analyze >/dev/null; then
    mkdir -p "$TMP/units"
    sed -e "s|^ExecStart=[^ ]*/connector-host|ExecStart=$HOST|" "$UNIT" >"$TMP/units/connector-host@three.service"
    cp "$TIMER" "$TMP/units/connector-host@three.timer"
    out=$(systemd-analyze verify --man=no "$TMP/units/connector-host@three.service" "$TMP/units/connector-host@three.timer" 2>&1)
    is "$?|$out" "0|" "systemd-analyze verify accepts the service and the timer"
else
    pass "systemd-analyze verify accepts the service and the timer # SKIP systemd-analyze not installed"
fi

done_testing

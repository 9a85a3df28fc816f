#!/bin/sh
# hardening.sh - what a hostile user or plugin tried (issue 13), each closed: every case here
# failed on the code before its fix.
. "$TESTS_SRCDIR/lib.sh"

P="--plugin-dir $TEST_PLUGINS"
MARKER=$TEST_PLUGINS/.libs/initmark.so

# ---- a connector name is a name, never a path ------------------------------------------------
D=$TMP/plugins
mkdir -p "$D/a/b" "$D/tmp" "$D/sub"
cp "$MARKER" "$D/tmp/evil.so"
cp "$MARKER" "$D/sub/evil2.so"
for name in ../../tmp/evil sub/evil2 .hidden ..; do
    rm -f "$TMP/mark"
    INITMARK=$TMP/mark host run "$name" --plugin-dir "$D/a/b" --plugin-dir "$D" --working-dir "$TMP"
    is "$rc" 2 "run '$name': bad usage"
    like "$err" "is not valid: a name is 1 to 100 letters" "run '$name': the name is refused as a name"
    [ ! -e "$TMP/mark" ] && pass "run '$name': no plugin was loaded" || fail "run '$name': no plugin was loaded"
done
INITMARK=$TMP/mark host schema ../../tmp/evil --plugin-dir "$D/a/b"
is "$rc" 2 "schema with a path for a name: bad usage"
[ ! -e "$TMP/mark" ] && pass "schema: no plugin was loaded" || fail "schema: no plugin was loaded"
long=$(printf '%0200d' 0)
host run "x$long" --working-dir "$TMP"
is "$rc" 2 "a 201-character name: bad usage"
like "$err" "is not valid" "a 201-character name is refused as a name"
INITMARK=$TMP/mark host run initmark $P --working-dir "$TMP"
is "$rc" 0 "a real name still runs"
[ -e "$TMP/mark" ] && pass "and its plugin was loaded" || fail "and its plugin was loaded"

done_testing

# python_valgrind.sh - the Python runtime under valgrind: no invalid access, no use of
# uninitialised memory outside CPython, no definite leak (plugins/python/valgrind.supp).
. "$TESTS_SRCDIR/lib.sh"

if [ ! -e "$BUILD_PLUGINS/python.la" ]; then
    echo "1..0 # SKIP the Python runtime is not built (no python3-embed)"
    exit 0
fi
if ! command -v valgrind >/dev/null 2>&1; then
    echo "1..0 # SKIP valgrind is not installed (apt-get install valgrind)"
    exit 0
fi
if ldd "$HOST" 2>/dev/null | grep -q libasan; then
    echo "1..0 # SKIP an AddressSanitizer build: valgrind cannot run it (the sanitizer checks it instead)"
    exit 0
fi
SUPP="$TESTS_SRCDIR/../plugins/python/valgrind.supp"
vg() { # LABEL ARGS...: runs the host under valgrind
    label=$1
    shift
    PYTHONMALLOC=malloc valgrind -q --error-exitcode=99 --leak-check=full \
        --show-leak-kinds=definite --errors-for-leak-kinds=definite --suppressions="$SUPP" \
        "$HOST" "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    vgerr=$(grep '^==[0-9]*==' "$TMP/err" | head -20)
}
W=$(newdir w)
cp -r "$TESTS_SRCDIR/python/vg_ops" "$W/p"
vg ok run "$W/p" --working-dir "$W"
is "$rc" 0 "a sync through every operation and value path: exit 0 under valgrind"
is "$vgerr" "" "valgrind reports nothing"
is "$(sql "$W/files/warehouse.db" 'select count(*) from t')" 51 "and the rows landed"
vg fail run "$W/p" --working-dir "$W" --configuration "$(conf '{"fail": "1"}')"
is "$rc" 1 "an exception in update: exit 1 under valgrind"
is "$vgerr" "" "valgrind reports nothing on the failure path"
vg schema schema "$W/p"
is "$rc" 0 "schema PATH under valgrind"
is "$vgerr" "" "valgrind reports nothing for schema"
mkdir -p "$W/bad" && printf 'def update(c, s):\n  pass\nconnector = (\n' >"$W/bad/connector.py"
vg syntax run "$W/bad" --working-dir "$W"
is "$rc" 2 "a syntax error: exit 2 under valgrind"
is "$vgerr" "" "valgrind reports nothing for a syntax error"

done_testing

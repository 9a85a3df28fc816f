# runtimes.sh - runtimes (connectors built from files) and the ABI that can grow, with C test
# plugins only: fileruntime claims *.rows files; abi10 is built as ABI 1.0; abinewer needs 1.2.
. "$TESTS_SRCDIR/lib.sh"

P="--plugin-dir $TEST_PLUGINS"
W=$(newdir w)

# ---- ABI ------------------------------------------------------------------------------------
host run abi10 --working-dir "$W" $P
is "$rc" 0 "a plugin built against ABI 1.0 (ch_register, five fields) still loads and syncs"
is "$(sql "$W/files/warehouse.db" 'select id, built from t')" "1|abi 1.0" "its rows land"
host run abinewer --working-dir "$W" $P
is "$rc" 2 "a plugin built for a newer minor ABI: bad usage"
like "$err" "abinewer: built for connector-host ABI 1.2, this host provides ABI 1.1; install a newer connector-host or rebuild the plugin" "the refusal names both versions"
host list $P
like "$err" "skipping plugin: $TEST_PLUGINS/abinewer: built for connector-host ABI 1.2" "list skips it with the reason"

# ---- a runtime: run PATH --------------------------------------------------------------------
printf '1 one\n2 two\n' >"$TMP/my-items.rows"
printf '{"b": "2", "a": "1", "c": "3"}\n' >"$TMP/c.json"
MARK=$TMP/mark
FILERUNTIME_MARK=$MARK host run "$TMP/my-items.rows" --working-dir "$W" $P --configuration "$TMP/c.json"
is "$rc" 0 "run PATH: the runtime that claims it builds the connector"
DB=$W/files/warehouse.db
is "$(sql "$DB" 'select id, label from items order by id' | tr '\n' ' ')" "1|one 2|two " "its rows land"
is "$(sql "$DB" "select type from _connector_columns where table_name = 'items' and column_name = 'id'")" "LONG" "a key column without a declared type (ch_table_key_column) is typed by its first value, beside declared columns"
is "$(sql "$DB" 'select n, k, v from config order by n' | tr '\n' ' ')" "0|b|2 1|a|1 2|c|3 " "ch_config_count/key_at/value_at walk the configuration in file order"
like "$(cat "$W/files/state/my-items.json")" "\"working_dir\":\"$W\"" "ch_config_working_dir is the absolute working directory"
like "$err" "[connector:my-items] declaring the tables of my-items" "ch_message logs for the connector outside a sync"
like "$err" "sync of connector 'my-items' ($TMP/my-items.rows)" "the log names the connector the runtime built, and its file"
matches "$out" "^Sync summary for connector 'my-items'" "the summary names it too"
is "$(cat "$MARK" | tr '\n' ',')" "connector shutdown,runtime shutdown," "shutdown hooks: the connector's, then the runtime's, once each"

host schema "$TMP/my-items.rows" $P
is "$rc" 0 "schema PATH works"
like "$out" "\"path\": \"$TMP/my-items.rows\"" "schema shows the path"
like "$out" '"name": "items"' "and the declared table"

B=$(newdir dry)
host run "$TMP/my-items.rows" --working-dir "$B" $P --dry-run
is "$rc" 0 "--dry-run of a PATH"
[ ! -e "$B/files" ] && pass "the dry run wrote nothing" || fail "the dry run wrote nothing"

# A PATH without --working-dir: files/ goes beside the file (its project directory).
mkdir -p "$TMP/proj"
printf '7 seven\n' >"$TMP/proj/p.rows"
host run "$TMP/proj/p.rows" $P
is "$rc" 0 "run PATH without --working-dir"
is "$(sql "$TMP/proj/files/warehouse.db" 'select id from items')" "7" "files/ is in the file's directory"
(cd "$TMP/proj" && "$HOST" run ./p.rows $P >/dev/null 2>&1)
is "$?" 0 "run ./FILE from its directory"

# ---- what goes wrong ------------------------------------------------------------------------
printf 'fail-open\n' >"$TMP/bad.rows"
host run "$TMP/bad.rows" --working-dir "$W" $P
is "$rc" 2 "a runtime that cannot build the connector: bad usage"
like "$err" "$TMP/bad.rows: $TMP/bad.rows:1: fail-open on purpose" "its reason, with file and line"
printf 'fail-schema\n' >"$TMP/sch.rows"
host run "$TMP/sch.rows" --working-dir "$W" $P
is "$rc" 1 "ch_schema_fail: the sync fails"
like "$out" "SYNC FAILED: connector 'sch': schema handler failed: sch: fail-schema on purpose" "with the handler's reason"
host run "$TMP/nothing.rows" --working-dir "$W" $P
is "$rc" 2 "a path that does not exist: bad usage"
like "$err" "'$TMP/nothing.rows': No such file or directory" "said"
touch "$TMP/x.unknown"
host run "$TMP/x.unknown" --working-dir "$W" $P
is "$rc" 2 "a path no runtime claims: bad usage"
like "$err" "no runtime claims it; runtimes: " "the runtimes are listed"
like "$err" "rows (test runtime: *.rows files)" "with what they claim"
E=$(newdir empty)
host run "$TMP/my-items.rows" --working-dir "$W" --plugin-dir "$E" --plugin-dir "$E"
# the build tree's plugins are searched too: without a runtime there, the message says so
if [ "$rc" = 2 ]; then like "$err" "no runtime claims it" "without the test plugins, no runtime claims a .rows file"; else fail "without the test plugins, no runtime claims a .rows file" "rc=$rc"; fi
mkdir -p "$TMP/ambig" && printf '1 x\n' >"$TMP/ambig/items.rows"
(cd "$TMP/ambig" && "$HOST" run items $P >"$TMP/o" 2>"$TMP/e")
like "$(cat "$TMP/e")" "connector 'items' not found" "a plain name is a connector name, never a file"
host list $P
like "$out" "runtimes (connector-host run PATH):" "list has a runtimes section"
matches "$out" "^rows +test runtime: \*\.rows files" "list names the runtime"
# Sorted by name, whatever order the directories list their files in; runtimes apart.
names=$(printf '%s\n' "$out" | sed -n '/^runtimes/q; /^[^ ]/s/ .*//p')
is "$(printf '%s\n' "$names" | wc -l | awk '$1 > 20 { print "many" }')" many "list shows the test plugins' connectors"
is "$names" "$(printf '%s\n' "$names" | LC_ALL=C sort)" "list shows connectors sorted by name"
runtimes=$(printf '%s\n' "$out" | sed -n '/^runtimes/,$p' | sed -n '2,$ { /^[^ ]/s/ .*//p; }' | tr '\n' ' ')
if [ -e "$BUILD_PLUGINS/python.la" ]; then
    # the test plugins' rows is loaded before the build tree's python
    is "$runtimes" "python rows " "list shows runtimes sorted by name"
else
    is "$runtimes" "rows " "list shows the one runtime (no Python runtime built)"
fi

done_testing

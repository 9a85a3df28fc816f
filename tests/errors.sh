# errors.sh - every failure path says what and where, exits non-zero, and loses nothing.
. "$TESTS_SRCDIR/lib.sh"

P="--plugin-dir $TEST_PLUGINS"

# A working directory with one good sync, to check failures leave it untouched.
W=$(newdir w)
host run three --working-dir "$W"
is "$rc" 0 "baseline sync"
before=$(snapshot "$W")
unchanged() { is "$(snapshot "$W")" "$before" "$1: warehouse and state.json unchanged"; }

# Unknown connector.
host run nope --working-dir "$W" $P
is "$rc" 2 "unknown connector: exit 2"
like "$err" "connector 'nope' not found; searched $TEST_PLUGINS, " "unknown connector: lists the directories searched"
like "$err" "$BUILD_PLUGINS" "unknown connector: the build tree's plugins are searched"
matches "$err" "available connectors: .*three" "unknown connector: lists available connectors"
unchanged "unknown connector"
E=$(newdir empty)
host run nope --working-dir "$E"
[ ! -e "$E/files" ] && pass "unknown connector: nothing created" || fail "unknown connector: nothing created"

# Plugin without the entry point.
host run noentry --working-dir "$W" $P
is "$rc" 2 "no entry point: exit 2"
like "$err" "$TEST_PLUGINS/noentry: not a connector plugin: it does not export the entry point connector_plugin_init()" "no entry point: message names plugin and symbol"
unchanged "no entry point"

# Plugin built against another ABI.
host run badabi --working-dir "$W" $P
is "$rc" 2 "ABI mismatch: exit 2"
like "$err" "$TEST_PLUGINS/badabi: built for connector-host ABI version 42, this host provides ABI version 1" "ABI mismatch: both versions"
unchanged "ABI mismatch"

# A file that is not a shared object.
B=$(newdir broken)
echo "not an ELF file" >"$B/junk.so"
host run junk --working-dir "$W" --plugin-dir "$B"
is "$rc" 2 "unloadable file: exit 2"
like "$err" "$B/junk: cannot load plugin:" "unloadable file: the loader's message"

# Malformed configuration.json: syntax, then shape; given and default.
host run three --working-dir "$W" --configuration "$TESTS_SRCDIR/data/bad-config-syntax.json"
is "$rc" 2 "configuration syntax error: exit 2"
like "$err" "bad-config-syntax.json:3:12:" "configuration syntax error: file, line and column"
unlike "$err" "s3cr3t" "configuration values are not printed"
unchanged "configuration syntax error"
cp "$TESTS_SRCDIR/data/bad-config-shape.json" "$W/configuration.json"
host run three --working-dir "$W"
is "$rc" 2 "configuration shape error: exit 2"
like "$err" "$W/configuration.json:3:13: value of key \"region\" must be a string, not an array" "configuration shape error: default file, position and key"
rm "$W/configuration.json"
unchanged "configuration shape error"
host run three --working-dir "$W" --configuration "$TMP/none.json"
is "$rc" 2 "missing configuration file: exit 2"
like "$err" "cannot read configuration: $TMP/none.json: No such file or directory" "missing configuration file named"

# Required configuration keys.
host run needsconfig --working-dir "$W" $P
is "$rc" 2 "missing required keys: exit 2"
like "$err" "connector 'needsconfig' needs configuration keys missing from its configuration (no configuration.json found): api_key (secret token for the source API), region (source region)" "missing keys listed with descriptions"
unchanged "missing required keys"
printf '{"api_key": "s3cr3t-value", "region": "eu"}' >"$TMP/good.json"
host run needsconfig --working-dir "$W" $P --configuration "$TMP/good.json" --log-level FINE
is "$rc" 0 "required keys present: exit 0"
unlike "$out$err" "s3cr3t-value" "the secret is never logged"
is "$(sql "$W/files/warehouse.db" 'select region, key_length, length(_fivetran_id) from seen')" "eu|12|32" "keyless table gets _fivetran_id"
host run needsconfig --working-dir "$W" $P --configuration "$TMP/good.json"
is "$(sql "$W/files/warehouse.db" 'select count(*) from seen')" 1 "same row again: same _fivetran_id, no duplicate"
host schema needsconfig $P
like "$(echo "$out" | tr -d ' \n')" '{"name":"api_key","description":"secrettokenforthesourceAPI","required":true}' "schema shows configuration keys"
host list --verbose $P
like "$out" "configuration: page_size (rows per request)" "list --verbose shows configuration keys"
host run three --working-dir "$W"
before=$(snapshot "$W")

# Operation without its primary key value: the sync fails, the checkpoint survives.
host run badpk --working-dir "$W" $P
is "$rc" 1 "missing key value: exit 1"
like "$out" "SYNC FAILED: upsert on table 'items', column 'id', operation 3: no value for this primary key column" "missing key value: table, column and operation named"
like "$err" "rolling back 1 operation after the last checkpoint" "missing key value: rollback said"
is "$(sql "$W/files/warehouse.db" 'select id, name from items')" "1|committed" "missing key value: only the checkpointed row"
is "$(cat "$W/files/state/badpk.json")" '{"cursor":"1"}' "missing key value: its state file at the checkpoint"
is "$(sql "$W/files/warehouse.db" "select state from _connector_state where connector = 'badpk'")" '{"cursor":"1"}' "missing key value: warehouse state at the checkpoint"
is "$(sql "$W/files/warehouse.db" 'select count(*) from three')" 6 "missing key value: other tables untouched"
printf '{"mode": "null"}' >"$TMP/null.json"
host run badpk --working-dir "$W" $P --configuration "$TMP/null.json"
is "$rc" 1 "NULL key value: exit 1"
like "$out" "SYNC FAILED: upsert on table 'items', column 'id', operation 3 (key id=NULL): this primary key column is NULL" "NULL key value named"
is "$(sql "$W/files/warehouse.db" 'select count(*) from items')" 1 "NULL key value: nothing more committed"
before=$(snapshot "$W")

# Update handler failures after a checkpoint.
host run failing --working-dir "$W" $P
is "$rc" 1 "failing connector: exit 1"
like "$out" "SYNC FAILED: source API answered 503 after row 6" "failing connector: its reason"
is "$(sql "$W/files/warehouse.db" 'select group_concat(n) from numbers')" "1,2,3" "failing connector: rows after the checkpoint rolled back"
is "$(cat "$W/files/state/failing.json")" '{"done":"3"}' "failing connector: state at the checkpoint"
host run failing_silent --working-dir "$W" $P
is "$rc" 1 "silent failure: exit 1"
like "$out" "SYNC FAILED: the update handler returned an error" "silent failure: generic reason"
host run tail --working-dir "$W" $P
is "$rc" 0 "operations after the last checkpoint: exit 0"
like "$err" "committing 3 operations after the last checkpoint, with the state unchanged" "tail commit said"
is "$(sql "$W/files/warehouse.db" 'select count(*) from numbers')" 6 "tail operations committed"
is "$(cat "$W/files/state/tail.json")" '{"done":"3"}' "tail: the last checkpointed state is kept"
before=$(snapshot "$W")

# Invalid schema: refused before any operation.
host run badschema --working-dir "$W" $P
is "$rc" 1 "invalid schema: exit 1"
like "$err" "invalid schema (5 errors)" "invalid schema: every error counted"
like "$err" "table 'orders', column 'amount': type 'DECIMAL(40,2)': DECIMAL precision must be between 1 and 38" "invalid schema: bad DECIMAL"
like "$err" "unknown type 'TEXTY'" "invalid schema: unknown type"
like "$err" "primary key column 'order_id' is not among its declared columns" "invalid schema: unknown key column"
unlike "$err" "must never run" "invalid schema: update handler not called"
unchanged "invalid schema"

done_testing

# demo_hello.sh - the hello demo connector: one keyless table, one row, keyed by _fivetran_id.
. "$TESTS_SRCDIR/lib.sh"

W=$(newdir w)
DB="$W/files/warehouse.db"
host run hello --working-dir "$W"
is "$rc" 0 "hello exits 0"
like "$out" "SYNC SUCCEEDED" "summary says SYNC SUCCEEDED"
matches "$out" '^hello +1 +0 +0 +0 +1 +0$' "summary row: 1 upsert, 1 schema change (the new table)"
matches "$out" '^total +1 +0 +0 +0 +1 +1 +0$' "summary total: 1 checkpoint"
like "$err" "[connector:hello] said hello" "the connector's log line"
like "$err" "table 'hello' was not declared; creating it" "the host creates the undeclared table"

is "$(sql "$DB" 'select message from hello')" "hello, world" "one row: hello, world"
is "$(sql "$DB" "select group_concat(name || ' ' || type || ' ' || pk, ', ') from pragma_table_info('hello')")" \
    "message TEXT 0, _fivetran_id TEXT 1, _fivetran_synced TEXT 0, _fivetran_deleted INTEGER 0" \
    "columns: message, then _fivetran_id as the key, then the system columns"
is "$(sql "$DB" "select type from _connector_columns where table_name = 'hello' and column_name = 'message'")" \
    STRING "message is typed STRING from its first value"
id1=$(sql "$DB" 'select _fivetran_id from hello')
matches "$id1" '^[0-9a-f]{32}$' "_fivetran_id is a 32-digit hex hash"
synced1=$(sql "$DB" 'select _fivetran_synced from hello')
is "$(cat "$W/files/state.json")" "{}" "state stays {}"

# Same values, same hash: a second run replaces the row instead of adding one.
sleep 0.01
host run hello --working-dir "$W"
is "$rc" 0 "second run exits 0"
matches "$out" '^hello +1 +0 +0 +0 +0 +0$' "second run: 1 upsert, no schema change"
is "$(sql "$DB" 'select count(*) from hello')" 1 "still one row"
is "$(sql "$DB" 'select _fivetran_id from hello')" "$id1" "the same _fivetran_id"
synced2=$(sql "$DB" 'select _fivetran_synced from hello')
[ "$synced2" \> "$synced1" ] && pass "the row was rewritten (_fivetran_synced moved on)" ||
    fail "the row was rewritten" "first: $synced1" "second: $synced2"

# The hash depends only on the values: a fresh warehouse gives the same key.
W2=$(newdir w2)
host run hello --working-dir "$W2"
is "$(sql "$W2/files/warehouse.db" 'select _fivetran_id from hello')" "$id1" "a fresh warehouse gives the same _fivetran_id"

host list
matches "$out" '^hello +The smallest connector' "list shows hello"

# The operation stream through the jsonl destination, against a reviewed golden file.
W=$(newdir jsonl)
host run hello --working-dir "$W" --destination "jsonl:$TMP/hello.jsonl"
is "$rc" 0 "run into jsonl exits 0"
golden "$TMP/hello.jsonl" "$TESTS_SRCDIR/golden/hello.jsonl" "the stream matches tests/golden/hello.jsonl"

done_testing

# three.sh - the seed connector end to end, into the embedded SQLite warehouse.
. "$TESTS_SRCDIR/lib.sh"

W=$(newdir w)
DB="$W/files/warehouse.db"
host run three --working-dir "$W"
is "$rc" 0 "first run exits 0"
like "$out" "SYNC SUCCEEDED" "summary says SYNC SUCCEEDED"
matches "$out" '^three +3 +1 +1 +0 +1 +0$' "summary row: 3 upserts, 1 update, 1 delete, 1 schema change"
matches "$out" '^total +3 +1 +1 +0 +1 +1 +0$' "summary total: 1 checkpoint"
like "$err" "[connector:three] upserted row 1 with id" "connector log lines are marked as the connector's"
like "$err" "[host] sync of connector 'three'" "host log lines are marked as the host's"

is "$(sql "$DB" 'select count(*) from three')" 3 "3 rows"
is "$(sql "$DB" 'select group_concat(val_2) from (select val_2 from three order by val_2)')" "0,1,2" "val_2 is 0,1,2"
is "$(sql "$DB" 'select val_1 from three where val_2 = 1')" abc "row 2 val_1 is abc"
is "$(sql "$DB" 'select count(*) from three where val_2 in (0, 2) and val_1 = id')" 2 "rows 1 and 3 keep val_1 = id"
is "$(sql "$DB" 'select group_concat(_fivetran_deleted) from (select _fivetran_deleted from three order by val_2)')" "0,0,1" "only row 3 is soft-deleted"
is "$(sql "$DB" 'select count(distinct id) from three')" 3 "ids are distinct"
is "$(sql "$DB" "select count(*) from three where id glob '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-4[0-9a-f][0-9a-f][0-9a-f]-[89ab][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]'")" 3 "ids are version-4 UUIDs"
is "$(sql "$DB" "select count(*) from three where _fivetran_synced glob '20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z'")" 3 "_fivetran_synced is a UTC time"
is "$(sql "$DB" "select typeof(val_2) || typeof(id) || typeof(_fivetran_deleted) from three limit 1")" "integertextinteger" "storage classes follow the types"
is "$(sql "$DB" "select type from pragma_table_info('three') where pk = 1")" "TEXT" "id is the primary key"

[ -f "$W/files/state.json" ] && pass "state.json exists" || fail "state.json exists"
is "$(cat "$W/files/state.json")" "$(sql "$DB" "select state from _connector_state where connector = 'three'")" "state.json equals the warehouse's state"
is "$(cat "$W/files/state.json")" "{\"last_id\":\"$(sql "$DB" 'select id from three where val_2 = 0')\"}" "state holds the first row's id"
[ ! -e "$W/files/state.json.tmp" ] && pass "no temporary state file left" || fail "no temporary state file left"

host run three --working-dir "$W"
is "$rc" 0 "second run exits 0"
like "$err" "state {\"last_id\":" "second run starts from the stored state"
matches "$out" '^three +3 +1 +1 +0 +0 +0$' "second run: no schema change"
is "$(sql "$DB" 'select count(*) from three')" 6 "second run: 6 rows"
is "$(sql "$DB" 'select count(*) from three where _fivetran_deleted = 1')" 2 "second run: 2 soft-deleted"
is "$(sql "$DB" "select count(*) from three where val_1 = 'abc'")" 2 "second run: 2 updated"

# Working directory given as the current directory, and JSON logs.
W2=$(newdir w2)
(cd "$W2" && "$HOST" run three --log-format json >"$TMP/out" 2>"$TMP/err")
rc=$?
is "$rc" 0 "run from inside the working directory"
[ -f "$W2/files/warehouse.db" ] && pass "default warehouse is files/warehouse.db" || fail "default warehouse is files/warehouse.db"
matches "$(cat "$TMP/err")" '^\{"level":"INFO","message":"upserted row 1 with id [0-9a-f-]{36}","source":"connector:three","time":"[0-9T:.Z-]+"\}$' "JSON log line from the connector"
bad=$(grep -cv '^{"level":"[A-Z]*","message":".*","source":"[a-z:]*","time":"[0-9T:.Z-]*"}$' "$TMP/err")
is "$bad" 0 "every log line is one JSON object"
like "$(cat "$TMP/out")" '"result":"SYNC SUCCEEDED"' "JSON summary"
like "$(cat "$TMP/out")" '"table":"three","destination_table":"three","upserts":3,"updates":1,"deletes":1' "JSON summary counts"

host run three --working-dir "$W2" --log-level WARNING
is "$rc" 0 "run with --log-level WARNING"
is "$err" "" "no INFO lines at WARNING"
host run three --working-dir "$W2" --log-level FINE
like "$err" "FINE    [host] checkpoint 1 committed" "FINE shows checkpoints"

# A destination given explicitly.
host run three --working-dir "$W2" --destination "sqlite:$TMP/other.db"
is "$rc" 0 "run into --destination sqlite:PATH"
is "$(sql "$TMP/other.db" 'select count(*) from three')" 3 "rows land in the given file"
host run three --working-dir "$W2" --destination "mysql://x"
is "$rc" 2 "unknown destination: exit 2 (bad usage)"
like "$err" "unknown destination 'mysql://x'" "unknown destination named"
host run three --working-dir "$W2" --destination "postgresql://u@h/db?nosuch=1"
is "$rc" 2 "malformed PostgreSQL destination: exit 2 (bad usage)"
like "$err" "destination 'postgresql://u@h/db?nosuch=1': invalid URI query parameter: \"nosuch\"" "malformed PostgreSQL destination refused with libpq's reason"

# Without the writer thread (CONNECTOR_HOST_WRITER=0), the same sync gives the same rows.
W3=$(newdir w3)
CONNECTOR_HOST_WRITER=0 host run three --working-dir "$W3"
is "$rc" 0 "run without the writer thread"
is "$(sql "$W3/files/warehouse.db" 'select count(*), sum(_fivetran_deleted), sum(val_1 = '"'abc'"') from three')" "3|1|1" "same rows without the writer thread"

# schema and list.
host schema three
is "$rc" 0 "schema exits 0"
like "$out" '"primary_key": [' "schema has a primary key"
like "$(echo "$out" | tr -d ' \n')" '"primary_key":["id"],"columns":[{"name":"id","destination_name":"id","type":"STRING"},{"name":"val1","destination_name":"val_1","type":"STRING"},{"name":"val2","destination_name":"val_2","type":"INT"}]' "schema lists typed columns"
host list
is "$rc" 0 "list exits 0"
matches "$out" '^three +Upserts three rows' "list shows three and its description"
like "$out" "plugin: $BUILD_PLUGINS/three" "list shows the plugin file"

# The plugin search path from the environment.
CONNECTOR_PLUGIN_PATH="$TEST_PLUGINS" host list
like "$out" "needsconfig" "CONNECTOR_PLUGIN_PATH is searched"
like "$err" "noentry" "broken plugins are reported by list"

# reset forgets everything.
host reset --working-dir "$W"
is "$rc" 0 "reset exits 0"
like "$out" "removed $W/files/warehouse.db" "reset says what it removed"
like "$out" "removed $W/files/state.json" "reset removes state.json"
[ ! -e "$DB" ] && pass "warehouse gone" || fail "warehouse gone"
host reset --working-dir "$W"
like "$out" "nothing to remove" "reset twice: nothing to remove"
host run three --working-dir "$W"
like "$err" "no state stored for connector 'three': starting fresh" "after reset the sync starts fresh"
is "$(sql "$DB" 'select count(*) from three')" 3 "after reset: 3 rows"

# state.json lost or damaged: the warehouse's copy wins and the file is rewritten.
want=$(cat "$W/files/state.json")
echo '{"last_id":"tampered"' >"$W/files/state.json"
host run three --working-dir "$W" --log-level FINE
like "$err" "differs from the state committed in the warehouse" "damaged state.json is noticed"
like "$err" "state {\"last_id\":\"${want#*:\"}" "the sync starts from the warehouse's state"

done_testing

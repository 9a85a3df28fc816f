# demo_unspecified_types.sh - the unspecified_types demo: types inferred from values, widened
# within a sync and across syncs.
. "$TESTS_SRCDIR/lib.sh"

W=$(newdir w)
DB="$W/files/warehouse.db"
# rec COLUMN: the type the host recorded for readings.COLUMN.
rec() { sql "$DB" "select type from _connector_columns where table_name = 'readings' and column_name = '$1'"; }
# val ID COLUMN: storage class and value of one cell ("real|2.5").
val() { sql "$DB" "select typeof($2) || '|' || $2 from readings where id = $1"; }

# Sync 1: rows 1-3.
host run unspecified_types --working-dir "$W"
is "$rc" 0 "sync 1 exits 0"
matches "$out" '^readings +3 +0 +0 +0 +5 +0$' "sync 1: 5 schema changes (the table, 3 widenings, 1 new column)"
like "$err" "table 'readings': new column 'count' of type INT" "count starts as INT"
like "$err" "table 'readings': column 'count' widened from INT to LONG" "count widens INT -> LONG"
like "$err" "table 'readings': column 'count' widened from LONG to DOUBLE" "count widens LONG -> DOUBLE"
like "$err" "table 'readings': column 'code' widened from INT to STRING" "code widens INT -> STRING"
like "$err" "table 'readings': new column 'note' of type STRING" "note is typed by its first non-NULL value"
is "$(rec id)" INT "id: INT"
is "$(rec count)" DOUBLE "count: DOUBLE"
is "$(rec code)" STRING "code: STRING"
is "$(rec flag)" BOOLEAN "flag: BOOLEAN"
is "$(rec day)" NAIVE_DATE "day: NAIVE_DATE"
is "$(rec note)" STRING "note: STRING"
is "$(rec comment)" "" "comment does not exist yet"
is "$(val 1 count)" "real|1.0" "row 1's INT 1 became the DOUBLE 1.0"
is "$(val 2 count)" "real|5000000000.0" "row 2's LONG became a DOUBLE exactly"
is "$(val 3 count)" "real|2.5" "row 3's count"
is "$(val 1 code)" "text|42" "row 1's INT 42 became the STRING 42"
is "$(val 2 code)" "text|A-7" "row 2's code"
is "$(val 1 flag)" "integer|1" "row 1's flag is a BOOLEAN"
is "$(val 1 day)" "text|2024-01-01" "row 1's day"
is "$(sql "$DB" 'select quote(note) from readings where id = 1')" "NULL" "row 1's note is NULL"
is "$(cat "$W/files/state.json")" '{"syncs":"1"}' "state counts 1 sync"

# Sync 2: row 4 widens a type recorded by sync 1 and adds a column.
host run unspecified_types --working-dir "$W"
is "$rc" 0 "sync 2 exits 0"
matches "$out" '^readings +1 +0 +0 +0 +2 +0$' "sync 2: 2 schema changes"
like "$err" "table 'readings': column 'flag' widened from BOOLEAN to STRING" "flag widens BOOLEAN -> STRING across syncs"
like "$err" "table 'readings': new column 'comment' of type STRING" "comment is added"
unlike "$err" "column 'count' widened" "a SHORT into a DOUBLE column widens nothing"
is "$(rec flag)" STRING "flag: STRING"
is "$(rec count)" DOUBLE "count: still DOUBLE"
is "$(val 1 flag)" "text|true" "row 1's BOOLEAN true became the STRING true"
is "$(val 4 flag)" "text|unknown" "row 4's flag"
is "$(val 4 count)" "real|3.0" "row 4's SHORT 3 stored as the DOUBLE 3.0"
is "$(val 4 comment)" "text|added in sync 2" "row 4's comment"
is "$(sql "$DB" 'select quote(comment) from readings where id = 1')" "NULL" "older rows have NULL in the new column"
is "$(cat "$W/files/state.json")" '{"syncs":"2"}' "state counts 2 syncs"

# Sync 3: row 4 again; the recorded types hold it, so nothing changes.
host run unspecified_types --working-dir "$W"
is "$rc" 0 "sync 3 exits 0"
matches "$out" '^readings +1 +0 +0 +0 +0 +0$' "sync 3: no schema change"
is "$(sql "$DB" 'select count(*) from readings')" 4 "4 rows"
is "$(cat "$W/files/state.json")" '{"syncs":"3"}' "state counts 3 syncs"

# Sync 1's operation stream through the jsonl destination, against a reviewed golden file: the
# inferred types, then change_type and add_column just before the row that needs them.
W=$(newdir jsonl)
host run unspecified_types --working-dir "$W" --destination "jsonl:$TMP/unspecified_types.jsonl"
is "$rc" 0 "run into jsonl exits 0"
golden "$TMP/unspecified_types.jsonl" "$TESTS_SRCDIR/golden/unspecified_types.jsonl" "the stream matches tests/golden/unspecified_types.jsonl"

done_testing

# demo_specified_types.sh - the specified_types demo: a declared column of every type, exactly.
. "$TESTS_SRCDIR/lib.sh"

W=$(newdir w)
DB="$W/files/warehouse.db"
host run specified_types --working-dir "$W"
is "$rc" 0 "run exits 0"
matches "$out" '^all_types +2 +0 +0 +0 +1 +0$' "summary row: 2 upserts, 1 schema change (the new table)"

# The exact types, as declared, are recorded by the host; SQLite's storage follows them.
is "$(sql "$DB" "select group_concat(x, ', ') from (select c.column_name || ' ' || c.type as x from pragma_table_info('all_types') p join _connector_columns c on c.table_name = 'all_types' and c.column_name = p.name order by p.cid)")" \
    "id INT, is_active BOOLEAN, small SHORT, medium INT, large LONG, price DECIMAL(10,2), ratio FLOAT, measure DOUBLE, birthday NAIVE_DATE, alarm NAIVE_TIME, local_time NAIVE_DATETIME, instant UTC_DATETIME, payload BINARY, document XML, name STRING, attributes JSON" \
    "recorded types: every SPEC type, as declared"
is "$(sql "$DB" "select group_concat(name || ' ' || type, ', ') from pragma_table_info('all_types')")" \
    "id INTEGER, is_active INTEGER, small INTEGER, medium INTEGER, large INTEGER, price TEXT, ratio REAL, measure REAL, birthday TEXT, alarm TEXT, local_time TEXT, instant TEXT, payload BLOB, document TEXT, name TEXT, attributes TEXT, _fivetran_synced TEXT, _fivetran_deleted INTEGER" \
    "SQLite storage of each type"

# val ID COLUMN WANT: the storage class and the value ("integer|1").
val() { is "$(sql "$DB" "select typeof($2) || '|' || $2 from all_types where id = $1")" "$3" "row $1 $2: $3"; }
# hexof ID COLUMN WANT: the storage class and bytes in hex (REALs as their IEEE 754 bits).
hexof() { is "$(sql "$DB" "select typeof($2) || '|' || $3 from all_types where id = $1")" "$4" "row $1 $2: $4"; }

val 1 is_active "integer|1"
val 1 small "integer|12345"
val 1 medium "integer|2000000000"
val 1 large "integer|9000000000000000000"
val 1 price "text|19.90" # given as 19.9
hexof 1 ratio "hex(ieee754_to_blob(ratio))" "real|3FD0000000000000" # 0.25
hexof 1 measure "hex(ieee754_to_blob(measure))" "real|400921FB54442D18" # pi
val 1 birthday "text|1990-07-15"
val 1 alarm "text|06:30:00.000000"
val 1 local_time "text|2024-03-10T02:30:00.000000"
val 1 instant "text|2024-03-10T07:00:00.000000Z" # given as 08:00:00+01:00
hexof 1 payload "hex(payload)" "blob|CAFE0001"
val 1 document 'text|<note lang="en">hi</note>'
hexof 1 name "hex(name)" "text|5A6FC3AB" # Zoë in UTF-8
val 1 attributes 'text|{"tags":["a","b"],"score":9.5}'

val 2 is_active "integer|0"
val 2 small "integer|-32768"
val 2 medium "integer|-2147483648"
val 2 large "integer|-9223372036854775808"
val 2 price "text|-99999999.99"
hexof 2 ratio "hex(ieee754_to_blob(ratio))" "real|BFF8000000000000" # -1.5
hexof 2 measure "hex(ieee754_to_blob(measure))" "real|81A56E1FC2F8F359" # -1e-300
val 2 birthday "text|2024-02-29"
val 2 alarm "text|23:59:59.999999"
val 2 local_time "text|1999-12-31T23:59:59.000000" # given with a space
val 2 instant "text|1999-12-31T23:59:59.000000Z"
hexof 2 payload "hex(payload)" "blob|" # empty, not NULL
hexof 2 document "quote(document)" "null|NULL"
hexof 2 name "quote(name)" "text|''"
val 2 attributes "text|null" # JSON null, not SQL NULL

# Every run writes the same two rows: nothing changes but _fivetran_synced.
before=$(sql "$DB" 'select * from all_types' | sed 's/|[0-9T:.-]*Z|0$//')
host run specified_types --working-dir "$W"
is "$rc" 0 "second run exits 0"
matches "$out" '^all_types +2 +0 +0 +0 +0 +0$' "second run: no schema change"
is "$(sql "$DB" 'select * from all_types' | sed 's/|[0-9T:.-]*Z|0$//')" "$before" "second run: the same rows"

# The operation stream through the jsonl destination, against a reviewed golden file: each
# type's JSON encoding (DECIMAL as a string, BINARY as base64, JSON embedded).
W=$(newdir jsonl)
host run specified_types --working-dir "$W" --destination "jsonl:$TMP/specified_types.jsonl"
is "$rc" 0 "run into jsonl exits 0"
golden "$TMP/specified_types.jsonl" "$TESTS_SRCDIR/golden/specified_types.jsonl" "the stream matches tests/golden/specified_types.jsonl"

done_testing

# pg.sh - the PostgreSQL destination end to end: the `three` connector, every SPEC type read
# back with psql, schema evolution, and the merge's order of operations (workload connector),
# against a throwaway server (tests/pgserver.sh; skipped loudly without the server binaries).
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/pgserver.sh"

P="--plugin-dir $TEST_PLUGINS"
# dest SCHEMA: the destination spec for a schema of the test server.
dest() { echo "$PGURI&schema=$1"; }

# ---- three ----------------------------------------------------------------------------------
W=$(newdir three)
host run three --working-dir "$W" --destination "$(dest s3)"
is "$rc" 0 "three: first run exits 0"
like "$out" "SYNC SUCCEEDED" "three: SYNC SUCCEEDED"
matches "$out" '^three +3 +1 +1 +0 +1 +0$' "three: 3 upserts, 1 update, 1 delete, 1 schema change"
like "$err" "into postgresql://chtest@$PGSOCK:5432/postgres?schema=s3" "the log names server, database and schema"
is "$(psql_q 'select count(*) from s3.three')" 3 "three: 3 rows"
is "$(psql_q 'select string_agg(val_2::text, $$,$$ order by val_2) from s3.three')" "0,1,2" "three: val_2 is 0,1,2"
is "$(psql_q 'select val_1 from s3.three where val_2 = 1')" abc "three: the partial update set val_1 of row 2"
is "$(psql_q 'select count(*) from s3.three where val_2 in (0, 2) and val_1 = id')" 2 "three: rows 1 and 3 keep val_1 = id"
is "$(psql_q 'select string_agg(_fivetran_deleted::text, $$,$$ order by val_2) from s3.three')" "false,false,true" "three: only row 3 is soft-deleted"
is "$(psql_q "select string_agg(column_name || ' ' || data_type, ', ' order by ordinal_position) from information_schema.columns where table_schema = 's3' and table_name = 'three'")" \
    "id text, val_1 text, val_2 integer, _fivetran_synced timestamp with time zone, _fivetran_deleted boolean" \
    "three: column types per SPEC, with the system columns"
is "$(psql_q "select a.attname from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey) where i.indrelid = 's3.three'::regclass and i.indisprimary")" id "three: id is the primary key"
is "$(psql_q 'select state from s3._connector_state where connector = $$three$$')" "$(cat "$W/files/state.json")" "three: the state is stored in the destination, equal to state.json"
is "$(psql_q "select count(*) from s3.three where _fivetran_synced > now() - interval '1 hour'")" 3 "three: _fivetran_synced is the write time"
[ ! -e "$W/files/warehouse.db" ] && pass "three: no SQLite warehouse is made" || fail "three: no SQLite warehouse is made"

host run three --working-dir "$W" --destination "$(dest s3)"
is "$rc" 0 "three: second run exits 0"
like "$err" "state {\"last_id\":" "three: the second run starts from the state stored in PostgreSQL"
matches "$out" '^three +3 +1 +1 +0 +0 +0$' "three: second run, no schema change"
is "$(psql_q 'select count(*), count(*) filter (where _fivetran_deleted), count(*) filter (where val_1 = $$abc$$) from s3.three')" "6|2|2" "three: second run, 6 rows, 2 deleted, 2 updated"

# postgres:// is the same destination; without schema= the tables go to public.
host run three --working-dir "$(newdir three-public)" --destination "postgres://chtest@/postgres?host=$PGSOCK"
is "$rc" 0 "postgres:// without schema= exits 0"
is "$(psql_q 'select count(*) from public.three')" 3 "without schema=, the tables are in public"
# A schema that needs quoting is created and used as given.
host run three --working-dir "$(newdir three-odd)" --destination "$(dest 'My%20Schema')"
is "$rc" 0 "a schema name with a space and capitals"
is "$(psql_q 'select count(*) from "My Schema".three')" 3 "the schema was created under its exact name"
CONNECTOR_HOST_WRITER=0 host run three --working-dir "$(newdir three-nowriter)" --destination "$(dest s3b)"
is "$(psql_q 'select count(*), count(*) filter (where _fivetran_deleted), count(*) filter (where val_1 = $$abc$$) from s3b.three')" "3|1|1" "the same rows without the writer thread"

# ---- types ----------------------------------------------------------------------------------
W=$(newdir types)
host run types --working-dir "$W" $P --destination "$(dest ty)"
is "$rc" 0 "types: run exits 0"
matches "$out" '^typed +13 +0 +0 +0 +1 +0$' "types: 13 upserts, 1 schema change"
is "$(psql_q "select string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' order by attnum) from pg_attribute where attrelid = 'ty.typed'::regclass and attnum > 0 and not attisdropped")" \
    "id integer, v_boolean boolean, v_short smallint, v_int integer, v_long bigint, v_dec_38 numeric(38,0), v_dec_10 numeric(10,2), v_float real, v_double double precision, v_date date, v_time time without time zone, v_naive_datetime timestamp without time zone, v_utc_datetime timestamp with time zone, v_binary bytea, v_xml xml, v_string text, v_json jsonb, _fivetran_synced timestamp with time zone, _fivetran_deleted boolean" \
    "types: every SPEC type gets its PostgreSQL type"
# val ID COLUMN WANT: the column's text in PostgreSQL (ISO dates, UTC, hex bytea, exact floats).
val() {
    is "$(psql_q "set timezone = 'UTC'; set extra_float_digits = 1; select coalesce($2::text, 'NULL') from ty.typed where id = $1")" "$3" "types: row $1 $2: $3"
}
val 1 v_boolean false
val 1 v_short -32768
val 1 v_int -2147483648
val 1 v_long -9223372036854775808
val 1 v_dec_38 -99999999999999999999999999999999999999
val 1 v_dec_10 -12345678.90
val 1 v_float -3.4028235e+38
val 1 v_double -1.7976931348623157e+308
val 1 v_date 0001-01-01
val 1 v_time 00:00:00
val 1 v_naive_datetime "0001-01-01 00:00:00"
val 1 v_utc_datetime "2024-02-28 21:30:00+00"
val 1 v_binary '\x00017f80feff00'
val 1 v_xml '<?xml version="1.0"?><r a="1">&lt;x&gt; ü</r>'
val 1 v_string "Grüße, 日本, 🎉"
is "$(psql_q "select length(v_string), octet_length(v_string) from ty.typed where id = 1")" "12|21" "types: row 1 v_string: 12 characters, 21 bytes of UTF-8"
# jsonb keeps the value, not the text: keys sorted, spaces normalised.
val 1 v_json '{"a": [1, 2.5, null], "ü": "日"}'
val 2 v_boolean true
val 2 v_short 32767
val 2 v_int 2147483647
val 2 v_long 9223372036854775807
val 2 v_dec_38 99999999999999999999999999999999999999
val 2 v_dec_10 0.50
val 2 v_float 3.4028235e+38
val 2 v_double 1.7976931348623157e+308
val 2 v_date 9999-12-31
val 2 v_time 23:59:59.999999
val 2 v_naive_datetime "9999-12-31 23:59:59.999999"
val 2 v_utc_datetime "2024-01-01 04:00:00+00"
val 2 v_binary '\x'
val 2 v_xml ""
val 2 v_string ""
val 2 v_json '[1, "two", [], {}]'
is "$(psql_q "select count(*) from ty.typed where v_string = ''")" 1 "types: one empty string, not NULL"
is "$(psql_q "select count(*) from ty.typed where v_binary = ''::bytea")" 1 "types: one empty binary, not NULL"
for c in v_boolean v_short v_int v_long v_dec_38 v_dec_10 v_float v_double v_date v_time \
    v_naive_datetime v_utc_datetime v_binary v_xml v_string v_json; do
    is "$(psql_q "select count(*) from ty.typed where id in (3, 9) and $c is null")" 2 "types: rows 3 and 9 $c: NULL"
done
val 4 v_dec_10 0.00
val 4 v_float 1e-45
val 4 v_double 5e-324
val 4 v_time 12:34:56.5
val 4 v_naive_datetime "1970-01-01 00:00:00.000001"
val 4 v_json '"text \"quoted\" ü"'
val 5 v_float 0.1
is "$(psql_q "select v_float::float8 from ty.typed where id = 5")" 0.10000000149011612 "types: row 5 v_float is the float nearest 0.1"
val 5 v_double 0.1
val 5 v_date 2024-02-29
val 5 v_utc_datetime "2024-02-29 04:15:30.123456+00"
val 5 v_json -1500
val 6 v_float -Infinity
val 6 v_double Infinity
val 6 v_utc_datetime "9999-12-31 23:59:59.999999+00"
val 6 v_json true
val 7 v_float 1.6777216e+07
val 7 v_double 1e+308
val 7 v_json null
is "$(psql_q "select jsonb_typeof(v_json) from ty.typed where id = 7")" null "types: row 7 JSON null is a JSON value, not SQL NULL"
val 8 v_float -0
val 8 v_double -0
val 8 v_utc_datetime "1969-12-31 23:59:59.25+00"
val 10 v_dec_38 -9223372036854775808
val 10 v_double 9.007199254740992e+15
val 10 v_naive_datetime "2024-02-29 12:00:00"
val 10 v_utc_datetime "2024-02-29 19:00:00+00"
val 10 v_binary '\x616263'
val 10 v_xml "<a/>"
val 10 v_json '{"k": [true, false]}'
val 11 v_long 4611686018427387904
val 11 v_dec_38 123
val 11 v_dec_10 -5.00
val 11 v_double 0.10000000149011612
val 11 v_binary '\x3c622f3e'
val 11 v_string 0.1
val 12 v_utc_datetime "0001-01-01 00:00:00+00"
val 12 v_string true
is "$(psql_q 'select state from ty._connector_state where connector = $$types$$')" '{"rows":"12"}' "types: state checkpointed"
dump() { psql_q "set extra_float_digits = 1; select t::text from ty.typed t order by id" | sed 's/,"[0-9-]* [0-9:.]*+00",[tf])$//'; }
before=$(dump)
host run types --working-dir "$W" $P --destination "$(dest ty)"
is "$rc" 0 "types: second run exits 0"
matches "$out" '^typed +13 +0 +0 +0 +0 +0$' "types: second run, no schema change"
is "$(dump)" "$before" "types: second run, every value identical"

# ---- evolve -----------------------------------------------------------------------------------
W=$(newdir evolve)
D=$(dest ev)
typ() { psql_q "select format_type(atttypid, atttypmod) from pg_attribute where attrelid = 'ev.$1'::regclass and attname = '$2'"; }
col() { psql_q "set extra_float_digits = 1; select coalesce($2::text, 'NULL') from ev.items where id = $1"; }
host run evolve --working-dir "$W" $P --destination "$D" --configuration "$(conf '{"step":"1"}')"
is "$rc" 0 "evolve step 1 succeeds"
matches "$out" '^items +8 +0 +0 +0 +7 +0$' "evolve step 1: 7 schema changes"
like "$err" "table 'items': column 'count' widened from SHORT to INT" "evolve: SHORT widens to INT"
like "$err" "column 'price' widened from DECIMAL(38,1) to DECIMAL(38,3)" "evolve: DECIMAL scale widens"
like "$err" "table 'items': new column 'extra' of type STRING" "evolve: a column added mid-sync"
is "$(typ items count)" integer "evolve: count is integer"
is "$(typ items price)" "numeric(38,3)" "evolve: price is numeric(38,3)"
is "$(typ items ratio)" "double precision" "evolve: ratio is double precision"
is "$(typ items flag)" text "evolve: flag is text"
is "$(typ items big)" "double precision" "evolve: big is double precision"
is "$(typ items day)" date "evolve: day is date"
is "$(typ items id)" integer "evolve: the inferred key is integer"
is "$(col 1 price)" "1.500" "evolve: row 1's price rewritten with the wider scale"
is "$(col 3 price)" "2.125" "evolve: row 3's price kept exactly"
is "$(col 1 flag)" "true" "evolve: row 1's BOOLEAN becomes the STRING 'true'"
is "$(col 1 big)" "7" "evolve: row 1's INT 7 becomes the DOUBLE 7"
is "$(col 4 ratio)" "0.1" "evolve: row 4's ratio is the DOUBLE 0.1"
is "$(col 2 count)" "70000" "evolve: row 2's count"
is "$(col 7 extra)" "new" "evolve: the new column holds its value"
is "$(col 1 extra)" "NULL" "evolve: earlier rows have NULL in the new column"
is "$(psql_q 'select count(*) from ev.items')" 8 "evolve: 8 rows"

host run evolve --working-dir "$W" $P --destination "$D" --configuration "$(conf '{"step":"2"}')"
is "$rc" 0 "evolve step 2 succeeds"
like "$err" "column 'count' widened from INT to LONG" "evolve: INT from an earlier sync widens to LONG"
like "$err" "column 'price' widened from DECIMAL(38,3) to STRING" "evolve: DECIMAL and DOUBLE widen to STRING"
like "$err" "column 'big' widened from DOUBLE to STRING" "evolve: DOUBLE to STRING for a LONG beyond 2^53"
like "$err" "column 'day' widened from NAIVE_DATE to STRING" "evolve: NAIVE_DATE to STRING"
matches "$out" '^items +5 +0 +0 +0 +4 +0$' "evolve step 2: 4 schema changes"
is "$(typ items count)" bigint "evolve: count is now bigint"
is "$(col 9 count)" 5000000000 "evolve: a LONG kept exactly"
is "$(col 1 price)" "1.500" "evolve: the earlier DECIMAL stays as its text"
is "$(col 12 big)" "9007199254740993" "evolve: 2^53+1 kept exactly as STRING"
is "$(col 1 big)" "7" "evolve: the DOUBLE 7 becomes the STRING 7"
is "$(col 6 big)" "2.5" "evolve: the DOUBLE 2.5 becomes the STRING 2.5"

snap() { psql_q "select t::text from ev.items t order by id; select t::text from ev.fixed t order by id; select state from ev._connector_state" 2>&1; }
before=$(snap)
host run evolve --working-dir "$W" $P --destination "$D" --configuration "$(conf '{"step":"key"}')"
is "$rc" 1 "evolve: a STRING key into an INT key column: exit 1"
like "$err" "upsert on table 'items', column 'id', operation 1 (key id='abc'): cannot widen from INT to STRING: primary key column 'id' holds INT values in the warehouse and cannot change to STRING" "evolve: key widening refused, naming the operation and its key"
is "$(snap)" "$before" "evolve: refused key widening, destination unchanged"
host run evolve --working-dir "$W" $P --destination "$D" --configuration "$(conf '{"step":"fixed","fixed_type":"SHORT"}')"
is "$rc" 1 "evolve: declaring INT as SHORT over 70000: exit 1"
like "$err" "table 'fixed', column 'val': now declared SHORT but the warehouse holds INT values: stored row (key id=1): INT value 70000 does not convert exactly to SHORT" "evolve: the narrowing names column, types, the stored row and its value"
is "$(snap)" "$before" "evolve: refused declaration change, destination unchanged"
host run evolve --working-dir "$W" $P --destination "$D" --configuration "$(conf '{"step":"fixed","fixed_type":"LONG"}')"
is "$rc" 0 "evolve: declaring INT as LONG succeeds"
like "$err" "table 'fixed': column 'val' changed from INT to LONG as now declared" "evolve: the declared change is logged"
is "$(typ fixed val)" bigint "evolve: fixed.val is now bigint"
is "$(psql_q 'select string_agg(val::text, $$,$$ order by id) from ev.fixed')" "70000,1" "evolve: values kept"
host run evolve --working-dir "$W" $P --destination "$D" --configuration "$(conf '{"step":"fixed","fixed_type":"STRING"}')"
is "$rc" 0 "evolve: declaring LONG as STRING succeeds"
is "$(typ fixed val)" text "evolve: fixed.val is now text"
host run evolve --working-dir "$W" $P --destination "$D" --configuration "$(conf '{"step":"later1"}')"
is "$rc" 0 "evolve: later1 succeeds"
host run evolve --working-dir "$W" $P --destination "$D" --configuration "$(conf '{"step":"later2"}')"
is "$rc" 0 "evolve: later2, a BOOLEAN from an earlier sync takes a BOOLEAN again"
like "$err" "table 'later': column 'code' widened from INT to STRING" "evolve: INT from an earlier sync widens to STRING"
is "$(psql_q 'select string_agg(code, $$ $$ order by id) from ev.later')" "5 007" "evolve: \"007\" keeps its zeros; 5 becomes \"5\""
is "$(psql_q 'select string_agg(coalesce(foo_bar::text, $$NULL$$), $$ $$ order by id) from ev.later')" "true NULL false" "evolve: 'Foo Bar' lands in foo_bar"

# ---- names, keyless tables, hand-made columns ------------------------------------------------------
W=$(newdir names)
host run names --working-dir "$W" $P --destination "$(dest nm)"
is "$rc" 0 "names: sync succeeds"
is "$(psql_q "select string_agg(tablename, ' ' order by tablename) from pg_tables where schemaname = 'nm' and tablename not like '\_connector\_%'")" "2024_sales order_items" "names: table names normalised; a leading digit is a word character"
is "$(psql_q "select string_agg(attname, ',' order by attnum) from pg_attribute where attrelid = 'nm.order_items'::regclass and attnum > 0")" "order_id,unit_price,grosse,_fivetran_synced,_fivetran_deleted" "names: column names normalised, letters transliterated"
is "$(psql_q "select string_agg(attname, ',' order by attnum) from pg_attribute where attrelid = 'nm.\"2024_sales\"'::regclass and attnum > 0")" "q_1_total,9_lives,_fivetran_id,_fivetran_synced,_fivetran_deleted" "names: an undeclared table is keyless, with _fivetran_id"
is "$(psql_q 'select order_id, unit_price, grosse from nm.order_items')" "A-1|9.50|XL" "names: values under the normalised names"
host run names --working-dir "$W" $P --destination "$(dest nm)" --configuration "$(conf '{"case":"longcolumn"}')"
is "$rc" 1 "names: a new column of 64 bytes: exit 1"
like "$err" "failed: table '2024 Sales': the column name 'a_name_of_sixty_four_bytes_which_postgresql_cuts_to_sixty_three_' is 64 bytes long; PostgreSQL names hold at most 63 bytes" "names: a column name PostgreSQL would cut is refused"
host run names --working-dir "$W" $P --destination "$(dest nm)" --configuration "$(conf '{"case":"longtable"}')"
is "$rc" 1 "names: a table of 64 bytes: exit 1"
like "$err" "the table name 'a_name_of_sixty_four_bytes_which_postgresql_cuts_to_sixty_three_' is 64 bytes long; PostgreSQL names hold at most 63 bytes" "names: a table name PostgreSQL would cut is refused"
is "$(psql_q "select count(*) from pg_tables where schemaname = 'nm' and tablename like 'a\_name%'")" 0 "names: no table cut short"
host run names --working-dir "$(newdir names_source)" $P --destination "$(dest ns)" --naming source
is "$rc" 0 "names, --naming source: sync succeeds"
is "$(psql_q "select string_agg(tablename, '|' order by tablename) from pg_tables where schemaname = 'ns' and tablename not like '\_connector\_%'")" "2024 Sales|Order Items" "names, --naming source: tables keep their names"
is "$(psql_q "select string_agg(attname, ',' order by attnum) from pg_attribute where attrelid = 'ns.\"Order Items\"'::regclass and attnum > 0")" "Order ID,Unit Price,Größe,_fivetran_synced,_fivetran_deleted" "names, --naming source: declared columns keep their names"
is "$(psql_q "select string_agg(attname, ',' order by attnum) from pg_attribute where attrelid = 'ns.\"2024 Sales\"'::regclass and attnum > 0")" "Q1-Total,9lives,_fivetran_id,_fivetran_synced,_fivetran_deleted" "names, --naming source: inferred columns keep their names"
is "$(psql_q 'select "Order ID", "Unit Price", "Größe" from ns."Order Items"')" "A-1|9.50|XL" "names, --naming source: values under the names as written"
# A warehouse written by the host's first naming rule (pg_dump of one it made, times fixed):
# its tables and columns are used still, and no new ones appear.
psql_q "CREATE SCHEMA old;
CREATE TABLE old._2024_sales (q1_total text, _9lives bigint, _fivetran_id text NOT NULL, _fivetran_synced timestamp with time zone NOT NULL, _fivetran_deleted boolean DEFAULT false NOT NULL, PRIMARY KEY (_fivetran_id));
CREATE TABLE old._connector_state (connector text NOT NULL PRIMARY KEY, state text NOT NULL, updated_at timestamp with time zone NOT NULL);
CREATE TABLE old.order_items (order_id text NOT NULL PRIMARY KEY, unit_price numeric(10,2), gr__e text, _fivetran_synced timestamp with time zone NOT NULL, _fivetran_deleted boolean DEFAULT false NOT NULL);
CREATE TABLE old.three (id text NOT NULL PRIMARY KEY, val1 text, val2 integer, _fivetran_synced timestamp with time zone NOT NULL, _fivetran_deleted boolean DEFAULT false NOT NULL);
INSERT INTO old._2024_sales VALUES ('100', 9, '5b2086bd712b1fa71dd0faab4f04c991', '2026-01-01 00:00:00+00', false);
INSERT INTO old._connector_state VALUES ('names', '{}', '2026-01-01 00:00:00+00'), ('three', '{\"last_id\":\"34bd67c3-0c09-4c6b-a4bf-13e0d855fe84\"}', '2026-01-01 00:00:00+00');
INSERT INTO old.order_items VALUES ('A-1', 9.50, 'XL', '2026-01-01 00:00:00+00', false);
INSERT INTO old.three VALUES ('28213007-78e5-4d7b-8312-eab08d6b21d5', '28213007-78e5-4d7b-8312-eab08d6b21d5', 2, '2026-01-01 00:00:00+00', true),
    ('843bb3ec-4475-4556-9b9c-0870ef7f42c0', 'abc', 1, '2026-01-01 00:00:00+00', false),
    ('34bd67c3-0c09-4c6b-a4bf-13e0d855fe84', '34bd67c3-0c09-4c6b-a4bf-13e0d855fe84', 0, '2026-01-01 00:00:00+00', false)" >/dev/null
old_columns() { psql_q "select table_name || ': ' || string_agg(column_name, ',' order by ordinal_position) from information_schema.columns where table_schema = 'old' group by table_name order by table_name"; }
host run names --working-dir "$(newdir names_old)" $P --destination "$(dest old)"
is "$rc" 0 "first-rule warehouse: names syncs"
is "$(old_columns)" "_2024_sales: q1_total,_9lives,_fivetran_id,_fivetran_synced,_fivetran_deleted
_connector_state: connector,state,updated_at,generation
order_items: order_id,unit_price,gr__e,_fivetran_synced,_fivetran_deleted
three: id,val1,val2,_fivetran_synced,_fivetran_deleted" "first-rule warehouse: no table or column added but the state's generation"
is "$(psql_q "select connector || '=' || generation from old._connector_state order by connector")" "names=1
three=0" "first-rule warehouse: the state table is upgraded in place, the committed connector's generation moved on"
is "$(psql_q "select order_id, unit_price, gr__e, _fivetran_synced > '2026-01-02' from old.order_items")" "A-1|9.50|XL|t" "first-rule warehouse: the row lands in the old columns"
is "$(psql_q "select count(*), string_agg(q1_total || ':' || _9lives, ' '), max(_fivetran_synced) > '2026-01-02' from old._2024_sales")" "1|100:9|t" "first-rule warehouse: the keyless row keeps its _fivetran_id: written again, not twice"
like "$err" "table '2024 Sales': using the names the warehouse has from before the host followed Fivetran's naming: table _2024_sales for 2024_sales, column q1_total for q_1_total, column _9lives for 9_lives" "first-rule warehouse: one INFO line says what is kept"
host run three --working-dir "$(newdir three_old)" --destination "$(dest old)"
is "$rc" 0 "first-rule warehouse: three syncs"
is "$(psql_q "select count(*), count(*) filter (where val1 = 'abc'), count(*) filter (where _fivetran_deleted) from old.three")" "6|2|2" "first-rule warehouse: three's rows land in val1 and val2"
is "$(old_columns | grep '^three')" "three: id,val1,val2,_fivetran_synced,_fivetran_deleted" "first-rule warehouse: no val_1 or val_2 added"
printf '{"api_key": "s3cr3t-value", "region": "eu"}' >"$TMP/good.json"
host run needsconfig --working-dir "$W" $P --destination "$(dest nm)" --configuration "$TMP/good.json"
host run needsconfig --working-dir "$W" $P --destination "$(dest nm)" --configuration "$TMP/good.json"
is "$(psql_q 'select region, key_length, length(_fivetran_id), count(*) over () from nm.seen')" "eu|12|32|1" "keyless table: _fivetran_id; the same row twice is one row"

# A column added by hand, not in normal form, is kept under its own name.
psql_q 'alter table s3.three add column "Hand Made" varchar(20); update s3.three set "Hand Made" = $$x$$' >/dev/null
host run three --working-dir "$(newdir three)" --destination "$(dest s3)"
is "$rc" 0 "hand-made column: the sync succeeds"
is "$(psql_q 'select count(*) filter (where "Hand Made" is null), count(*) from s3.three')" "3|9" "hand-made column: the rows of this sync have it NULL, older rows keep their values"

# ---- truncate ---------------------------------------------------------------------------------------
W=$(newdir truncate)
rows() { psql_q "select string_agg(id || ':' || val || ':' || _fivetran_deleted::int, ' ' order by id) from tr.t"; }
host run truncate --working-dir "$W" $P --destination "$(dest tr)"
is "$(rows)" "1:one:0 2:two:0 3:three:0" "truncate: three live rows"
host run truncate --working-dir "$W" $P --destination "$(dest tr)" --configuration "$(conf '{"case":"truncate"}')"
is "$rc" 0 "truncate: the sync succeeds"
is "$(rows)" "1:one:1 2:two again:0 3:three:1 4:four:1 5:five:0" "truncate: rows written before it are soft-deleted, rows after it live"
before=$(rows)
host run truncate --working-dir "$W" $P --destination "$(dest tr)" --configuration "$(conf '{"case":"fail"}')"
is "$rc" 1 "truncate: a sync failing after its truncate exits 1"
is "$(rows)" "$before" "truncate: the failed sync's truncate deleted nothing"
host run truncate --working-dir "$W" $P --destination "$(dest tr)" --configuration "$(conf '{"case":"fresh"}')"
is "$(psql_q 'select count(*) from tr.never_written')" 0 "truncate: a table never written is created, empty"

# ---- order of operations in the merge ------------------------------------------------------------
# The workload upserts, updates and deletes 200 keys 5000 times; batches of 97 operations hit the
# same key several times, so the merge's order is checked against the oracle's table.
W=$(newdir workload)
host run workload --working-dir "$W" $P --destination "$(dest wl)" \
    --configuration "$(conf '{"n":"5000","every":"97","keys":"200"}')"
is "$rc" 0 "workload: run exits 0"
is "$(psql_q "select id, val, txt, _fivetran_deleted::int from wl.w order by id")" "$("$BUILD_TOP/tests/workload_oracle" 5000 200)" \
    "workload: the table equals the oracle's (upserts, updates and deletes in order)"
is "$(psql_q 'select state from wl._connector_state')" '{"pos":"5000"}' "workload: state at the end"

done_testing

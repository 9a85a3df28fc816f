# types.sh - every declared column type round-trips exactly into the SQLite warehouse.
# The `types` test connector (tests/plugins/types.c) upserts edge values of every type; each one
# is read back with the sqlite3 CLI: storage class, exact text, bytes, or IEEE bits.
. "$TESTS_SRCDIR/lib.sh"

W=$(newdir w)
DB="$W/files/warehouse.db"
host run types --working-dir "$W" --plugin-dir "$TEST_PLUGINS"
is "$rc" 0 "run exits 0"
like "$out" "SYNC SUCCEEDED" "summary says SYNC SUCCEEDED"
matches "$out" '^typed +13 +0 +0 +0 +1 +0$' "summary row: 13 upserts, 1 schema change"

# q ID EXPR...: the expressions of row ID, separated by '|'.
q() {
    id=$1
    shift
    exprs=$(printf '%s, ' "$@")
    sql "$DB" "select ${exprs%, } from typed where id = $id"
}
# val ID COLUMN WANT: storage class and value ("integer|-32768").
val() { is "$(q "$1" "typeof($2)" "$2")" "$3" "row $1 $2: $3"; }
# bin ID COLUMN WANT: storage class, hex bytes and length ("blob|00FF|2").
bin() { is "$(q "$1" "typeof($2)" "hex($2)" "length($2)")" "$3" "row $1 $2: $3"; }
# real ID COLUMN WANT: storage class and the IEEE 754 bits of the stored double ("real|3FB999999999999A").
real() { is "$(q "$1" "typeof($2)" "hex(ieee754_to_blob($2))")" "$3" "row $1 $2: $3"; }
# utf8 ID COLUMN WANT: storage class, UTF-8 bytes in hex, length in characters.
utf8() { is "$(q "$1" "typeof($2)" "hex($2)" "length($2)")" "$3" "row $1 $2: $3"; }

# The CLI must show a REAL's exact bits, or the float checks below prove nothing.
is "$(sql "$DB" "select hex(ieee754_to_blob(0.1))")" 3FB999999999999A "sqlite3 CLI shows IEEE bits (ieee754_to_blob)"

is "$(sql "$DB" "select group_concat(name || ' ' || type, ', ') from pragma_table_info('typed')")" \
    "id INTEGER, v_boolean INTEGER, v_short INTEGER, v_int INTEGER, v_long INTEGER, v_dec_38 TEXT, v_dec_10 TEXT, v_float REAL, v_double REAL, v_date TEXT, v_time TEXT, v_naive_datetime TEXT, v_utc_datetime TEXT, v_binary BLOB, v_xml TEXT, v_string TEXT, v_json TEXT, _fivetran_synced TEXT, _fivetran_deleted INTEGER" \
    "declared columns get the SQLite storage of their type"
is "$(sql "$DB" "select name from pragma_table_info('typed') where pk = 1")" id "id is the primary key"
is "$(sql "$DB" 'select group_concat(id) from (select id from typed order by id)')" "1,2,3,4,5,6,7,8,9,10,11,12" "rows 1 to 12"
is "$(sql "$DB" 'select count(*) from typed where typeof(id) = '"'integer'"' and _fivetran_deleted = 0')" 12 "integer keys, none deleted"

# Row 1: minimums.
val 1 v_boolean "integer|0"
val 1 v_short "integer|-32768"
val 1 v_int "integer|-2147483648"
val 1 v_long "integer|-9223372036854775808"
val 1 v_dec_38 "text|-99999999999999999999999999999999999999"
val 1 v_dec_10 "text|-12345678.90"
real 1 v_float "real|C7EFFFFFE0000000"     # -FLT_MAX
real 1 v_double "real|FFEFFFFFFFFFFFFF"    # -DBL_MAX
val 1 v_date "text|0001-01-01"
val 1 v_time "text|00:00:00.000000"
val 1 v_naive_datetime "text|0001-01-01T00:00:00.000000" # given with ' '
val 1 v_utc_datetime "text|2024-02-28T21:30:00.000000Z" # 2024-02-29T03:00:00+05:30
bin 1 v_binary "blob|00017F80FEFF00|7"
val 1 v_xml 'text|<?xml version="1.0"?><r a="1">&lt;x&gt; ü</r>'
utf8 1 v_xml "text|3C3F786D6C2076657273696F6E3D22312E30223F3E3C7220613D2231223E266C743B782667743B20C3BC3C2F723E|45"
val 1 v_string "text|Grüße, 日本, 🎉"
utf8 1 v_string "text|4772C3BCC39F652C20E697A5E69CAC2C20F09F8E89|12"
val 1 v_json 'text|{"a":[1,2.5,null],"ü":"日"}'

# Row 2: maximums and empty values.
val 2 v_boolean "integer|1" # set as 42
val 2 v_short "integer|32767"
val 2 v_int "integer|2147483647"
val 2 v_long "integer|9223372036854775807"
val 2 v_dec_38 "text|99999999999999999999999999999999999999"
val 2 v_dec_10 "text|0.50" # given as 0.5
real 2 v_float "real|47EFFFFFE0000000"     # FLT_MAX
real 2 v_double "real|7FEFFFFFFFFFFFFF"    # DBL_MAX
val 2 v_date "text|9999-12-31"
val 2 v_time "text|23:59:59.999999"
val 2 v_naive_datetime "text|9999-12-31T23:59:59.999999"
val 2 v_utc_datetime "text|2024-01-01T04:00:00.000000Z" # 2023-12-31T20:00:00-08:00
bin 2 v_binary "blob||0"
utf8 2 v_xml "text||0"
utf8 2 v_string "text||0"
val 2 v_json 'text|[1,"two",[],{}]'
is "$(sql "$DB" "select count(*) from typed where v_string = ''")" 1 "one empty string, not equal to the NULLs"
is "$(sql "$DB" "select count(*) from typed where v_binary = x''")" 1 "one empty binary, not equal to the NULLs"

# Rows 3 (every column set NULL) and 9 (written full, then upserted with only its key).
for c in v_boolean v_short v_int v_long v_dec_38 v_dec_10 v_float v_double v_date v_time \
    v_naive_datetime v_utc_datetime v_binary v_xml v_string v_json; do
    is "$(q 3 "typeof($c)" "quote($c)")" "null|NULL" "row 3 $c: NULL"
    is "$(q 9 "typeof($c)" "quote($c)")" "null|NULL" "row 9 $c: NULL after a key-only upsert"
done

# Row 4: zeros, smallest subnormals, the epoch.
val 4 v_short "integer|0"
val 4 v_int "integer|0"
val 4 v_long "integer|0"
val 4 v_dec_38 "text|0"
val 4 v_dec_10 "text|0.00" # given as -0.000
real 4 v_float "real|36A0000000000000"     # FLT_TRUE_MIN
real 4 v_double "real|0000000000000001"    # DBL_TRUE_MIN
val 4 v_date "text|1970-01-01"
val 4 v_time "text|12:34:56.500000"
val 4 v_naive_datetime "text|1970-01-01T00:00:00.000001"
val 4 v_utc_datetime "text|1970-01-01T00:00:00.000000Z"
val 4 v_json 'text|"text \"quoted\" \u00fc"'

# Row 5: fractions not exact in binary, a leap day.
val 5 v_dec_10 "text|-0.01"
real 5 v_float "real|3FB99999A0000000"     # 0.1f, widened exactly
real 5 v_double "real|3FB999999999999A"    # 0.1
val 5 v_date "text|2024-02-29"
val 5 v_utc_datetime "text|2024-02-29T04:15:30.123456Z" # 2024-02-28T20:15:30.123456-08:00
val 5 v_json "text|-1.5e3"

# Row 6: infinities, the last instant of 9999.
real 6 v_float "real|FFF0000000000000"     # -inf
real 6 v_double "real|7FF0000000000000"    # +inf
val 6 v_utc_datetime "text|9999-12-31T23:59:59.999999Z" # 9999-12-31T15:59:59.999999-08:00
val 6 v_json "text|true"

# Row 7: large values, +00:00, JSON null (a text, not SQL NULL).
real 7 v_float "real|4170000000000000"     # 2^24
real 7 v_double "real|7FE1CCF385EBC8A0"    # 1e308
val 7 v_utc_datetime "text|2024-06-15T12:00:00.000000Z"
val 7 v_json "text|null"

# Row 8: negative zeros; an offset back across the epoch.
# SQLite stores a whole-number REAL as an integer on disk, so -0.0 reads back as 0.0 (equal in IEEE arithmetic; documented in the README).
real 8 v_float "real|0000000000000000"     # -0.0f
real 8 v_double "real|0000000000000000"    # -0.0
val 8 v_utc_datetime "text|1969-12-31T23:59:59.250000Z" # 1970-01-01T05:29:59.25+05:30

# JSON: every value valid, of the type given.
is "$(sql "$DB" "select group_concat(id || ':' || json_valid(v_json) || ':' || json_type(v_json), ' ') from (select * from typed where v_json is not null order by id)")" \
    "1:1:object 2:1:array 4:1:text 5:1:real 6:1:true 7:1:null 10:1:object" "JSON values are valid JSON of their type"

# Row 10: through other setters.
val 10 id "integer|10" # ch_row_set_long
val 10 v_boolean "integer|1" # set as -1
val 10 v_short "integer|-32768" # ch_row_set_int
val 10 v_int "integer|2147483647" # ch_row_set_long
val 10 v_long "integer|-9223372036854775808" # ch_row_set_string
val 10 v_dec_38 "text|-9223372036854775808" # ch_row_set_long
val 10 v_dec_10 "text|12345678.90" # ch_row_set_string("0012345678.9")
real 10 v_float "real|4170000000000000" # ch_row_set_int(16777216)
real 10 v_double "real|4340000000000000" # ch_row_set_long(2^53)
val 10 v_date "text|2024-02-29" # ch_row_set_string
val 10 v_time "text|23:59:59.999999" # ch_row_set_string
val 10 v_naive_datetime "text|2024-02-29T12:00:00.000000" # ch_row_set_string("2024-02-29 12:00:00")
val 10 v_utc_datetime "text|2024-02-29T19:00:00.000000Z" # ch_row_set_string("2024-03-01T00:30:00+05:30")
bin 10 v_binary "blob|616263|3" # ch_row_set_string("abc")
val 10 v_xml "text|<a/>" # ch_row_set_string
val 10 v_string "text|-9223372036854775808" # ch_row_set_long
val 10 v_json 'text|{"k":[true,false]}' # ch_row_set_string

# Row 11.
val 11 id "integer|11" # ch_row_set_short
val 11 v_boolean "integer|0"
val 11 v_short "integer|32767" # ch_row_set_string
val 11 v_int "integer|-2147483648" # ch_row_set_decimal("-2147483648.000")
val 11 v_long "integer|4611686018427387904" # ch_row_set_double(2^62)
val 11 v_dec_38 "text|123" # ch_row_set_decimal("+000123.000")
val 11 v_dec_10 "text|-5.00" # ch_row_set_int(-5)
real 11 v_float "real|3FE0000000000000" # ch_row_set_double(0.5)
real 11 v_double "real|3FB99999A0000000" # ch_row_set_float(0.1f)
val 11 v_utc_datetime "text|2024-02-29T23:59:59.500000Z" # "2024-02-29 23:59:59.5Z"
bin 11 v_binary "blob|3C622F3E|4" # ch_row_set_xml("<b/>")
val 11 v_string "text|0.1" # ch_row_set_double(0.1)

# Row 12.
val 12 id "integer|12" # ch_row_set_decimal("12")
val 12 v_short "integer|-32768" # ch_row_set_double(-32768.0)
val 12 v_int "integer|-2147483648" # ch_row_set_string
val 12 v_long "integer|9223372036854775807" # ch_row_set_decimal
val 12 v_dec_38 "text|-32768" # ch_row_set_short
val 12 v_dec_10 "text|-12345678.90" # ch_row_set_decimal("-12345678.9")
real 12 v_float "real|3FE0000000000000" # ch_row_set_string("0.5")
real 12 v_double "real|3FB999999999999A" # ch_row_set_decimal("0.1")
val 12 v_string "text|true" # ch_row_set_boolean
val 12 v_utc_datetime "text|0001-01-01T00:00:00.000000Z" # 0001-01-01T05:30:00+05:30

is "$(sql "$DB" "select state from _connector_state where connector = 'types'")" '{"rows":"12"}' "state checkpointed"

# Every value, exactly: quote() for integers, text and blobs, IEEE bits for reals.
dump() {
    sql "$DB" "select quote(id), quote(v_boolean), quote(v_short), quote(v_int), quote(v_long),
        quote(v_dec_38), quote(v_dec_10), typeof(v_float), hex(ieee754_to_blob(v_float)),
        typeof(v_double), hex(ieee754_to_blob(v_double)), quote(v_date), quote(v_time),
        quote(v_naive_datetime), quote(v_utc_datetime), quote(v_binary), quote(v_xml),
        quote(v_string), quote(v_json), _fivetran_deleted from typed order by id"
}
before=$(dump)
is "$(printf '%s\n' "$before" | wc -l | tr -d ' ')" 12 "the dump has 12 rows"
synced=$(sql "$DB" 'select max(_fivetran_synced) from typed')

# A second run upserts the same rows again: nothing changes but _fivetran_synced.
host run types --working-dir "$W" --plugin-dir "$TEST_PLUGINS"
is "$rc" 0 "second run exits 0"
matches "$out" '^typed +13 +0 +0 +0 +0 +0$' "second run: 13 upserts, no schema change"
is "$(dump)" "$before" "second run: every value identical"
is "$(sql "$DB" "select count(*) from typed where _fivetran_synced > '$synced'")" 12 "second run: every row re-synced"

# The declared types are what `schema` reports.
host schema types --plugin-dir "$TEST_PLUGINS"
is "$rc" 0 "schema exits 0"
like "$(echo "$out" | tr -d ' \n')" '{"name":"v_dec38","destination_name":"v_dec_38","type":"DECIMAL(38,0)"},{"name":"v_dec10","destination_name":"v_dec_10","type":"DECIMAL(10,2)"}' "schema lists the DECIMAL parameters"

done_testing

# evolve.sh - inferred column types, widening, new columns and declared type changes.
. "$TESTS_SRCDIR/lib.sh"

P="--plugin-dir $TEST_PLUGINS"
W=$(newdir w)
DB="$W/files/warehouse.db"
col() { sql "$DB" "select $2 from items where id = $1"; }
rec() { sql "$DB" "select type from _connector_columns where table_name = '$1' and column_name = '$2'"; }
decl() { sql "$DB" "select type from pragma_table_info('$1') where name = '$2'"; }

# Sync 1: every column typed from its first value, then widened within the sync.
host run evolve --working-dir "$W" $P --configuration "$(conf '{"step":"1"}')"
is "$rc" 0 "step 1 succeeds"
matches "$out" '^items +8 +0 +0 +0 +7 +0$' "step 1: table creation, 5 widenings and 1 new column are 7 schema changes"
like "$err" "table 'items': new column 'count' of type SHORT" "a new column is logged with its inferred type"
like "$err" "table 'items': column 'count' widened from SHORT to INT" "SHORT widens to INT"
like "$err" "column 'price' widened from DECIMAL(38,1) to DECIMAL(38,3)" "DECIMAL scale widens"
like "$err" "column 'ratio' widened from FLOAT to DOUBLE" "FLOAT widens to DOUBLE"
like "$err" "column 'flag' widened from BOOLEAN to STRING" "BOOLEAN and STRING widen to STRING"
like "$err" "column 'big' widened from INT to DOUBLE" "INT and DOUBLE widen to DOUBLE"
like "$err" "table 'items': new column 'extra' of type STRING" "a column added mid-sync is logged"
unlike "$err" "widened from INT to INT" "a narrower value (SHORT into INT) widens nothing"

is "$(rec items count)" INT "recorded type of count: INT"
is "$(rec items price)" "DECIMAL(38,3)" "recorded type of price: DECIMAL(38,3)"
is "$(rec items ratio)" DOUBLE "recorded type of ratio: DOUBLE"
is "$(rec items flag)" STRING "recorded type of flag: STRING"
is "$(rec items big)" DOUBLE "recorded type of big: DOUBLE"
is "$(rec items day)" NAIVE_DATE "recorded type of day: NAIVE_DATE"
is "$(rec items id)" INT "recorded type of the inferred key: INT"
is "$(decl items flag)" TEXT "flag's SQLite column is now TEXT"
is "$(decl items big)" REAL "big's SQLite column is now REAL"
is "$(col 1 price)" "1.500" "row 1's price is rewritten with the wider scale"
is "$(col 3 price)" "2.125" "row 3's price kept exactly"
is "$(col 1 'flag || typeof(flag)')" "truetext" "row 1's BOOLEAN becomes the STRING 'true'"
is "$(col 5 flag)" "maybe" "row 5's flag"
is "$(col 1 'typeof(big) || big')" "real7.0" "row 1's INT 7 becomes the DOUBLE 7.0"
is "$(col 6 big)" "2.5" "row 6's big"
is "$(col 4 ratio)" "0.1" "row 4's ratio is the DOUBLE 0.1"
is "$(col 1 ratio)" "0.5" "row 1's FLOAT 0.5 kept"
is "$(col 2 count)" "70000" "row 2's count"
is "$(col 8 'count || typeof(count)')" "3integer" "a SHORT into an INT column"
is "$(col 7 extra)" "new" "the new column holds its value"
is "$(col 1 'quote(extra)')" "NULL" "earlier rows have NULL in the new column"
is "$(sql "$DB" 'select count(*) from items')" 8 "8 rows"

# Sync 2: types recorded by sync 1 widen further.
host run evolve --working-dir "$W" $P --configuration "$(conf '{"step":"2"}')"
is "$rc" 0 "step 2 succeeds"
like "$err" "column 'count' widened from INT to LONG" "INT recorded by an earlier sync widens to LONG"
like "$err" "column 'price' widened from DECIMAL(38,3) to STRING" "DECIMAL and DOUBLE widen to STRING"
like "$err" "column 'big' widened from DOUBLE to STRING" "a LONG that no DOUBLE holds widens DOUBLE to STRING"
like "$err" "column 'day' widened from NAIVE_DATE to STRING" "NAIVE_DATE and NAIVE_DATETIME widen to STRING"
unlike "$err" "column 'note' widened" "an INT into a STRING column widens nothing"
matches "$out" '^items +5 +0 +0 +0 +4 +0$' "step 2: 4 schema changes"
is "$(col 9 count)" 5000000000 "a LONG value kept exactly"
is "$(col 10 'note || typeof(note)')" "3text" "an INT into STRING lands as text"
is "$(col 11 price)" "0.25" "the DOUBLE 0.25 as STRING"
is "$(col 1 'price || typeof(price)')" "1.500text" "the earlier DECIMAL stays as its text"
is "$(col 12 big)" "9007199254740993" "2^53+1 kept exactly as STRING"
is "$(col 1 'big || typeof(big)')" "7text" "the DOUBLE 7.0 becomes the STRING 7"
is "$(col 6 big)" "2.5" "the DOUBLE 2.5 becomes the STRING 2.5"
is "$(rec items count)" LONG "recorded type of count: LONG"
is "$(rec items big)" STRING "recorded type of big: STRING"

# Refusals: the sync fails, the warehouse and state stay as they were.
before=$(snapshot "$W")
host run evolve --working-dir "$W" $P --configuration "$(conf '{"step":"key"}')"
is "$rc" 1 "a STRING key into an INT key column: exit 1"
like "$err" "upsert on table 'items', column 'id', operation 1 (key id='abc'): cannot widen from INT to STRING: primary key column 'id' holds INT values in the warehouse and cannot change to STRING" "key widening refused with the column, both types, the operation and its key"
is "$(snapshot "$W")" "$before" "refused key widening: warehouse and state unchanged"
host run evolve --working-dir "$W" $P --configuration "$(conf '{"step":"binary"}')"
is "$rc" 1 "bytes that are not UTF-8 into a STRING column: exit 1"
like "$err" "upsert on table 'items', column 'note', operation 1 (key id=100): BINARY value <2 bytes> does not convert exactly to STRING" "binary into STRING refused with table, column, operation and key"
is "$(snapshot "$W")" "$before" "refused binary: warehouse and state unchanged"

# A declared type changed between syncs: converted when every value fits, refused when not.
host run evolve --working-dir "$W" $P --configuration "$(conf '{"step":"fixed","fixed_type":"SHORT"}')"
is "$rc" 1 "declaring INT as SHORT over a value of 70000: exit 1"
like "$err" "table 'fixed', column 'val': now declared SHORT but the warehouse holds INT values: stored row (key id=1): INT value 70000 does not convert exactly to SHORT" "the narrowing names column, types, the stored row and its value"
is "$(snapshot "$W")" "$before" "refused declaration change: warehouse and state unchanged"
host run evolve --working-dir "$W" $P --configuration "$(conf '{"step":"fixed","fixed_type":"LONG"}')"
is "$rc" 0 "declaring INT as LONG succeeds"
like "$err" "table 'fixed': column 'val' changed from INT to LONG as now declared" "the declared change is logged"
matches "$out" '^fixed +1 +0 +0 +0 +1 +0$' "the declared change is a schema change"
is "$(rec fixed val)" LONG "recorded type of fixed.val: LONG"
is "$(sql "$DB" 'select group_concat(val) from (select val from fixed order by id)')" "70000,1" "values kept"
host run evolve --working-dir "$W" $P --configuration "$(conf '{"step":"fixed","fixed_type":"STRING"}')"
is "$rc" 0 "declaring LONG as STRING succeeds"
is "$(decl fixed val)" TEXT "fixed.val's SQLite column is now TEXT"
is "$(sql "$DB" "select val || typeof(val) from fixed where id = 1")" "70000text" "the LONG 70000 converted to the STRING 70000"
host run evolve --working-dir "$W" $P --configuration "$(conf '{"step":"fixed","fixed_type":"STRING"}')"
matches "$out" '^fixed +1 +0 +0 +0 +0 +0$' "an unchanged declaration is no schema change"

# Review findings: a column's type and spelling come from the warehouse on later syncs.
host run evolve --working-dir "$W" $P --configuration "$(conf '{"step":"later1"}')"
is "$rc" 0 "later1 succeeds"
host run evolve --working-dir "$W" $P --configuration "$(conf '{"step":"later2"}')"
is "$rc" 0 "later2: an undeclared BOOLEAN from an earlier sync takes a BOOLEAN again"
like "$err" "table 'later': column 'code' widened from INT to STRING" "INT from an earlier sync widens to STRING for \"007\""
is "$(sql "$DB" "select group_concat(code || ':' || typeof(code), ' ') from (select code from later order by id)")" "5:text 007:text" "\"007\" keeps its leading zeros; the earlier 5 becomes \"5\""
is "$(sql "$DB" "select group_concat(quote(foo_bar), ' ') from (select foo_bar from later order by id)")" "1 NULL 0" "'Foo Bar' on a later sync lands in foo_bar"
is "$(rec later foo_bar)" BOOLEAN "foo_bar is still BOOLEAN"
unlike "$err" "both become" "no collision between 'Foo Bar' and the warehouse's foo_bar"

# Log lines in JSON stay valid UTF-8 whatever bytes a connector logs.
host run evolve --working-dir "$W" $P --log-format json --configuration "$(conf '{"step":"badlog"}')"
is "$rc" 0 "badlog succeeds"
line=$(printf '%s\n' "$err" | grep 'are not UTF-8')
like "$line" "$(printf '"message":"bytes \357\277\275\357\277\275 are not UTF-8"')" "invalid bytes become U+FFFD in JSON logs"

done_testing

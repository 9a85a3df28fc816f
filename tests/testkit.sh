# testkit.sh - what the host gives connector authors for golden tests: --fixed-time, a clock
# for _fivetran_synced that is the same every run, and --mask, for values that vary in a
# jsonl stream.
. "$TESTS_SRCDIR/lib.sh"

P="--plugin-dir $TEST_PLUGINS"

# ---- --fixed-time: the warehouse is the same every run ----------------------------------------
# incremental checkpoints after every 3 of its 10 records: 10 upserts and 4 commits.
for n in 1 2; do
    W=$(newdir "fixed$n")
    host run incremental --working-dir "$W" --fixed-time 2000-01-01T00:00:00Z
    is "$rc" 0 "run $n with --fixed-time exits 0"
done
is "$(sql "$TMP/fixed1/files/warehouse.db" 'select _fivetran_synced from records where id in (1, 2, 10) order by id' | tr '\n' ' ')" \
    "2000-01-01T00:00:00.000000Z 2000-01-01T00:00:00.000001Z 2000-01-01T00:00:00.000012Z " \
    "the first operation is at TIME and each later one a microsecond on (checkpoints count too)"
is "$(sql "$TMP/fixed1/files/warehouse.db" 'select updated_at from _connector_state')" \
    "2000-01-01T00:00:00.000013Z" "the state's commit time comes from the same clock"
dump1=$("$SQLITE3" -batch "$TMP/fixed1/files/warehouse.db" .dump)
is "$("$SQLITE3" -batch "$TMP/fixed2/files/warehouse.db" .dump)" "$dump1" "two runs give the same warehouse, byte for byte"
like "$dump1" "2000-01-01T00:00:00.000009Z" "the dump holds the fixed times"

# An offset is applied; the clock crosses into the next second as any time does.
W=$(newdir offset)
host run incremental --working-dir "$W" --fixed-time 2000-01-01T00:59:59.999995+01:00
is "$(sql "$W/files/warehouse.db" 'select _fivetran_synced from records where id in (1, 6) order by id' | tr '\n' ' ')" \
    "1999-12-31T23:59:59.999995Z 2000-01-01T00:00:00.000001Z " "TIME is taken in UTC, and the clock runs across a second"

# Without it, the real clock: never 2000.
W=$(newdir real)
host run incremental --working-dir "$W"
matches "$(sql "$W/files/warehouse.db" 'select min(_fivetran_synced) from records')" '^20[2-9][0-9]-' "without --fixed-time, the real clock"

# Refused as bad usage, before anything runs.
W=$(newdir badtime)
host run incremental --working-dir "$W" --fixed-time yesterday
is "$rc" 2 "--fixed-time with a bad time: exit 2"
like "$err" "connector-host run: --fixed-time: 'yesterday' is not a valid UTC datetime (YYYY-MM-DDTHH:MM:SS[.ffffff] followed by Z or +hh:mm)" "the bad time is quoted with the form wanted"
host run incremental --working-dir "$W" --fixed-time 2000-01-01T00:00:00
is "$rc" 2 "--fixed-time without a zone: exit 2"
host run incremental --working-dir "$W" --fixed-time 1969-12-31T23:59:59Z
is "$rc" 2 "--fixed-time before 1970: exit 2"
like "$err" "--fixed-time '1969-12-31T23:59:59Z' is before 1970-01-01T00:00:00Z" "the refusal says the clock starts in 1970"
[ ! -e "$W/files" ] && pass "a refused --fixed-time touches nothing" || fail "a refused --fixed-time touches nothing"
host schema incremental --fixed-time 2000-01-01T00:00:00Z
is "$rc" 2 "schema does not take --fixed-time"
like "$err" "option '--fixed-time' does not apply here" "and says so"

# ---- --mask: values that vary become "<masked>" in a jsonl stream ------------------------------
# three upserts rows with fresh UUIDs and keeps the first in its state.
expected='{"op":"table","table":"three","columns":[{"name":"id","type":"STRING","key":true},{"name":"val_1","type":"STRING"},{"name":"val_2","type":"INT"}]}
{"op":"upsert","table":"three","data":{"id":"<masked>","val_1":"<masked>","val_2":0}}
{"op":"upsert","table":"three","data":{"id":"<masked>","val_1":"<masked>","val_2":1}}
{"op":"upsert","table":"three","data":{"id":"<masked>","val_1":"<masked>","val_2":2}}
{"op":"update","table":"three","data":{"id":"<masked>","val_1":"<masked>"}}
{"op":"delete","table":"three","keys":{"id":"<masked>"}}
{"op":"checkpoint","state":{"last_id":"<masked>"}}'
for n in 1 2; do
    W=$(newdir "mask$n")
    host run three --working-dir "$W" --destination jsonl:- --mask three.id --mask val_1 --mask last_id
    is "$rc" 0 "run $n with --mask exits 0"
    is "$out" "$expected" "run $n: the stream is the same every run: TABLE.COLUMN, a column of every table, a state key masked; keys, updates and deletes too"
done
matches "$(cat "$TMP/mask1/files/state.json")" '^\{"last_id":"[0-9a-f-]{36}"\}$' "state.json keeps the real state"
host run three --working-dir "$(newdir nomask)" --destination jsonl:-
unlike "$out" "<masked>" "without --mask, nothing is masked"

# TABLE.COLUMN names one table's column; a column of that name elsewhere, and the state, stay.
W=$(newdir masktable)
host run multiple_tables --working-dir "$W" --destination jsonl:- --mask orders.customer_id
is "$rc" 0 "--mask TABLE.COLUMN exits 0"
is "$(printf '%s\n' "$out" | grep -c '"op":"upsert","table":"orders","data":{"customer_id":"<masked>","order_no"')" 6 "every order's customer_id is masked"
is "$(printf '%s\n' "$out" | grep -c '"op":"upsert","table":"customers","data":{"customer_id":[0-9]')" 2 "the customers' customer_id is not"
like "$out" '{"op":"checkpoint","state":{"customers":4,"orders":0}}' "nor the state's keys"

# A NULL stays null, of every type; the table line keeps the column's type.
W=$(newdir masknull)
host run types $P --working-dir "$W" --destination jsonl:- --mask v_string --mask v_double --mask v_json
is "$(printf '%s\n' "$out" | grep -o '"v_double":[^,]*' | sort | uniq -c | sed 's/^ *//' | tr '\n' ' ')" \
    '11 "v_double":"<masked>" 2 "v_double":null ' "a masked number is the string <masked>; NULLs stay null"
is "$(printf '%s\n' "$out" | grep -c '"v_string":null')" 7 "NULL strings stay null"
like "$out" '{"name":"v_json","type":"JSON"}' "the table line keeps the masked column's type"

# Only a stream masks: a warehouse keeps every value.
W=$(newdir masksqlite)
host run three --working-dir "$W" --mask id
is "$rc" 2 "--mask with a SQLite destination: exit 2"
like "$err" "--mask applies to a jsonl destination only: a sqlite warehouse keeps every value as it is" "the refusal says why"
[ ! -e "$W/files/warehouse.db" ] && pass "nothing is written" || fail "nothing is written"
host run three --working-dir "$W" --destination jsonl:- --mask ''
is "$rc" 2 "an empty --mask: exit 2"
like "$err" "--mask needs a column name" "the refusal says what it needs"

done_testing

# python.sh - the Python runtime end to end: connector.py files written for Fivetran's Connector SDK
# (tests/python/NAME/connector.py), run with `connector-host run PATH` into SQLite, jsonl and
# PostgreSQL; every operation and log call, every type declared and inferred, threads, generators,
# failures and resumes, load errors, kill -9 at random moments, and the seed connector against the
# C plugin `three`. PY_CRASH_SEED makes the kill moments reproducible.
. "$TESTS_SRCDIR/lib.sh"

if [ ! -e "$BUILD_PLUGINS/python.la" ]; then
    echo "1..0 # SKIP the Python runtime is not built (no $BUILD_PLUGINS/python.la)"
    exit 0
fi

# The projects are copied: a run without --working-dir writes files/ into the project directory.
# $PRISTINE stays as shipped, for copies made later.
PRISTINE=$TMP/pristine PY=$TMP/py
cp -R "$TESTS_SRCDIR/python" "$PRISTINE"
rm -rf "$PRISTINE"/*/files "$PRISTINE"/*/__pycache__
cp -R "$PRISTINE" "$PY"

# db PROJECT-OR-DIR: its warehouse.
db() { echo "$1/files/warehouse.db"; }
# col_types DB TABLE: "column TYPE" pairs from _connector_columns, by column name.
col_types() { sql "$1" "select group_concat(column_name || ' ' || type, ', ') from (select column_name, type from _connector_columns where table_name = '$2' order by column_name)"; }
# table_layout DB TABLE: every column of the SQLite table with its storage type, NOT NULL and key position.
table_layout() { sql "$1" "select group_concat(name || ' ' || type || ' ' || \"notnull\" || ' ' || pk, ', ') from pragma_table_info('$2')"; }
# line_of FILE TEXT: the number of the first line of FILE holding TEXT.
line_of() { grep -nF -- "$2" "$1" | head -n 1 | cut -d: -f1; }
# not_json_lines FILE: the first line of FILE that is not one JSON object, if any.
not_json_lines() {
    "$SQLITE3" -batch :memory: ".mode ascii" ".separator \"\\037\" \"\\n\"" \
        "create table l(line text)" ".import '$1' l" \
        ".mode list" "select line from l where not json_valid(line) or json_type(line) <> 'object' limit 1"
}
# config JSON: a configuration file of its own for each call (also from $(...)), printed.
config() { local f; f=$(mktemp "$TMP/conf.XXXXXX") && printf '%s\n' "$1" >"$f" && echo "$f"; }

# ==== every operation, both forms; logging; print() =============================================
P=$PY/ops
host run "$P" --log-level FINE
is "$rc" 0 "ops: exits 0"
like "$out" "SYNC SUCCEEDED" "ops: SYNC SUCCEEDED"
[ -f "$P/files/warehouse.db" ] && pass "ops: run by absolute path, files/ goes into the project directory" ||
    fail "ops: run by absolute path, files/ goes into the project directory" "$(ls -la "$P")"
[ ! -e "$TMP/files" ] && pass "ops: nothing is written into the current directory" || fail "ops: nothing is written into the current directory"
like "$err" "sync of connector 'ops'" "ops: the connector is named after its directory"
matches "$out" '^items +6 +3 +3 +0 +1 +2$' "ops: items counts 6 upserts, 3 updates, 3 deletes, 2 warnings (update and delete of absent rows)"
matches "$out" '^trunc_pos +3 +0 +0 +1 +1 +0$' "ops: trunc_pos counts one truncate"
matches "$out" '^trunc_kw +3 +0 +0 +1 +1 +0$' "ops: trunc_kw counts one truncate"
matches "$out" '^total +12 +3 +3 +2 +2 +3 +2$' "ops: total counts 2 checkpoints"
DB=$(db "$P")
is "$(sql "$DB" "select group_concat(id || ':' || coalesce(name, 'NULL') || ':' || coalesce(qty, 'NULL') || ':' || _fivetran_deleted, ' ') from (select * from items order by id)")" \
    "1:one:10:0 2:TWO:20:0 3:three again:NULL:0 4:four:44:0 5:five:50:1" \
    "ops: positional and keyword upsert/update/delete; a partial update keeps other columns; an upsert revives a deleted row"
is "$(sql "$DB" "select count(*) from items where id in (98, 99)")" 0 "ops: update and delete of absent rows create nothing"
is "$(sql "$DB" "select group_concat(k || ':' || _fivetran_deleted, ' ') from (select * from trunc_pos order by k)")" "a:1 b:1 c:0" "ops: op.truncate(table) soft-deletes the rows written before it"
is "$(sql "$DB" "select group_concat(k || ':' || _fivetran_deleted, ' ') from (select * from trunc_kw order by k)")" "a:1 b:1 c:0" "ops: op.truncate(table=...) soft-deletes the rows written before it"
is "$(col_types "$DB" items)" "id INT, name STRING, qty LONG" "ops: declared columns keep their types, qty is inferred LONG"
is "$(cat "$P/files/state.json")" '{"run":1,"form":"keyword"}' "ops: op.checkpoint(state=...) is the state in state.json"
is "$(sql "$DB" "select state from _connector_state where connector = 'ops'")" '{"run":1,"form":"keyword"}' "ops: and in the warehouse"
like "$err" 'FINE    [host] checkpoint 1 committed with state {"run":1,"form":"positional"}' "ops: op.checkpoint(state) positional form committed"
# Logging
like "$err" "FINE    [connector:ops] log fine line" "log.fine is FINE"
like "$err" "FINE    [connector:ops] log debug line" "log.debug is FINE"
like "$err" "INFO    [connector:ops] log info line" "log.info is INFO"
like "$err" "WARNING [connector:ops] log warning line" "log.warning is WARNING"
like "$err" "SEVERE  [connector:ops] log severe line" "log.severe is SEVERE"
like "$err" "SEVERE  [connector:ops] log error line" "log.error is SEVERE"
like "$err" "SEVERE  [connector:ops] log critical line" "log.critical is SEVERE"
matches "$err" 'SEVERE  \[connector:ops\] caught an error$' "log.error(message, exception): the message"
is "$(printf '%s\n' "$err" | grep -c "^ *KeyError: 'missing-key-xyz'$")" 2 "log.error and log.severe with an exception add the exception"
is "$(printf '%s\n' "$err" | grep -c "^ *raise KeyError(\"missing-key-xyz\")$")" 2 "the exception comes with its traceback line"
like "$err" "levels DEBUG=1 FINE=2 INFO=3 WARNING=4 ERROR=5 SEVERE=6 CRITICAL=7" "Logging.Level has the SDK's seven levels"
like "$err" "LOG_LEVEL exists: True" "Logging.LOG_LEVEL exists"
unlike "$err" "suppressed info line" "Logging.LOG_LEVEL = WARNING drops log.info"
like "$err" "WARNING [connector:ops] kept warning line" "Logging.LOG_LEVEL = WARNING keeps log.warning"
like "$err" "WARNING [connector:ops] op warning line" "op.warning(message) logs a WARNING and the sync goes on"
# print()
like "$err" "INFO    [connector:ops] print line one" "print() goes to the log"
like "$err" "INFO    [connector:ops] print-line-2" "print() with sep= goes to the log"
like "$err" "INFO    [connector:ops] partial line three" "print(end='') is joined with the next print into one line"
like "$err" "WARNING [connector:ops] to stderr line" "print(file=sys.stderr) goes to the log as a warning"
like "$err" "[connector:ops] written without newline" "an unfinished line is flushed when update() returns"
unlike "$out" "print line" "print() never reaches standard output"

host run "$P"
is "$rc" 0 "ops: second run exits 0"
like "$err" "ops run 2, state in: {'run': 1, 'form': 'keyword'}" "ops: the second run's update() gets the checkpointed state as a dict"
unlike "$err" "log fine line" "ops: at the default INFO, log.fine is filtered"
unlike "$err" "log debug line" "ops: at the default INFO, log.debug is filtered"
is "$(cat "$P/files/state.json")" '{"run":2,"form":"keyword"}' "ops: the second run's state"

# jsonl:- and --working-dir: standard output is the stream alone, files/ goes to the working directory.
before=$(snapshot "$P")
W=$(newdir ops-jsonl)
host run "$P" --working-dir "$W" --destination jsonl:-
is "$rc" 0 "ops into jsonl:- exits 0"
printf '%s\n' "$out" >"$TMP/ops.jsonl"
is "$(not_json_lines "$TMP/ops.jsonl")" "" "ops into jsonl:-: every line of standard output is a JSON object (print() output is not there)"
like "$err" "print line one" "ops into jsonl:-: print() output is in the log"
like "$err" "SYNC SUCCEEDED" "ops into jsonl:-: the summary goes to standard error"
is "$(grep -c '"op":"upsert"' "$TMP/ops.jsonl") $(grep -c '"op":"update"' "$TMP/ops.jsonl") $(grep -c '"op":"delete"' "$TMP/ops.jsonl") $(grep -c '"op":"truncate"' "$TMP/ops.jsonl") $(grep -c '"op":"checkpoint"' "$TMP/ops.jsonl")" \
    "12 3 3 2 2" "ops into jsonl:-: 12 upserts, 3 updates, 3 deletes, 2 truncates, 2 checkpoints"
like "$out" '{"op":"update","table":"items","data":{"id":4,"qty":44}}' "ops into jsonl: the keyword update carries only the key and the changed column"
like "$out" '{"op":"delete","table":"items","keys":{"id":5}}' "ops into jsonl: the keyword delete carries the key"
like "$out" '{"op":"truncate","table":"trunc_kw"}' "ops into jsonl: the keyword truncate"
like "$out" '{"op":"checkpoint","state":{"run":1,"form":"positional"}}' "ops into jsonl: the positional checkpoint"
is "$(cat "$W/files/state.json")" '{"run":1,"form":"keyword"}' "--working-dir: state.json goes to the working directory (a fresh state there)"
is "$(snapshot "$P")" "$before" "--working-dir: the project's files/ is untouched"

# ==== types ======================================================================================
P=$PY/types
DB=$(db "$P")
host run "$P"
is "$rc" 0 "types: exits 0"
is "$(col_types "$DB" declared)" \
    "b BOOLEAN, bin BINARY, d DOUBLE, dec DECIMAL(20,4), decbig DECIMAL(38,0), f FLOAT, i INT, id INT, j JSON, l LONG, nd NAIVE_DATE, ndt NAIVE_DATETIME, never STRING, s SHORT, st STRING, st_extra STRING, udt UTC_DATETIME, x XML" \
    "types: declared types, DECIMAL from a dict, lower- and mixed-case names upper-cased; an undeclared column inferred"
is "$(table_layout "$DB" declared)" \
    "id INTEGER 1 1, b INTEGER 0 0, s INTEGER 0 0, i INTEGER 0 0, l INTEGER 0 0, dec TEXT 0 0, decbig TEXT 0 0, f REAL 0 0, d REAL 0 0, nd TEXT 0 0, ndt TEXT 0 0, udt TEXT 0 0, bin BLOB 0 0, x TEXT 0 0, st TEXT 0 0, j TEXT 0 0, never TEXT 0 0, _fivetran_synced TEXT 1 0, _fivetran_deleted INTEGER 1 0, st_extra TEXT 0 0" \
    "types: SQLite storage of every declared type; a declared column never sent is still created"
# v ID COLUMNS: the quoted values of row ID of table declared.
v() { sql "$DB" "select $2 from declared where id = $1"; }
is "$(v 1 "count(*), coalesce(b, s, i, l, dec, decbig, f, d, nd, ndt, udt, bin, x, st, j, never, 'all NULL')")" "1|all NULL" "types: None into every declared type is NULL"
is "$(v 2 "quote(b), quote(s), quote(i), quote(l)")" "1|-32768|2147483647|9223372036854775807" "types: True; SHORT, INT and LONG at their limits"
is "$(v 3 "quote(b), quote(s), quote(i), quote(l)")" "0|32767|-2147483648|-9223372036854775808" "types: False; SHORT, INT and LONG at their other limits"
is "$(v 2 "quote(dec), quote(decbig)")" "'12345.6789'|'-99999999999999999999999999999999999999'" "types: DECIMAL from str, 38 digits"
is "$(v 3 "quote(dec), quote(decbig)")" "'-0.0001'|'1267650600228229401496703205376'" "types: DECIMAL from Decimal, and from an int of 101 bits"
is "$(v 4 "quote(dec)")" "'7.0000'" "types: DECIMAL from int, at the declared scale"
is "$(v 5 "quote(dec)")" "'12.5000'" "types: DECIMAL from float (its repr)"
is "$(v 2 "typeof(f), f = 0.100000001490116119384765625, f <> 0.1, d = 0.1")" "real|1|1|1" "types: 0.1 into FLOAT is rounded to 32 bits, into DOUBLE it is not"
is "$(v 3 "f, d = 1e308")" "1.5|1" "types: FLOAT 1.5 exact, DOUBLE 1e308"
is "$(v 4 "typeof(f), f, typeof(d), d")" "real|16777216.0|real|7.0" "types: the int 16777217 into FLOAT rounds to 16777216; an int into DOUBLE"
is "$(v 4 "quote(b), quote(i), quote(l)")" "1|42|3" "types: 1 into BOOLEAN, the str '42' into INT, 3.0 into LONG"
is "$(v 2 "nd, ndt, replace(udt, '.000000', '')")" "2024-02-29|2024-02-29T23:59:59.123456|2024-02-29T23:59:59Z" "types: ISO strings into the date types"
is "$(v 3 "nd, replace(ndt, '.000000', ''), replace(udt, '.000000', '')")" "1970-01-01|2000-01-01T12:00:00|2024-06-01T10:00:00Z" \
    "types: date and naive datetime objects; an aware +02:00 datetime into UTC_DATETIME is converted to UTC"
is "$(v 4 "nd, replace(ndt, '.000000', ''), replace(udt, '.000000', '')")" "2024-03-01|2024-03-01T05:06:07|2024-02-29T23:36:07Z" \
    "types: a datetime into NAIVE_DATE is its date; ISO strings with a space instead of T; +05:30 converted to UTC"
is "$(v 5 "replace(ndt, '.000000', ''), replace(udt, '.000000', '')")" "2024-01-01T05:00:00|2024-01-01T00:00:00Z" \
    "types: an aware -05:00 datetime into NAIVE_DATETIME is converted to UTC; a naive one into UTC_DATETIME is taken as UTC"
is "$(v 6 "udt")" "2024-07-01T01:02:03.456789Z" "types: microseconds of an aware UTC datetime are kept"
is "$(v 2 "quote(bin), quote(x), quote(st)")" "X'0001FEFF'|'<a b=''1''/>'|'héllo ✓'" "types: bytes into BINARY, XML, non-ASCII STRING"
is "$(v 3 "quote(bin), quote(x), quote(st)")" "X'6162'|'<r/>'|'12345'" "types: a bytearray into BINARY, an int into STRING via str()"
is "$(v 2 "json(j)")" '{"k":[1,2.5,null,true,"s"],"n":{"m":{}}}' "types: a nested dict into JSON"
is "$(v 2 "j")" '{"k": [1, 2.5, null, true, "s"], "n": {"m": {}}}' "types: JSON is the text of json.dumps"
is "$(v 3 "j")" '"abc"' "types: a str into JSON becomes a JSON string literal"
is "$(v 4 "st, j")" '[1, 2]|[1, "two", {"3": 4}]' "types: a list into STRING is str(list); a list into JSON"
is "$(v 5 "st, j")" "2024-01-02 03:04:05|true" "types: a datetime into STRING is str(datetime); True into JSON is true"
is "$(v 6 "st, j, st_extra")" "1.50|3|undeclared column of a declared table" "types: a Decimal into STRING is str(); 3 into JSON; an undeclared column of a declared table"

DB=$(db "$P")
is "$(col_types "$DB" inferred)" \
    "b BOOLEAN, by BINARY, date STRING, dec STRING, dj JSON, dmax DECIMAL(38,0), dover STRING, dt STRING, f DOUBLE, huge STRING, id LONG, lj JSON, max LONG, min LONG, nested JSON, over DECIMAL(38,0), s STRING, u STRING, under DECIMAL(38,0)" \
    "types: inferred: bool BOOLEAN, int LONG, beyond 64 bits DECIMAL(38,0) up to 38 digits then STRING, float DOUBLE, bytes BINARY, dict/list JSON, datetime/Decimal/UUID/date STRING"
is "$(sql "$DB" "select count(*) from pragma_table_info('inferred') where name = 'n'")" 0 "types: a column only ever None is not created"
i1() { sql "$DB" "select $1 from inferred where id = 1"; }
is "$(i1 "quote(b), quote(max), quote(min)")" "1|9223372036854775807|-9223372036854775808" "types: inferred 2**63-1 and -2**63 are LONG values"
is "$(i1 "quote(over), quote(under), quote(dmax)")" "'9223372036854775808'|'-9223372036854775809'|'10000000000000000000000000000000000000'" "types: inferred 2**63, -2**63-1, 10**37 are exact decimals"
is "$(i1 "quote(huge), quote(dover)")" "'1606938044258990275541962092341162602522202993782792835301376'|'100000000000000000000000000000000000000'" "types: inferred 2**200 and 10**38 are exact strings"
is "$(i1 "typeof(f), f = 0.1, quote(by)")" "real|1|X'00FF'" "types: an inferred float is not rounded to 32 bits; bytes"
is "$(i1 "json(dj), json(lj), json(nested)")" '{"a":[1,{"b":null}]}|[1,"x"]|[{"a":[{"b":[1]}]}]' "types: inferred dict, list and nested JSON"
is "$(i1 "dt, dec, u, date")" "2025-01-01 00:00:00+00:00|1.10|00000000-0000-0000-0000-000000000001|2024-01-01" "types: datetime, Decimal, UUID and date inferred as their str()"
is "$(sql "$DB" "select quote(b), quote(max), quote(s), f from inferred where id = 2")" "0|NULL|''|-2.5" "types: False, None and the empty string in a later row"
# keyless, key outside columns, composite key
is "$(sql "$DB" "select name from pragma_table_info('keyless') where pk = 1")" "_fivetran_id" "types: a table without a primary key is keyed by _fivetran_id"
is "$(sql "$DB" "select count(*), group_concat(quote(v), ',') from (select v from keyless order by v)")" "3|1,2,3" "types: the same row twice is one row; the str '3' into declared INT is 3"
is "$(sql "$DB" "select count(distinct _fivetran_id), min(length(_fivetran_id)) > 0 from keyless")" "3|1" "types: every keyless row has its own _fivetran_id"
is "$(sql "$DB" "select name || ' ' || pk from pragma_table_info('pk_outside') where pk > 0")" "code 1" "types: a primary-key column not listed in columns is the key"
is "$(col_types "$DB" pk_outside)" "amount DECIMAL(10,2), code STRING" "types: the unlisted key column is typed by its first value"
is "$(sql "$DB" "select group_concat(code || '=' || amount, ' ') from (select * from pk_outside order by code)")" "A-1=10.50 B-2=3.00" "types: DECIMAL(10,2) from str and int"
is "$(sql "$DB" "select group_concat(name, ',') from (select name from pragma_table_info('composite') where pk > 0 order by pk)")" "a,b" "types: a composite primary key in its declared order"
is "$(sql "$DB" "select group_concat(a || b || '=' || v, ' ') from (select * from composite order by a, b)")" "1x=3 1y=2" "types: upserts by composite key"

# Values the SDK converts that the runtime must too.
W=$(newdir types-dec-normalized)
host run "$P" --working-dir "$W" --configuration "$(config '{"case":"bug_normalized_decimal"}')"
is "$rc" 0 "types: Decimal('100.00').normalize() (Decimal('1E+2')) into DECIMAL(20,4) is accepted"
is "$(sql "$(db "$W")" "select dec from declared where id = 100" 2>&1)" "100.0000" "types: Decimal('1E+2') is stored as 100.0000"
W=$(newdir types-dec-float)
host run "$P" --working-dir "$W" --configuration "$(config '{"case":"bug_float_decimal"}')"
is "$rc" 0 "types: the float 1e16 into DECIMAL(38,0) is accepted"
is "$(sql "$(db "$W")" "select decbig from declared where id = 101" 2>&1)" "10000000000000000" "types: 1e16 is stored as 10000000000000000"
# Values no conversion can save: the sync fails naming table, column and value.
for c in "bad_int|column 'i'|forty-two" "bad_date|column 'nd'|2023-02-29" "utc_without_zone|column 'udt'|2024-01-02" \
    "short_overflow|column 's'|32768" "long_overflow|column 'l'|9223372036854775808"; do
    name=${c%%|*} rest=${c#*|}
    W=$(newdir "types-$name")
    host run "$P" --working-dir "$W" --configuration "$(config "{\"case\":\"$name\"}")"
    is "$rc" 1 "types: $name fails the sync (exit 1)"
    like "$out" "SYNC FAILED: upsert on table 'declared'" "types: $name: the reason names the table"
    like "$out" "${rest%%|*}" "types: $name: the reason names the column"
    matches "$out" "${rest%%|*}, operation 1 \\(key id=[0-9]+\\):" "types: $name: the reason names the operation and its row's key"
    like "$out" "${rest#*|}" "types: $name: the reason shows the value"
    is "$(sql "$(db "$W")" "select count(*) from declared" 2>/dev/null || echo 0)" 0 "types: $name: nothing committed"
done

# ==== schema(): formats the SDK refuses ========================================================
P=$PY/badschema
for c in \
    "plain_decimal|DECIMAL data type missing precision and scale. Use a dictionary for DECIMAL column type like" \
    "unknown_type|Unrecognized column type encountered" \
    "duplicate|Table already defined: t" \
    "dict_not_decimal|Expecting DECIMAL data type for dictionary column entry, but got: INT" \
    "no_table|Entry missing table name" \
    "blank_table|Table name must be a non-empty string" \
    "not_a_list|schema() must return a list"; do
    name=${c%%|*}
    W=$(newdir "badschema-$name")
    host run "$P" --working-dir "$W" --configuration "$(config "{\"case\":\"$name\"}")"
    is "$rc" 1 "schema() $name: exit 1"
    like "$out" "SYNC FAILED: connector 'badschema': schema handler failed: schema() raised" "schema() $name: SYNC FAILED names schema()"
    like "$out" "${c#*|}" "schema() $name: the SDK's message"
    is "$(sql "$(db "$W")" "select count(*) from sqlite_master where name = 't'" 2>/dev/null || echo 0)" 0 "schema() $name: update() never ran"
done
W=$(newdir badschema-unknown)
host run "$P" --working-dir "$W" --configuration "$(config '{"case":"unknown_type"}')"
like "$out" "TIMESTAMPZ" "schema(): the unknown type is named"
W=$(newdir badschema-decimal)
host run "$P" --working-dir "$W" --configuration "$(config '{"case":"plain_decimal"}')"
like "$out" '"type": "DECIMAL",' "schema(): plain DECIMAL: the message shows the dict form"

# ==== threads ===================================================================================
P=$PY/threads
DB=$(db "$P")
host run "$P"
is "$rc" 0 "threads: 8 threads upserting at once: exits 0"
matches "$out" '^plain +16000 +0 +0 +0 ' "threads: 16000 upserts into plain counted"
matches "$out" '^rich +16000 +0 +0 +0 ' "threads: 16000 upserts into rich counted"
matches "$out" '^total +32000 +0 +0 +0 +9 ' "threads: 9 checkpoints (one per thread, one at the end)"
is "$(sql "$DB" "select count(*), count(distinct t || '/' || i), sum(v = t * 100000 + i and s = t || '/' || i) from plain")" "16000|16000|16000" \
    "threads: plain values: every row lands once, with its own values"
is "$(sql "$DB" "select t || ':' || count(*) from plain group by t order by t" | tr '\n' ' ')" "0:2000 1:2000 2:2000 3:2000 4:2000 5:2000 6:2000 7:2000 " "threads: 2000 rows per thread"
is "$(sql "$DB" "select count(*) from rich")" 16000 "threads: values converted by Python code (str(), UUID, json.dumps): every row lands"
is "$(sql "$DB" "select count(*) from rich where tag = t || '-' || i and json_extract(doc, '\$.t') = t and json_extract(doc, '\$.i') = i and u = printf('00000000-0000-0000-0000-%012x', t * 100000 + i)")" 16000 \
    "threads: values converted by Python code: no row holds another row's values"
is "$(cat "$P/files/state.json")" '{"threads":8,"rows":2000}' "threads: the last checkpoint's state"

# ==== generators ================================================================================
P=$PY/generator
(cd "$PY" && "$HOST" run ./generator >"$TMP/out" 2>"$TMP/err")
rc=$? out=$(cat "$TMP/out") err=$(cat "$TMP/err")
is "$rc" 0 "generator: run as ./generator from its parent: exits 0"
matches "$out" '^gen +5 +1 +1 +0 +1 +0$' "generator: every yielded operation is applied"
is "$(sql "$(db "$P")" "select group_concat(id || ':' || sq || ':' || _fivetran_deleted, ' ') from (select * from gen order by id)")" "0:0:0 1:-1:0 2:4:0 3:9:0 4:16:1" "generator: the rows"
is "$(cat "$P/files/state.json")" '{"yielded":7}' "generator: the yielded checkpoint"
like "$err" "generator ends" "generator: drained to its end"

# ==== partial updates of wide tables ============================================================
P=$PY/wide
host run "$P"
is "$rc" 0 "wide: tables of 12 and 70 columns: exits 0"
for t in narrow:12:2,9,10,11 wide:70:2,9,10,11,63,64,65,68; do
    name=${t%%:*} rest=${t#*:} n=${rest%%:*} set=,${rest#*:},
    want='' got=''
    for i in 0 1 2; do
        c=1
        while [ "$c" -lt "$n" ]; do
            case "$i$set" in 1*,"$c",*) want="$want u$c" ;; *) want="$want v${i}_$c" ;; esac
            got="$got $(sql "$(db "$P")" "select c_$c from $name where id = $i")"
            c=$((c + 1))
        done
        want="$want $([ "$i" = 2 ] && echo 1 || echo 0)"
        got="$got $(sql "$(db "$P")" "select _fivetran_deleted from $name where id = $i")"
    done
    is "$got" "$want" "wide: $name ($n columns): an update sets only its columns, past the eighth and the 64th"
done

# ==== failures, op.error, resume ================================================================
P=$PY/failing
F=$P/connector.py
W=$(newdir failing-raise)
host run "$P" --working-dir "$W" --configuration "$(config '{"mode":"raise","fail_at":"7"}')"
is "$rc" 1 "update() raises: exit 1"
is "$(printf '%s\n' "$out" | grep 'SYNC FAILED')" \
    "SYNC FAILED: update() raised ValueError: boom at 7 (at connector.py:$(line_of "$F" 'raise ValueError(f"boom') in explode, called from connector.py:$(line_of "$F" '            explode(i)') in update)" \
    "update() raises: SYNC FAILED with the exception and where it was raised"
like "$err" "Traceback (most recent call last):" "update() raises: the traceback is in the log"
like "$err" "line $(line_of "$F" '            explode(i)'), in update" "update() raises: the traceback names update()'s line"
like "$err" "ValueError: boom at 7" "update() raises: the traceback ends with the exception"
is "$(sql "$(db "$W")" "select group_concat(i, ',') from (select i from t order by i)")" "0,1,2,3,4,5" "update() raises: what the last checkpoint covered is committed, row 6 after it is not"
is "$(cat "$W/files/state.json")" '{"next":6}' "update() raises: state.json holds the last checkpoint"
host run "$P" --working-dir "$W" --configuration "$(config '{"run":"2"}')"
is "$rc" 0 "resume: the next run succeeds"
like "$err" "resuming at 6, state {'next': 6}" "resume: update() gets the last checkpointed state"
is "$(sql "$(db "$W")" "select group_concat(i || ':' || run, ',') from (select * from t order by i)")" "0:1,1:1,2:1,3:1,4:1,5:1,6:2,7:2,8:2,9:2" \
    "resume: rows 0-5 from the failed run, 6-9 from the resumed one, none lost or redone"
is "$(cat "$W/files/state.json")" '{"next":10}' "resume: the final state"

W=$(newdir failing-op-error)
host run "$P" --working-dir "$W" --configuration "$(config '{"mode":"op_error","fail_at":"4"}')"
is "$rc" 1 "op.error(message, trace): exit 1"
like "$out" "SYNC FAILED: op.error(): giving up at 4" "op.error: SYNC FAILED has the message"
like "$out" "trace: the upstream said no" "op.error: and the trace"
is "$(sql "$(db "$W")" "select group_concat(i, ',') from (select i from t order by i)")" "0,1,2" "op.error: only what was checkpointed is committed"
is "$(cat "$W/files/state.json")" '{"next":3}' "op.error: the last checkpoint's state"

W=$(newdir failing-swallow)
host run "$P" --working-dir "$W" --configuration "$(config '{"mode":"swallow","fail_at":"4"}')"
is "$rc" 1 "a refused operation the connector catches: the sync still fails (exit 1)"
like "$out" "SYNC FAILED: upsert on table 't', column 'i', operation 5 (key i=NULL): this primary key column is NULL" "a refused operation the connector catches: SYNC FAILED gives the first reason"
like "$err" "refused afterwards: SyncError: op.upsert('t') was refused" "after a refusal, later operations raise"
like "$err" "refused afterwards: SyncError: op.checkpoint() was refused" "after a refusal, a checkpoint raises"
is "$(sql "$(db "$W")" "select group_concat(i, ',') from (select i from t order by i)")" "0,1,2" "after a refusal, nothing after the last checkpoint is committed"
is "$(cat "$W/files/state.json")" '{"next":3}' "after a refusal, the state stays the last checkpoint's"

W=$(newdir failing-badstate)
host run "$P" --working-dir "$W" --configuration "$(config '{"mode":"badstate","fail_at":"4"}')"
is "$rc" 1 "op.checkpoint with a state json.dumps refuses: exit 1"
like "$out" "SYNC FAILED: update() raised TypeError: Object of type object is not JSON serializable" "op.checkpoint with a bad state: the TypeError"
like "$out" "connector.py:$(line_of "$F" '"at": object()') in update" "op.checkpoint with a bad state: SYNC FAILED names the connector's line, not only json's"
is "$(cat "$W/files/state.json")" '{"next":3}' "op.checkpoint with a bad state: the state stays the last good checkpoint's"

W=$(newdir failing-schema)
host run "$P" --working-dir "$W" --configuration "$(config '{"mode":"schema"}')"
is "$rc" 1 "schema() raises: exit 1"
like "$out" "schema() raised RuntimeError: schema exploded for schema (at connector.py:$(line_of "$F" 'raise RuntimeError') in check_columns, called from connector.py:$(line_of "$F" '        check_columns(configuration)') in schema)" \
    "schema() raises: SYNC FAILED with the exception and where"
like "$err" "RuntimeError: schema exploded for schema" "schema() raises: the traceback is in the log"
is "$(sql "$(db "$W")" "select count(*) from sqlite_master where name = 't'" 2>/dev/null || echo 0)" 0 "schema() raises: update() never ran"

# ==== connector.py that cannot be loaded =========================================================
host run "$PY/badsyntax"
is "$rc" 2 "syntax error: exit 2"
matches "$err" "$PY/badsyntax/connector\\.py:$(line_of "$PY/badsyntax/connector.py" 'def update'):[0-9]+: syntax error" "syntax error: file:line:col"
[ ! -e "$PY/badsyntax/files" ] && pass "syntax error: no files/ is created" || fail "syntax error: no files/ is created"
host run "$PY/noconnector"
is "$rc" 2 "no connector object: exit 2"
like "$err" "connector object not found" "no connector object: said so"
host run "$PY/misnamed"
is "$rc" 2 "a Connector not named connector: exit 2"
like "$err" "'my_connector'" "a Connector not named connector: its name is given"
host run "$PY/badimport"
is "$rc" 2 "import of a missing module: exit 2"
like "$err" "No module named 'no_such_module_for_connector_host_tests'" "import of a missing module: the module is named"
like "$err" "connector.py:$(line_of "$PY/badimport/connector.py" 'import no_such_module')" "import of a missing module: file and line"
cp -R "$PRISTINE/multifile" "$TMP/brokenhelper"
printf 'def rows(n)\n    return []\n' >"$TMP/brokenhelper/helper.py"
host run "$TMP/brokenhelper"
is "$rc" 2 "a syntax error in an imported helper: exit 2"
matches "$err" "brokenhelper/helper\\.py:1:[0-9]+: syntax error" "a syntax error in an imported helper: the helper's file:line:col"

# ==== a project of several files; requirements.txt; a path to connector.py; odd directory names ======
P=$PY/multifile
host run "$P/connector.py"
is "$rc" 0 "multifile: run by the path of connector.py: exits 0"
like "$err" "sync of connector 'multifile'" "multifile: named after the directory of connector.py"
is "$(sql "$(db "$P")" "select group_concat(n || ':' || label || ':' || sq || ':' || origin, ', ') from (select * from multi order by n)")" \
    "0:row 0 from helper:0:helper, 1:row 1 from helper:1:helper, 2:row 2 from helper:4:helper" "multifile: a module and a package of the project directory are imported"
is "$(cat "$P/files/state.json")" '{"helper":"helper-1.2"}' "multifile: the state"
is "$(find "$P" -name __pycache__ | wc -l | tr -d ' ')" 0 "multifile: no __pycache__ is written into the project"
(cd "$P" && "$HOST" run connector.py >"$TMP/out" 2>"$TMP/err")
is "$?" 0 "multifile: run connector.py from inside the project: exits 0"
like "$(cat "$TMP/err")" "state {\"helper\":\"helper-1.2\"}" "multifile: run connector.py: the same project, its state from the run before"
(cd "$PY" && "$HOST" run multifile >"$TMP/out" 2>"$TMP/err")
is "$?" 2 "a bare directory name is a connector name: exit 2"
like "$(cat "$TMP/err")" "write ./multifile to run it with a runtime" "a bare directory name: the hint to write ./multifile"
host run "$PY/requirements"
is "$rc" 0 "requirements.txt with a missing package: the sync still runs"
like "$err" "requests-not-a-real-package-xyz" "requirements.txt: the missing package is named in a warning"
matches "$err" 'WARNING .*requirements\.txt.*requests-not-a-real-package-xyz' "requirements.txt: as a WARNING"
unlike "$err" "'json'" "requirements.txt: an importable module gets no warning"
unlike "$err" "'fivetran_connector_sdk'" "requirements.txt: the SDK itself gets no warning"
cp -R "$PRISTINE/generator" "$TMP/my.odd dir+1"
(cd "$TMP/my.odd dir+1" && "$HOST" run . >"$TMP/out" 2>"$TMP/err")
is "$?" 0 "run . from inside the project: exits 0"
like "$(cat "$TMP/err")" "sync of connector 'my_odd_dir_1'" "characters outside [A-Za-z0-9_-] in the directory name become _"
[ -f "$TMP/my.odd dir+1/files/state.json" ] && pass "run .: files/ in the project" || fail "run .: files/ in the project"

# ==== configuration and state ====================================================================
P=$PY/configstate
DB=$(db "$P")
host run "$P"
is "$rc" 0 "configstate: exits 0"
like "$err" 'configuration is a dict: {"api_key": "***", "page_size": "50", "region": "eu-west"}' \
    "configstate: the project's configuration.json arrives as a dict (secrets masked in the log)"
like "$err" "state is a dict: {}" "configstate: the first state is an empty dict"
is "$(sql "$DB" "select group_concat(key || '=' || value, ' ') from (select * from config where run = 1 order by key)")" "api_key=k-123 page_size=50 region=eu-west" \
    "configstate: every configuration value, as a string"
host run "$P"
like "$err" 'state is a dict: {"last": "eu-west", "nested": {"list": [1, 2, 1], "text": "caf\u00e9"}, "runs": 1}' \
    "configstate: the second run gets the first run's checkpointed state, nested values included"
is "$(sql "$DB" "select json_extract(state_in, '\$.runs') || ' ' || json_extract(state_in, '\$.nested.text') || ' ' || json_extract(state_in, '\$.nested.list[2]') from runs where run = 2")" "1 café 1" \
    "configstate: the state as update() saw it"
host run "$P" --configuration "$(config '{"region":"us"}')"
is "$(sql "$DB" "select group_concat(key || '=' || value, ' ') from config where run = 3")" "region=us" "configstate: --configuration replaces the project's configuration.json"
is "$(cat "$P/files/state.json")" '{"runs":3,"nested":{"list":[1,2,3],"text":"café"},"last":"us"}' "configstate: state.json after three runs"

W=$(newdir configstate-secret)
host run "$P" --working-dir "$W" --configuration "$(config '{"api_key":"sekrit-42","fail":"secret"}')"
is "$rc" 1 "configstate: an exception holding a secret: exit 1"
like "$out" "SYNC FAILED: update() raised ValueError: the server rejected key ***" "configstate: the secret is masked in SYNC FAILED"
like "$err" "ValueError: the server rejected key ***" "configstate: the secret is masked in the traceback"
unlike "$out$err" "sekrit-42" "configstate: the secret appears nowhere in the output"

# NUL characters in a log message or print() output.
host run "$PY/lognul"
is "$rc" 0 "log messages holding a NUL character: the sync succeeds"
like "$err" "INFO    [connector:lognul] log before" "a log message holding a NUL character is logged"
like "$err" "INFO    [connector:lognul] print before" "print() output holding a NUL character is logged"

# ==== schema command and --dry-run ================================================================
before=$(snapshot "$PY/types")
host schema "$PY/types"
is "$rc" 0 "schema PATH: exits 0"
is "$(snapshot "$PY/types")" "$before" "schema PATH runs no sync: the project's files/ is unchanged"
flat=$(printf '%s' "$out" | tr -d ' \n')
like "$flat" '"connector":"types"' "schema PATH: the connector's name"
like "$flat" "\"path\":\"$PY/types\"" "schema PATH: the project's path"
like "$flat" '{"name":"dec","destination_name":"dec","type":"DECIMAL(20,4)"}' "schema PATH: a DECIMAL dict as DECIMAL(p,s)"
like "$flat" '{"name":"nd","destination_name":"nd","type":"NAIVE_DATE"}' "schema PATH: lower-case type names upper-cased"
like "$flat" '"name":"keyless","destination_name":"keyless","primary_key":[],"columns":[{"name":"v","destination_name":"v","type":"INT"}]' "schema PATH: a table without a primary key"
like "$flat" '"name":"pk_outside","destination_name":"pk_outside","primary_key":["code"]' "schema PATH: a key column outside columns"
like "$flat" '"name":"composite","destination_name":"composite","primary_key":["a","b"]' "schema PATH: a composite key"
is "$(printf '%s' "$flat" | grep -o '"name":"[a-z_]*","destination_name":"[a-z_]*","primary_key"' | sed 's/"name":"\([a-z_]*\)".*/\1/' | tr '\n' ' ')" \
    "declared inferred keyless pk_outside composite " "schema PATH: every declared table, in order"
host schema "$PY/badschema" --configuration "$(config '{"case":"duplicate"}')"
is "$rc" 1 "schema PATH with a bad schema(): exit 1"
like "$err" "Table already defined: t" "schema PATH with a bad schema(): the SDK's message"
cp -R "$PRISTINE/generator" "$TMP/dry"
host run "$TMP/dry" --dry-run
is "$rc" 0 "--dry-run: exits 0"
matches "$out" '^gen +5 +1 +1 +0 +1 +0$' "--dry-run: counts what would be written"
like "$out" "DRY RUN: nothing was committed" "--dry-run: says so"
[ ! -e "$TMP/dry/files" ] && pass "--dry-run: no files/ in the project" || fail "--dry-run: no files/ in the project" "$(ls -la "$TMP/dry/files")"
host run "$TMP/dry"
before=$(snapshot "$TMP/dry")
host run "$TMP/dry" --dry-run
is "$rc" 0 "--dry-run over a warehouse: exits 0"
is "$(snapshot "$TMP/dry")" "$before" "--dry-run over a warehouse: warehouse and state.json unchanged"

# ==== the seed connector: Python against the C plugin three =======================================
PT=$PY/three
WC=$(newdir three-c)
host run three --working-dir "$WC"
c_out=$out
is "$rc" 0 "seed: the C plugin three runs"
host run "$PT"
is "$rc" 0 "seed: the Python three runs"
py_out=$out
DC=$(db "$WC") DP=$(db "$PT")
is "$(col_types "$DP" three)" "$(col_types "$DC" three)" "seed: the same columns and types as the C plugin"
is "$(table_layout "$DP" three)" "$(table_layout "$DC" three)" "seed: the same SQLite table, system columns and key included"
is "$(printf '%s\n' "$py_out" | grep -E '^(three|total) ')" "$(printf '%s\n' "$c_out" | grep -E '^(three|total) ')" "seed: the same summary counts"
# val1 and val2 under their destination names, whatever the naming rules make of them
V1=$(sql "$DC" "select column_name from _connector_columns where table_name = 'three' and column_name like 'val%1'")
V2=$(sql "$DC" "select column_name from _connector_columns where table_name = 'three' and column_name like 'val%2'")
is "$(sql "$DC" "select type from _connector_columns where table_name = 'three' and column_name = '$V2'")" INT "seed: the C plugin's val2 ($V2) is INT"
for q in "select count(*) from three" \
    "select group_concat($V2 || ':' || _fivetran_deleted, ',') from (select * from three order by $V2)" \
    "select group_concat(typeof(id) || typeof($V1) || typeof($V2), ',') from (select * from three order by $V2)" \
    "select $V1 from three where $V2 = 1" \
    "select count(*) from three where $V2 in (0, 2) and $V1 = id" \
    "select count(distinct id) from three" \
    "select count(*) from three where id glob '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-4[0-9a-f][0-9a-f][0-9a-f]-[89ab][0-9a-f][0-9a-f][0-9a-f]-*'"; do
    is "$(sql "$DP" "$q" 2>&1)" "$(sql "$DC" "$q" 2>&1)" "seed: same as C: $q"
done
is "$(sql "$DP" "select count(*), group_concat($V2 || ':' || _fivetran_deleted, ',') from (select * from three order by $V2)")" "3|0:0,1:0,2:1" "seed: 3 rows, val2 0,1,2, only row 3 deleted"
is "$(sql "$DP" "select $V1 from three where $V2 = 1")|$(sql "$DP" "select count(*) from three where $V2 in (0, 2) and $V1 = id")" "abc|2" "seed: row 2's val1 is abc, rows 1 and 3 keep val1 = id"
is "$(cat "$PT/files/state.json")" "{\"last_id\":\"$(sql "$DP" "select id from three where $V2 = 0")\"}" "seed: the state holds the first row's id, as the C plugin's does"
host run three --working-dir "$(newdir three-c-jsonl)" --destination jsonl:-
c_stream=$(printf '%s\n' "$out" | mask_varying)
host run "$PT" --working-dir "$(newdir three-py-jsonl)" --destination jsonl:-
is "$(printf '%s\n' "$out" | mask_varying)" "$c_stream" "seed: the same jsonl stream as the C plugin (ids masked)"

# ==== kill -9 at random moments ===================================================================
P=$PY/crash
DB=$(db "$P")
N=120000
SEED=${PY_CRASH_SEED:-$$}
RANDOM=$SEED
KILLS=8
echo "# $KILLS kills, seed $SEED (set PY_CRASH_SEED to repeat)"
CONF=$(config "{\"n\":\"$N\",\"every\":\"250\",\"keys\":\"300\"}")
dump_stream() { sql "$1" "select k, v, label, doc, _fivetran_deleted from stream order by k"; }
committed_pos() { sql "$DB" "select json_extract(state, '\$.pos') from _connector_state where connector = 'crash'" 2>/dev/null; }
kills=0 mid=0 bad=0 positions=""
for k in $(seq 1 $KILLS); do
    start=$(cat "$P/files/state.json" 2>/dev/null)
    "$HOST" run "$P" --configuration "$CONF" --log-level SEVERE >/dev/null 2>&1 &
    pid=$!
    # Odd kills come at a random moment, start-up included; even ones once the run has committed a
    # checkpoint (state.json changed), at a random moment after it: a busy machine still gets kills mid-sync.
    if [ $((k % 2)) -eq 0 ]; then
        for _ in $(seq 1 500); do
            [ "$(cat "$P/files/state.json" 2>/dev/null)" != "$start" ] && break
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.01
        done
        ms=$((RANDOM % 60))
    else
        ms=$((20 + RANDOM % 230))
    fi
    sleep "$(printf '0.%03d' "$ms")"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    status=$?
    [ "$status" -eq 137 ] && kills=$((kills + 1))
    pos=$(committed_pos)
    pos=${pos:-0}
    positions="$positions $pos"
    [ "$pos" -gt 0 ] && [ "$pos" -lt $N ] && mid=$((mid + 1))
    if [ $((pos % 250)) -ne 0 ] && [ "$pos" -ne $N ]; then
        bad=$((bad + 1)); fail "kill $k: committed position $pos is a checkpoint's"
    fi
    if [ -f "$P/files/state.json" ]; then
        file_pos=$(sed -n 's/.*"pos":\([0-9]*\).*/\1/p' "$P/files/state.json")
        if [ "${file_pos:-0}" -gt "$pos" ]; then bad=$((bad + 1)); fail "kill $k: state.json ($file_pos) is ahead of the warehouse ($pos)"; fi
    fi
    # the committed table equals an uninterrupted run that stops at the same position
    if [ "$pos" -gt 0 ] && [ $((k % 3)) -ne 0 ]; then
        O=$(newdir "crash-oracle-$k")
        "$HOST" run "$P" --working-dir "$O" --log-level SEVERE --configuration "$(config "{\"n\":\"$N\",\"every\":\"250\",\"keys\":\"300\",\"stop\":\"$pos\"}")" >/dev/null 2>&1
        if [ "$(dump_stream "$DB")" = "$(dump_stream "$(db "$O")")" ]; then :; else
            bad=$((bad + 1)); fail "kill $k after $ms ms: the table equals an uninterrupted run to position $pos"
        fi
    fi
    if [ "$status" -eq 0 ]; then "$HOST" reset --working-dir "$P" >/dev/null 2>&1; fi
done
is "$bad" 0 "kill -9: after every kill the committed table and state agree with a checkpoint of the stream"
[ "$mid" -ge $((KILLS / 2)) ] && pass "kill -9: $mid of $KILLS kills landed mid-sync ($kills killed)" ||
    fail "kill -9: $mid of $KILLS kills landed mid-sync ($kills killed)" "positions:$positions"
echo "# committed positions after each kill:$positions"
# SIGTERM mid-sync stops the Python connector cleanly at its last checkpoint.
start=$(cat "$P/files/state.json" 2>/dev/null)
"$HOST" run "$P" --configuration "$CONF" --log-level SEVERE >"$TMP/out" 2>"$TMP/err" &
pid=$!
for _ in $(seq 1 500); do
    [ "$(cat "$P/files/state.json" 2>/dev/null)" != "$start" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.01
done
kill -TERM "$pid" 2>/dev/null
wait "$pid"
is "$?" 1 "SIGTERM mid-sync: exit 1"
like "$(cat "$TMP/out")" "SYNC FAILED: interrupted by SIGTERM" "SIGTERM mid-sync: SYNC FAILED says so"
pos=$(committed_pos)
is "$(( ${pos:-1} % 250 ))" 0 "SIGTERM mid-sync: the committed position ($pos) is a checkpoint's"
host run "$P" --configuration "$CONF" --log-level SEVERE
is "$rc" 0 "kill -9: the last run resumes and finishes"
is "$(committed_pos)" "$N" "kill -9: it reaches the end of the stream"
R=$(newdir crash-reference)
"$HOST" run "$P" --working-dir "$R" --configuration "$CONF" --log-level SEVERE >/dev/null 2>&1
is "$(sql "$DB" 'select count(*), sum(_fivetran_deleted), sum(v), count(doc) from stream')" "$(sql "$(db "$R")" 'select count(*), sum(_fivetran_deleted), sum(v), count(doc) from stream')" "kill -9: the same counts and sums as one uninterrupted run"
if [ "$(dump_stream "$DB")" = "$(dump_stream "$(db "$R")")" ]; then pass "kill -9: the final table equals one uninterrupted run's: nothing lost or duplicated"; else
    fail "kill -9: the final table equals one uninterrupted run's: nothing lost or duplicated" \
        "$(diff <(dump_stream "$DB") <(dump_stream "$(db "$R")") | head -5)"
fi
is "$(col_types "$DB" stream)" "$(col_types "$(db "$R")" stream)" "kill -9: the same column types"
is "$(cat "$P/files/state.json")" "{\"pos\":$N}" "kill -9: state.json agrees"
is "$(sql "$DB" 'pragma integrity_check')" ok "kill -9: the warehouse passes SQLite's integrity check"

# ==== one connector into SQLite, jsonl and PostgreSQL =============================================
# Every destination is read back as JSON arrays [table, key, column, value], one per value, and put
# in one normal form by the column's type (from SQLite's _connector_columns): booleans 0/1, FLOAT
# to 6 digits (jsonl writes a FLOAT's shortest 32-bit form), DOUBLE to 16, date/times as 'T' and 'Z' text without trailing fraction zeros, JSON
# minified, binary as hex.
P=$PY/compare
REF=$(db "$P")
host run "$P"
is "$rc" 0 "compare: the SQLite sync exits 0"
tables=$(sql "$REF" "select distinct table_name from _connector_columns order by 1")
key_of() { sql "$REF" "select name from pragma_table_info('$1') where pk = 1"; }
columns_of() { sql "$REF" "select column_name from _connector_columns where table_name = '$1' order by 1"; echo _fivetran_deleted; }
type_of() { sql "$REF" "select type from _connector_columns where table_name = '$1' and column_name = '$2'"; }
sqlite_values() {
    local q="" t c
    for t in $tables; do
        for c in $(columns_of "$t"); do
            case $(type_of "$t" "$c") in # a REAL in full: json_array would keep 15 digits
            BINARY) v="hex(\"$c\")" ;; FLOAT | DOUBLE) v="case when \"$c\" is null then null else printf('%!.17g', \"$c\") end" ;; *) v="\"$c\"" ;;
            esac
            q="$q select json_array('$t', cast(\"$(key_of "$t")\" as text), '$c', $v) from \"$t\" union all"
        done
    done
    sql "$1" "${q% union all}"
}
binary_columns=$(sql "$REF" "select table_name || ' ' || column_name from _connector_columns where type = 'BINARY'")
# jsonl_values FILE: replays the stream: the last upsert of a key, then the updates after it, column by
# column; deleted when a delete of the key, or a truncate of its table, follows that upsert.
jsonl_values() {
    "$SQLITE3" -batch :memory: ".mode ascii" ".separator \"\\037\" \"\\n\"" "create table l(line text)" ".import '$1' l" ".mode list" "
        create table o as select rowid n, line ->> '\$.op' op, line ->> '\$.table' t,
            coalesce(line -> '\$.data', line -> '\$.keys') d from l;
        create table types as select line ->> '\$.table' t, c.value ->> '\$.name' c, c.value ->> '\$.type' ty,
            c.value ->> '\$.key' key from l, json_each(line -> '\$.columns') c where line ->> '\$.op' = 'table';
        create table ok as select o.*, o.d ->> ('\$.\"' || types.c || '\"') k from o join types using (t)
            where types.key and o.op in ('upsert', 'update', 'delete');
        create table last as select t, k, max(n) u from ok where op = 'upsert' group by t, k;
        create table cols as select distinct ok.t, j.key c from ok, json_each(ok.d) j where op in ('upsert', 'update');
        select json_array(last.t, cast(last.k as text), cols.c, json((select ok.d -> ('\$.\"' || cols.c || '\"') from ok
            where ok.t = last.t and ok.k = last.k and ok.n >= last.u and ok.op in ('upsert', 'update')
            and json_type(ok.d, '\$.\"' || cols.c || '\"') is not null order by ok.n desc limit 1)))
            from last join cols on cols.t = last.t
        union all
        select json_array(t, cast(k as text), '_fivetran_deleted',
            exists (select 1 from ok d where d.t = last.t and d.k = last.k and d.op = 'delete' and d.n > last.u)
            or exists (select 1 from o where o.t = last.t and o.op = 'truncate' and o.n > last.u)) from last;" |
        while IFS= read -r line; do # BINARY arrives as base64
            if [[ $line =~ ^\[\"([^\"]*)\",\"[^\"]*\",\"([^\"]*)\",\"([A-Za-z0-9+/=]*)\"\]$ ]] &&
                [[ $'\n'$binary_columns$'\n' == *$'\n'"${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"$'\n'* ]]; then
                b=${BASH_REMATCH[3]}
                h=$(printf '%s' "$b" | base64 -d | od -An -v -tx1 | tr -d ' \n' | tr a-f A-F)
                line="${line%,\""$b"\"]},\"$h\"]"
            fi
            printf '%s\n' "$line"
        done
}
# normal FILE: the normal form of a file of [table, key, column, value] arrays, sorted.
normal() {
    "$SQLITE3" -batch :memory: "attach '$REF' as ref" ".mode ascii" ".separator \"\\037\" \"\\n\"" "create table r(a text)" ".import '$1' r" ".mode list" "
        with r1 as (select a ->> '\$[0]' t, a ->> '\$[1]' k, a ->> '\$[2]' c, a ->> '\$[3]' v,
                (select type from ref._connector_columns where table_name = a ->> '\$[0]' and column_name = a ->> '\$[2]') ty from r),
            r2 as (select *, replace(replace(replace(v, ' ', 'T'), '+00:00', 'Z'), '+00', 'Z') x from r1),
            r3 as (select *, case when x like '%Z' then substr(x, 1, length(x) - 1) else x end body, x like '%Z' z from r2)
        select t || '|' || k || '|' || c || '=' || case
            when v is null then 'NULL'
            when ty is null or ty = 'BOOLEAN' then cast(v as integer)
            when ty = 'FLOAT' then printf('%.5e', v)
            when ty = 'DOUBLE' then printf('%.15e', v)
            when ty in ('NAIVE_DATETIME', 'UTC_DATETIME') then
                (case when instr(body, '.') then rtrim(rtrim(body, '0'), '.') else body end) || (case when z then 'Z' else '' end)
            when ty = 'JSON' then json(v)
            else cast(v as text) end from r3 order by 1;"
}
sqlite_values "$REF" >"$TMP/cmp-sqlite.raw"
normal "$TMP/cmp-sqlite.raw" >"$TMP/cmp-sqlite"
is "$(wc -l <"$TMP/cmp-sqlite" | tr -d ' ')" "$(( ($(sql "$REF" "select count(*) from _connector_columns where table_name = 'people'") + 1) * 20 + ($(sql "$REF" "select count(*) from _connector_columns where table_name = 'events'") + 1) * 6 ))" \
    "compare: SQLite gives one value per column and row"
W=$(newdir compare-jsonl)
host run "$P" --working-dir "$W" --destination "jsonl:$TMP/compare.jsonl"
is "$rc" 0 "compare: the jsonl sync exits 0"
jsonl_values "$TMP/compare.jsonl" >"$TMP/cmp-jsonl.raw"
normal "$TMP/cmp-jsonl.raw" >"$TMP/cmp-jsonl"
if diff "$TMP/cmp-sqlite" "$TMP/cmp-jsonl" >"$TMP/cmp.diff"; then pass "compare: the jsonl stream replays to the SQLite tables, value for value"; else
    fail "compare: the jsonl stream replays to the SQLite tables, value for value" "$(head -10 "$TMP/cmp.diff")"; fi
is "$(sql "$REF" "select group_concat(table_name || '.' || column_name || ' ' || type, ', ') from (select * from _connector_columns order by 1, 2)")" \
    "$("$SQLITE3" -batch :memory: ".mode ascii" ".separator \"\\037\" \"\\n\"" "create table l(line text)" ".import '$TMP/compare.jsonl' l" ".mode list" \
        "select group_concat(t || '.' || c || ' ' || ty, ', ') from (select line ->> '\$.table' t, c.value ->> '\$.name' c, c.value ->> '\$.type' ty from l, json_each(line -> '\$.columns') c where line ->> '\$.op' = 'table' union select line ->> '\$.table', line ->> '\$.column', line ->> '\$.type' from l where line ->> '\$.op' = 'add_column' order by 1, 2)")" \
    "compare: jsonl announces the same columns and types"

PGBIN=${PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
if [ -n "$PGBIN" ] && [ -x "$PGBIN/initdb" ] && [ -x "$PGBIN/pg_ctl" ] && [ -x "$PGBIN/psql" ]; then
    . "$TESTS_SRCDIR/pgserver.sh"
    W=$(newdir compare-pg)
    host run "$P" --working-dir "$W" --destination "$PGURI&schema=py"
    is "$rc" 0 "compare: the PostgreSQL sync exits 0"
    q=""
    for t in $tables; do
        for c in $(columns_of "$t"); do
            case $(type_of "$t" "$c") in
            BOOLEAN | "") v="\"$c\"::int" ;;
            FLOAT) v="\"$c\"::float8" ;;
            SHORT | INT | LONG | DOUBLE) v="\"$c\"" ;;
            BINARY) v="upper(encode(\"$c\", 'hex'))" ;;
            *) v="\"$c\"::text" ;;
            esac
            q="$q select json_build_array('$t', \"$(key_of "$t")\"::text, '$c', $v)::text from py.\"$t\" union all"
        done
    done
    psql_q "set timezone = 'UTC'; ${q% union all}" >"$TMP/cmp-pg.raw"
    normal "$TMP/cmp-pg.raw" >"$TMP/cmp-pg"
    if diff "$TMP/cmp-sqlite" "$TMP/cmp-pg" >"$TMP/cmp.diff"; then pass "compare: PostgreSQL holds the SQLite tables, value for value"; else
        fail "compare: PostgreSQL holds the SQLite tables, value for value" "$(head -10 "$TMP/cmp.diff")"; fi
    pg_type() {
        case "$1" in
        boolean) echo BOOLEAN ;; smallint) echo SHORT ;; integer) echo INT ;; bigint) echo LONG ;;
        numeric\(*) echo "$1" | sed 's/numeric/DECIMAL/' ;; real) echo FLOAT ;; "double precision") echo DOUBLE ;;
        date) echo NAIVE_DATE ;; "timestamp without time zone") echo NAIVE_DATETIME ;;
        "timestamp with time zone") echo UTC_DATETIME ;; bytea) echo BINARY ;; xml) echo XML ;;
        text) echo STRING ;; jsonb) echo JSON ;; *) echo "other:$1" ;;
        esac
    }
    for t in $tables; do
        is "$(psql_q "select attname || '|' || format_type(atttypid, atttypmod) from pg_attribute where attrelid = 'py.\"$t\"'::regclass and attnum > 0 and not attisdropped and attname not like '\\_fivetran\\_%' order by attname" |
            while IFS='|' read -r c ty; do printf '%s %s, ' "$c" "$(pg_type "$ty")"; done | sed 's/, $//')" \
            "$(col_types "$REF" "$t")" "compare: PostgreSQL table $t has the same columns and types"
    done
    is "$(psql_q "select state from py._connector_state where connector = 'compare'")" "$(sql "$REF" "select state from _connector_state")" "compare: PostgreSQL holds the same state"
else
    pass "compare: PostgreSQL # SKIP no PostgreSQL server binaries"
fi

# ---- after update(): threads left running, and pipes whose reader is gone -----------------------
P=$PY/leftovers
timeout 60 "$HOST" run "$P" >"$TMP/out" 2>"$TMP/err"
rc=$?
err=$(cat "$TMP/err")
is "$rc" 0 "a non-daemon thread left running: the host does not wait for it (exit 0, no timeout)"
like "$err" "1 thread of the connector is still running after its sync; not waiting for it" "and says so"
is "$(sql "$(db "$P")" 'select pipe from t')" "BrokenPipeError" "a write to a pipe without a reader is BrokenPipeError, as in python, not SIGPIPE"

# ---- what else a connector looks at: environment, FileUpload, schema mistakes -------------------
P=$PY/extras
host run "$P"
is "$rc" 0 "extras: exit 0"
is "$(sql "$(db "$P")" 'select model, file_upload from t')" "local_debug|FileUpload" "os.environ has FIVETRAN_DEPLOYMENT_MODEL=local_debug, and FileUpload imports"
like "$err" "schema(): table t: ignoring 'primary_keys' (a table has 'table', 'primary_key' and 'columns')" "a misspelt schema key gets a warning"
host run "$P" --configuration "$(config '{"case": "no_scale"}')"
is "$rc" 1 "a DECIMAL without scale: exit 1"
like "$out" "DECIMAL column price of table t lacks 'scale'" "it names the column, the table and what is missing"
host run "$P" --configuration "$(config '{"case": "refused"}')"
is "$rc" 1 "a value the host refuses: exit 1"
like "$err" "update() raised SyncError: op.upsert('t') was refused" "the log says which call was refused"
like "$err" "(at connector.py:$(line_of "$P/connector.py" '"not a number"') in update)" "and where it was called, at the default log level"
NEW=$TMP/newproj
(cd "$TMP" && "$HOST" new my-shop --python >"$TMP/out" 2>&1)
is "$?" 0 "new NAME --python accepts a name with '-'"
like "$(cat "$TMP/out")" "cd my-shop && $(readlink -f "$HOST") run ." "new names this host by its path when connector-host on PATH is not it"

done_testing

# demo_csv.sh - the csv demo connector end to end: quoting, keys, both incremental modes,
# replaced files, malformed input that changes nothing, and configuration errors.
. "$TESTS_SRCDIR/lib.sh"

SAMPLE="$TESTS_SRCDIR/../plugins/csv/sample.csv"

# csvconf FILE [EXTRA-JSON-MEMBERS]: a configuration for FILE.
csvconf() { conf "{\"file\":\"$1\"${2:+,$2}}"; }

# ---- quoting edge cases land exactly ------------------------------------------
W=$(newdir sample)
DB="$W/files/warehouse.db"
host run csv --working-dir "$W" --configuration "$(csvconf "$SAMPLE" '"primary_key":"id"')"
is "$rc" 0 "sample: exits 0"
like "$out" "SYNC SUCCEEDED" "sample: SYNC SUCCEEDED"
matches "$out" '^sample +4 +0 +0 +0 +1 +0$' "sample: 4 upserts into table 'sample' (the file's base name)"
matches "$out" '^total +4 +0 +0 +0 +1 +1 +0$' "sample: one checkpoint"
q="select quote(id) || ',' || quote(name) || ',' || quote(city) || ',' || replace(quote(note), char(13), '\r') from sample order by id"
is "$(sql "$DB" "$q")" "'1','Ada Lovelace','London','wrote the first program, 1843'
'2','Grace \"Amazing\" Hopper','New York',NULL
'3','Édouard Lucas','Paris','line one\r
line two'
'4','Alan Turing','',''" "sample: commas, doubled quotes, UTF-8, line breaks in quotes, NULL and '' exactly"
is "$(sql "$DB" "select hex(note) from sample where id = '3'")" \
    "$(printf 'line one\r\nline two' | od -An -tx1 | tr -d ' \n' | tr a-f A-F)" \
    "sample: the CRLF inside quotes is kept byte for byte"
is "$(sql "$DB" "select group_concat(name || ':' || type, ' ') from pragma_table_info('sample') where name not like '\\_%' escape '\\'")" \
    "id:TEXT name:TEXT city:TEXT note:TEXT" "sample: the header's columns, all text"
is "$(sql "$DB" "select name from pragma_table_info('sample') where pk = 1")" id "sample: id is the primary key"
is "$(sql "$DB" "select group_concat(type) from _connector_columns where table_name = 'sample' and column_name in ('id','name','city','note')" 2>/dev/null)" \
    "STRING,STRING,STRING,STRING" "sample: declared STRING"
is "$(cat "$W/files/state.json" | tr -d '\n' | sed 's/"header":"[0-9a-f]*"/"header":H/; s/"tail":"[0-9a-f]*"/"tail":T/')" \
    '{"mode":"position","header":H,"offset":"'"$(wc -c <"$SAMPLE" | tr -d ' ')"'","tail":T,"line":"7"}' \
    "sample: the state holds the byte offset and line after the last row"

host schema csv --configuration "$(csvconf "$SAMPLE" '"primary_key":"id"')"
like "$(echo "$out" | tr -d ' \n')" '"name":"sample","destination_name":"sample","primary_key":["id"],"columns":[{"name":"id","destination_name":"id","type":"STRING"},{"name":"name"' \
    "schema: the header's columns as STRING, the key from the configuration"
host schema csv --configuration "$(conf '{}')"
is "$rc" 0 "schema without a file: exits 0 (nothing to declare)"

# ---- golden: the validated operation stream of the sample, through jsonl -------
W=$(newdir golden)
C=$(csvconf "$SAMPLE" '"primary_key":"id"')
"$HOST" run csv --working-dir "$W" --configuration "$C" --destination jsonl:- >"$TMP/csv.jsonl" 2>"$TMP/err"
is "$?" 0 "golden: jsonl run exits 0"
golden "$TMP/csv.jsonl" "$TESTS_SRCDIR/golden/csv.jsonl" "golden: the sample's stream equals tests/golden/csv.jsonl"
cp "$SAMPLE" "$TMP/golden.csv"
C=$(csvconf "$TMP/golden.csv" '"primary_key":"id"')
W=$(newdir golden2)
host run csv --working-dir "$W" --configuration "$C" --destination jsonl:-
printf '5,"Hedy Lamarr",Vienna,"frequency\r\nhopping"\r\n' >>"$TMP/golden.csv"
host run csv --working-dir "$W" --configuration "$C" --destination jsonl:-
is "$(printf '%s\n' "$out" | sed 's/"header":"[0-9a-f]*"/"header":H/; s/"tail":"[0-9a-f]*"/"tail":T/')" \
    '{"op":"table","table":"golden","columns":[{"name":"id","type":"STRING","key":true},{"name":"name","type":"STRING"},{"name":"city","type":"STRING"},{"name":"note","type":"STRING"}]}
{"op":"upsert","table":"golden","data":{"id":"5","name":"Hedy Lamarr","city":"Vienna","note":"frequency\r\nhopping"}}
{"op":"checkpoint","state":{"mode":"position","header":H,"offset":"'"$(wc -c <"$TMP/golden.csv" | tr -d ' ')"'","tail":T,"line":"9"}}' \
    "golden: a second jsonl run streams only the appended row, its state from state.json"

# ---- primary key: a row appended again with the same key updates it ----------
F="$TMP/people.csv"
printf 'id,name\n1,ann\n2,bob\n' >"$F"
W=$(newdir pk)
DB="$W/files/warehouse.db"
C=$(csvconf "$F" '"primary_key":" id ","table":"People List"')
host run csv --working-dir "$W" --configuration "$C"
is "$rc" 0 "pk: first run exits 0"
matches "$out" '^People List \(as people_list\) +2 ' "pk: the table option names the table (normalised)"
printf '2,robert\n3,cy\n' >>"$F"
host run csv --working-dir "$W" --configuration "$C"
matches "$out" '^People List \(as people_list\) +2 +0 +0 +0 +0 +0$' "pk: second run upserts only the 2 appended rows"
is "$(sql "$DB" "select group_concat(id || '=' || name) from (select * from people_list order by id)")" \
    "1=ann,2=robert,3=cy" "pk: row 2 is updated in place, row 3 added"
host run csv --working-dir "$W" --configuration "$C"
matches "$out" '^total +0 +0 +0 +0 +1 +0 +0$' "pk: third run, nothing new: 0 upserts, 1 checkpoint"
like "$err" "resuming at line 6 (byte 34)" "pk: the log says where it resumes"

# A last line without a line end is synced, and read again next time.
printf '4,d' >>"$F"
host run csv --working-dir "$W" --configuration "$C"
matches "$out" '^total +1 +0 +0 +0 +1 +0 +0$' "partial: the unterminated last row is synced"
like "$err" "$F:6: the last row has no line end" "partial: the log says so"
is "$(sql "$DB" "select name from people_list where id = '4'")" d "partial: as it was"
printf 'ora\n' >>"$F"
host run csv --working-dir "$W" --configuration "$C"
matches "$out" '^total +1 +0 +0 +0 +1 +0 +0$' "partial: once completed it is synced again"
is "$(sql "$DB" "select name from people_list where id = '4'")" dora "partial: now complete"
host run csv --working-dir "$W" --configuration "$C"
matches "$out" '^total +0 +0 +0 +0 +1 +0 +0$' "partial: and then not again"

# An empty key field is refused where it is.
printf '"",empty string key\n,null key\n' >>"$F"
before=$(snapshot "$W")
host run csv --working-dir "$W" --configuration "$C"
is "$rc" 1 "empty key: exits 1"
like "$out" "SYNC FAILED: $F:8:1: primary key column 'id' is empty (write \"\" for an empty string)" \
    "empty key: file:line:column"
is "$(snapshot "$W")" "$before" "empty key: warehouse and state.json unchanged"

# ---- no primary key: _fivetran_id, and checkpoints every checkpoint_rows -----
F="$TMP/log.csv"
printf 'when,what\n' >"$F"
for i in 1 2 3 4 5; do printf '2026-01-0%s,event %s\n' "$i" "$i" >>"$F"; done
W=$(newdir nokey)
DB="$W/files/warehouse.db"
C=$(csvconf "$F" '"checkpoint_rows":"2"')
host run csv --working-dir "$W" --configuration "$C" --log-level FINE
is "$rc" 0 "no key: exits 0"
matches "$out" '^total +5 +0 +0 +0 +3 +1 +0$' "no key: 5 upserts, a checkpoint every 2 rows and at the end"
is "$(sql "$DB" "select count(*) from pragma_table_info('log') where name = '_fivetran_id' and pk = 1")" 1 \
    "no key: keyed by _fivetran_id"
is "$(sql "$DB" "select count(distinct _fivetran_id) from log")" 5 "no key: 5 rows"

# An interrupted sync resumes at its last checkpoint.
printf '2026-01-06,event 6\n2026-01-07,event 7\n2026-01-08,"bad\n' >>"$F"
host run csv --working-dir "$W" --configuration "$C"
is "$rc" 1 "resume: a malformed last row fails the sync"
like "$out" "SYNC FAILED: $F:9:12: quoted field is not closed before the end of the file" "resume: with its position"
is "$(sql "$DB" "select count(*) from log")" 7 "resume: the 2 rows before it were checkpointed"
printf '2026-01-08,"good"\n2026-01-09,event 9\n' >"$TMP/tail.csv"
head -n 8 "$F" >"$TMP/head.csv" && cat "$TMP/head.csv" "$TMP/tail.csv" >"$F"
host run csv --working-dir "$W" --configuration "$C"
is "$rc" 0 "resume: the repaired file syncs"
matches "$out" '^total +2 +0 +0 +0 +2 +0 +0$' "resume: only rows 8 and 9 (7 was committed)"
is "$(sql "$DB" "select group_concat(what) from (select what from log order by \"when\")")" \
    "event 1,event 2,event 3,event 4,event 5,event 6,event 7,good,event 9" "resume: every row once"

# ---- incremental by a cursor column --------------------------------------------
F="$TMP/items.csv"
printf 'id,seq,price\n1,8,1.00\n2,9,2.00\n3,10,3.00\n' >"$F"
W=$(newdir cursor)
DB="$W/files/warehouse.db"
C=$(csvconf "$F" '"primary_key":"id","cursor":"seq"')
host run csv --working-dir "$W" --configuration "$C"
is "$rc" 0 "cursor: first run exits 0"
matches "$out" '^items +3 ' "cursor: every row on the first run"
is "$(sed 's/"header":"[0-9a-f]*"/"header":H/' "$W/files/state.json")" \
    '{"mode":"cursor","header":H,"cursor_column":"seq","cursor":"10"}' \
    "cursor: the state holds the largest cursor, compared as numbers (10 > 9)"
printf 'id,seq,price\n1,8,1.00\n2,11,2.50\n3,10,3.00\n4,12,4.00\n' >"$F"
host run csv --working-dir "$W" --configuration "$C"
matches "$out" '^items +3 +0 +0 +0 +0 +0$' "cursor: rows at or above 10: the boundary row again, the changed and the new one"
is "$(sql "$DB" "select group_concat(id || '=' || price) from (select * from items order by id)")" \
    "1=1.00,2=2.50,3=3.00,4=4.00" "cursor: the changed row is updated"
like "$(cat "$W/files/state.json")" '"cursor":"12"' "cursor: now 12"
printf 'id,seq,price\n1,8,1.00\n' >"$F"
host run csv --working-dir "$W" --configuration "$C"
matches "$out" '^total +0 +0 +0 +0 +1 +0 +0$' "cursor: a file rewritten with lower values syncs nothing"
like "$(cat "$W/files/state.json")" '"cursor":"12"' "cursor: the cursor never moves back"
host run csv --working-dir "$W" --configuration "$(csvconf "$F" '"primary_key":"id","cursor":"nope"')"
is "$rc" 1 "cursor: an unknown cursor column fails"
like "$out" "configuration key 'cursor' names column 'nope', which is not in the header of $F" \
    "cursor: and says which"
# An interrupted cursor pass resumes at its position with the same threshold.
F="$TMP/pass.csv"
printf 'id,seq\n1,5\n2,6\n' >"$F"
W=$(newdir pass)
C=$(csvconf "$F" '"primary_key":"id","cursor":"seq","checkpoint_rows":"1"')
host run csv --working-dir "$W" --configuration "$C"
printf 'id,seq\n1,5\n2,6\n3,7\n4,3\n5,"8\n' >"$F"
host run csv --working-dir "$W" --configuration "$C"
is "$rc" 1 "cursor pass: a malformed row fails it"
is "$(sed 's/"header":"[0-9a-f]*"/"header":H/; s/"tail":"[0-9a-f]*"/"tail":T/' "$W/files/state.json")" \
    '{"mode":"cursor","header":H,"cursor_column":"seq","cursor":"6","max":"7","offset":"19","tail":T,"line":"5"}' \
    "cursor pass: the checkpoint holds the threshold, the running maximum and the position"
printf 'id,seq\n1,5\n2,6\n3,7\n4,3\n5,8\n' >"$F"
host run csv --working-dir "$W" --configuration "$C"
like "$err" "resuming at line 5 (byte 19)" "cursor pass: resumes at its position"
matches "$out" '^pass +1 ' "cursor pass: only row 5 is left (row 4 is below the threshold)"
like "$(cat "$W/files/state.json")" '{"mode":"cursor","header":"' "cursor pass: done"
like "$(cat "$W/files/state.json")" '"cursor":"8"}' "cursor pass: the new threshold is 8, no position"

# Text cursors compare by bytes, which orders ISO 8601 times.
F="$TMP/ts.csv"
printf 'id,at\na,2026-01-02T10:00:00Z\nb,2026-01-10T09:00:00Z\n' >"$F"
W=$(newdir ts)
C=$(csvconf "$F" '"primary_key":"id","cursor":"at"')
host run csv --working-dir "$W" --configuration "$C"
printf 'c,2026-01-09T00:00:00Z\nd,2026-01-11T00:00:00Z\n' >>"$F"
host run csv --working-dir "$W" --configuration "$C"
matches "$out" '^ts +2 ' "text cursor: the boundary row and the later one"
is "$(sql "$W/files/warehouse.db" "select group_concat(id) from (select id from ts order by id)")" "a,b,d" \
    "text cursor: the row before the cursor is not synced"

# ---- a truncated or replaced file starts over ----------------------------------
F="$TMP/swap.csv"
printf 'k,v\n1,a\n2,b\n3,c\n' >"$F"
W=$(newdir swap)
DB="$W/files/warehouse.db"
C=$(csvconf "$F" '"primary_key":"k"')
host run csv --working-dir "$W" --configuration "$C"
printf 'k,v\n9,z\n' >"$F"
host run csv --working-dir "$W" --configuration "$C"
is "$rc" 0 "shrunk: exits 0"
like "$err" "the file is shorter (8 bytes) than the synced position (16): it was truncated or replaced; truncating the table and reading every row" \
    "shrunk: the log says why it starts over"
matches "$out" '^swap +1 +0 +0 +1 +0 +0$' "shrunk: a truncate and the new file's row"
is "$(sql "$DB" "select group_concat(k || ':' || _fivetran_deleted) from (select * from swap order by k)")" \
    "1:1,2:1,3:1,9:0" "shrunk: the old rows are soft-deleted, the new one alive"
printf 'k,v\n7,x\n8,y\n' >"$F"
host run csv --working-dir "$W" --configuration "$C"
like "$err" "the rows before the synced position (byte 8) changed: the file was replaced" \
    "replaced, same length or longer: noticed"
matches "$out" '^swap +2 +0 +0 +1 +0 +0$' "replaced: truncate and both rows"
printf 'k,w\n7,x\n8,y\n9,q\n' >"$F"
host run csv --working-dir "$W" --configuration "$(csvconf "$F" '"primary_key":"k"')"
like "$err" "the header changed since the last sync" "new header: noticed"
is "$(sql "$DB" "select count(*) from swap where _fivetran_deleted = 0")" 3 "new header: 3 live rows"
: >"$F"
host run csv --working-dir "$W" --configuration "$C"
is "$rc" 0 "emptied: exits 0"
like "$err" "$F is now empty: truncating table 'swap'" "emptied: says so"
is "$(sql "$DB" "select count(*) from swap where _fivetran_deleted = 0")" 0 "emptied: no live rows"

# ---- byte order mark, header only, empty file ---------------------------------
F="$TMP/bom.csv"
printf '\357\273\277id,v\r\n1,x\r\n' >"$F"
W=$(newdir bom)
host run csv --working-dir "$W" --configuration "$(csvconf "$F" '"primary_key":"id"')"
is "$rc" 0 "BOM: exits 0"
is "$(sql "$W/files/warehouse.db" "select id || v from bom")" "1x" "BOM: not part of the first column's name"
F="$TMP/only.csv"
printf 'a,b\n' >"$F"
W=$(newdir only)
host run csv --working-dir "$W" --configuration "$(csvconf "$F")"
is "$rc" 0 "header only: exits 0"
matches "$out" '^total +0 +0 +0 +0 +1 ' "header only: no rows"
printf '1,2\n' >>"$F"
host run csv --working-dir "$W" --configuration "$(csvconf "$F")"
matches "$out" '^only +1 ' "header only, then a row: synced"
printf 'a,b' >"$F"
W=$(newdir only2)
host run csv --working-dir "$W" --configuration "$(csvconf "$F")"
is "$rc" 0 "header without a line end: exits 0"
printf '\n3,4\n' >>"$F"
host run csv --working-dir "$W" --configuration "$(csvconf "$F")"
matches "$out" '^only +1 +0 +0 +0 ' "header without a line end, then rows: synced, no truncate"
unlike "$err" "WARNING" "header without a line end, then rows: no warning"
F="$TMP/empty.csv"
: >"$F"
W=$(newdir empty)
host run csv --working-dir "$W" --configuration "$(csvconf "$F")"
is "$rc" 0 "empty file: exits 0"
like "$err" "$F is empty: no header row, nothing to sync" "empty file: says so"

# ---- malformed CSV fails with its position and changes nothing ----------------
F="$TMP/bad.csv"
printf 'id,v\n1,ok\n' >"$F"
W=$(newdir bad)
C=$(csvconf "$F" '"primary_key":"id"')
host run csv --working-dir "$W" --configuration "$C"
cp "$F" "$TMP/bad.orig"
# bad_case CONTENT-APPENDED MESSAGE DESCRIPTION
bad_case() {
    cp "$TMP/bad.orig" "$F"
    printf "$1" >>"$F"
    before=$(snapshot "$W")
    host run csv --working-dir "$W" --configuration "$C"
    is "$rc" 1 "$3: exits 1"
    like "$out" "SYNC FAILED: $F:$2" "$3: file:line:column and what"
    is "$(snapshot "$W")" "$before" "$3: warehouse and state.json unchanged"
}
bad_case '2,fine\n3,x"y\n' '4:4: quote inside an unquoted field' "bare quote"
bad_case '2,"open\n3,z\n' '3:3: quoted field is not closed before the end of the file' "unterminated quote"
bad_case '2,"a"b\n' '3:6: text after the closing quote' "text after a closing quote"
bad_case '2,a,b\n' '3:5: row has 3 fields, expected 2 as in the header' "too many fields"
bad_case '2\n' '3:2: row has 1 fields, expected 2 as in the header' "too few fields"
bad_case '2,\377\n' '3:3: invalid UTF-8: byte 0xFF cannot start a character' "invalid UTF-8"
bad_case '2,a\r3,b\n' '3:4: carriage return not followed by a line feed' "bare carriage return"
printf 'id,id\n1,2\n' >"$TMP/dup.csv"
host run csv --working-dir "$(newdir dup)" --configuration "$(csvconf "$TMP/dup.csv")"
like "$out" "SYNC FAILED: $TMP/dup.csv:1:4: header column 'id' appears twice" "duplicate header column"
printf 'id,,x\n1,2,3\n' >"$TMP/noname.csv"
host run csv --working-dir "$(newdir noname)" --configuration "$(csvconf "$TMP/noname.csv")"
like "$out" "SYNC FAILED: $TMP/noname.csv:1:4: header column 2 has no name" "header column without a name"

# ---- configuration errors ------------------------------------------------------
W=$(newdir conferr)
host run csv --working-dir "$W" --configuration "$(conf '{"primary_key":"id"}')"
is "$rc" 2 "missing file key: exits 2"
like "$err" "connector 'csv' needs configuration keys missing from $TMP/conf.json: file (path of the CSV file to sync)" \
    "missing file key: the host's message"
[ ! -e "$W/files/warehouse.db" ] && pass "missing file key: no warehouse" || fail "missing file key: no warehouse"
host run csv --working-dir "$W" --configuration "$(csvconf "$TMP/nowhere.csv")"
is "$rc" 1 "missing file: exits 1"
like "$out" "SYNC FAILED: $TMP/nowhere.csv: cannot open: No such file or directory" "missing file: says so"
host run csv --working-dir "$W" --configuration "$(csvconf "$SAMPLE" '"primary_key":"id,nope"')"
is "$rc" 1 "unknown key column: exits 1"
like "$out" "configuration key 'primary_key' names column 'nope', which is not in the header of $SAMPLE" \
    "unknown key column: named"
host run csv --working-dir "$W" --configuration "$(csvconf "$SAMPLE" '"primary_key":"id,"')"
like "$out" "configuration key 'primary_key' has an empty or overlong column name" "empty key column name"
host run csv --working-dir "$W" --configuration "$(csvconf "$SAMPLE" '"checkpoint_rows":"0"')"
like "$out" "configuration key 'checkpoint_rows' must be a whole number from 1 to 100000000" "bad checkpoint_rows"

# ---- a bigger file streams, with a checkpoint every 1000 rows -----------------
F="$TMP/big.csv"
awk 'BEGIN { print "n,text"; for (i = 1; i <= 5500; i++) printf "%d,\"row %d, quoted \"\"text\"\"\"\n", i, i }' >"$F"
W=$(newdir big)
host run csv --working-dir "$W" --configuration "$(csvconf "$F" '"primary_key":"n"')"
matches "$out" '^total +5500 +0 +0 +0 +6 +1 +0$' "big: 5500 rows, 6 checkpoints"
is "$(sql "$W/files/warehouse.db" "select text from big where n = '5500'")" 'row 5500, quoted "text"' "big: the last row"

done_testing

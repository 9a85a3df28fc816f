# jsonl.sh - the jsonl destination: the operation stream a connector author golden-tests against.
. "$TESTS_SRCDIR/lib.sh"

P="--plugin-dir $TEST_PLUGINS"

# Every line of a stream is one JSON object; prints the first line that is not.
not_json_lines() {
    "$SQLITE3" -batch :memory: ".mode ascii" ".separator \"\\037\" \"\\n\"" \
        "create table l(line text)" ".import '$1' l" \
        ".mode list" "select line from l where not json_valid(line) or json_type(line) <> 'object' limit 1"
}

# ---- the format, on every type: a reviewed golden file -----------------------
W=$(newdir types)
host run types $P --working-dir "$W" --destination "jsonl:$TMP/types.jsonl"
is "$rc" 0 "types into jsonl:FILE exits 0"
golden "$TMP/types.jsonl" "$TESTS_SRCDIR/golden/types.jsonl" "every type's encoding matches the golden stream"
is "$(not_json_lines "$TMP/types.jsonl")" "" "every line is one JSON object"
like "$out" "SYNC SUCCEEDED" "with a file, the summary stays on standard output"
[ ! -e "$W/files/warehouse.db" ] && pass "no warehouse is created" || fail "no warehouse is created"
is "$(cat "$W/files/state.json")" '{"rows":"12"}' "state.json holds the checkpointed state"

# ---- jsonl:- : the stream alone on standard output -----------------------------
W=$(newdir three)
host run three --working-dir "$W" --destination jsonl:-
is "$rc" 0 "three into jsonl:- exits 0"
is "$(printf '%s\n' "$out" | mask_varying)" '{"op":"table","table":"three","columns":[{"name":"id","type":"STRING","key":true},{"name":"val_1","type":"STRING"},{"name":"val_2","type":"INT"}]}
{"op":"upsert","table":"three","data":{"id":"<uuid>","val_1":"<uuid>","val_2":0}}
{"op":"upsert","table":"three","data":{"id":"<uuid>","val_1":"<uuid>","val_2":1}}
{"op":"upsert","table":"three","data":{"id":"<uuid>","val_1":"<uuid>","val_2":2}}
{"op":"update","table":"three","data":{"id":"<uuid>","val_1":"abc"}}
{"op":"delete","table":"three","keys":{"id":"<uuid>"}}
{"op":"checkpoint","state":{"last_id":"<uuid>"}}' "standard output holds exactly the stream"
like "$err" "SYNC SUCCEEDED" "the summary goes to standard error"
ids=$(printf '%s\n' "$out" | sed -n 's/.*"op":"upsert".*"id":"\([^"]*\)".*/\1/p' | tr '\n' ' ')
set -- $ids
is "$(printf '%s\n' "$out" | grep -c "\"op\":\"update\",\"table\":\"three\",\"data\":{\"id\":\"$2\",\"val_1\":\"abc\"}")" 1 "the update names the second row and only the column set"
is "$(printf '%s\n' "$out" | grep -c "\"op\":\"delete\",\"table\":\"three\",\"keys\":{\"id\":\"$3\"}")" 1 "the delete names the third row by key"
is "$(cat "$W/files/state.json")" "{\"last_id\":\"$1\"}" "state.json holds the first row's id"

# A second run starts from state.json, the only store of a jsonl destination.
host run three --working-dir "$W" --destination jsonl:-
like "$err" "state {\"last_id\":\"$1\"}" "a second run starts from state.json"

# ---- schema changes: add_column and change_type ---------------------------------
W=$(newdir evolve)
conf_file=$(conf '{"step":"1"}')
host run evolve $P --working-dir "$W" --configuration "$conf_file" --destination "jsonl:$TMP/evolve.jsonl"
is "$rc" 0 "evolve step 1 into jsonl exits 0"
grep -q '"op":"table","table":"items"' "$TMP/evolve.jsonl" && pass "the items table is announced" || fail "the items table is announced"
matches "$(cat "$TMP/evolve.jsonl")" '"op":"change_type","table":"items","column":"[a-z_0-9]+","from":"SHORT","to":"INT"' "widening shows as change_type from SHORT to INT"
matches "$(cat "$TMP/evolve.jsonl")" '"op":"add_column","table":"items","column":"extra","type":"STRING"' "a new column after the table shows as add_column"
is "$(not_json_lines "$TMP/evolve.jsonl")" "" "schema change lines are JSON objects"

# ---- truncate ----------------------------------------------------------------------
W=$(newdir trunc)
host run truncate $P --working-dir "$W" --configuration "$(conf '{"case":"truncate"}')" --destination jsonl:-
is "$rc" 0 "truncate case exits 0"
matches "$out" '^\{"op":"truncate","table":"t"\}$' "a truncate is one line naming the table"

# ---- a failed sync: nothing after the last checkpoint stays in the stream -----------
W=$(newdir fail)
host run failing $P --working-dir "$W" --destination "jsonl:$TMP/fail.jsonl"
is "$rc" 1 "a failing connector exits 1"
is "$(tail -n 1 "$TMP/fail.jsonl" | sed 's/,"state".*//')" '{"op":"checkpoint"' "a file ends at the last checkpoint: later operations were cut"
is "$(not_json_lines "$TMP/fail.jsonl")" "" "the cut file is whole JSON lines"
n_file=$(grep -c '"op":"upsert"' "$TMP/fail.jsonl")

# Through a pipe the stream cannot be cut: a rollback line says what to discard.
W=$(newdir failpipe)
"$HOST" run failing $P --working-dir "$W" --destination jsonl:- 2>"$TMP/err" | cat >"$TMP/pipe.jsonl"
is "$(tail -n 1 "$TMP/pipe.jsonl")" '{"op":"rollback"}' "through a pipe, a failed sync ends with a rollback line"
n_pipe=$(sed -n '1,/"op":"checkpoint"/p' "$TMP/pipe.jsonl" | grep -c '"op":"upsert"')
is "$n_pipe" "$n_file" "up to its last checkpoint the piped stream equals the file's"

# Appended to with >>, a file keeps what it held: a failed sync marks its rollback instead of cutting.
W=$(newdir append)
printf 'precious\n' >"$TMP/append.jsonl"
"$HOST" run failing $P --working-dir "$W" --destination jsonl:- 2>/dev/null >>"$TMP/append.jsonl"
is "$(head -n 1 "$TMP/append.jsonl")" "precious" "a failed sync never cuts what came before >>"
is "$(tail -n 1 "$TMP/append.jsonl")" '{"op":"rollback"}' "it ends with a rollback line instead"

# With jsonl:-, even a failure before the destination opens leaves standard output to the stream.
W=$(newdir locked)
mkdir -p "$W/files"
(flock -x 9; sleep 3) 9>"$W/files/.connector-host.lock" &
sleep 0.5
host run three --working-dir "$W" --destination jsonl:-
is "$rc" 75 "a locked working directory refuses the sync: exit 75, as for every destination"
is "$out" "" "the failure report stays off standard output"
like "$err" "SYNC FAILED" "it goes to standard error"
like "$err" "BUSY: another worker has this connector" "and says it is busy"
wait

# ---- bad destinations ---------------------------------------------------------------
host run three --working-dir "$(newdir bad1)" --destination jsonl:
is "$rc" 2 "jsonl: without a path is bad usage"
like "$err" "destination 'jsonl:': the jsonl destination needs a file path, or - for standard output" "jsonl: without a path is explained"
host run three --working-dir "$(newdir bad2)" --destination "jsonl:$TMP/no/such/dir/out.jsonl"
is "$rc" 1 "an unwritable jsonl file fails the sync"
like "$err" "cannot open jsonl destination $TMP/no/such/dir/out.jsonl: No such file or directory" "the unwritable file is named with the reason"

# A full disk while writing the stream: the sync fails and state.json keeps its last value.
if [ -e /dev/full ]; then
    W=$(newdir full)
    host run three --working-dir "$W" --destination jsonl:/dev/full
    is "$rc" 1 "a full disk fails the sync"
    like "$err" "jsonl destination /dev/full: cannot write: No space left on device" "the write error names the file and the reason"
    [ ! -e "$W/files/state.json" ] && pass "no state is stored when the stream could not be written" || fail "no state is stored when the stream could not be written"
fi

done_testing

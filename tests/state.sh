#!/bin/sh
# state.sh - a connector's state in a working directory (issue 17): one state file per connector
# (files/state/NAME.json, files/state.json a copy of the first one's), the layout before it moved
# on the next sync, --state FILE, hand-edited files never ignored silently, `connector-host
# state`, and jsonl and dry runs that never advance a warehouse's state.
. "$TESTS_SRCDIR/lib.sh"

P="--plugin-dir $TEST_PLUGINS"
warehouse_state() { sql "$1/files/warehouse.db" "select state from _connector_state where connector = '$2'"; }
# upserts OUT: the total upserts of a summary
upserts() { printf '%s\n' "$1" | awk '$1 == "total" { print $2 }'; }
# older FILE: sets FILE's time an hour back, so that a file written after it is the newer on any clock
older() { touch -d "@$(($(date +%s) - 3600))" "$1"; }
cursor() { printf '{"cursor":"2024-01-01T00:%02d:00Z"}' "$1"; }

# ---- one state file per connector ------------------------------------------------------------
W=$(newdir two)
host run incremental --working-dir "$W"
is "$rc" 0 "incremental: first sync"
host run three --working-dir "$W"
is "$rc" 0 "three: first sync, in the same working directory"
is "$(cat "$W/files/state/incremental.json")" "$(warehouse_state "$W" incremental)" "incremental's state file holds its warehouse state"
is "$(cat "$W/files/state/three.json")" "$(warehouse_state "$W" three)" "three's state file holds its warehouse state"
is "$(cat "$W/files/state/three.store")" "sqlite:$W/files/warehouse.db" "three.store names the warehouse that committed it"
is "$(cat "$W/files/state.json.connector")" incremental "state.json belongs to the first connector"
is "$(cat "$W/files/state.json")" "$(warehouse_state "$W" incremental)" "and is a copy of its state"
host run incremental --working-dir "$W" --configuration "$(conf '{"records": "12"}')"
is "$rc" 0 "incremental again"
unlike "$err" "WARNING" "no warning: three's sync did not touch incremental's files"
is "$(upserts "$out")" 2 "incremental resumes from its own cursor: records 11 and 12"
is "$(cat "$W/files/state.json")" "$(cursor 12)" "state.json follows the first connector"
three_state=$(warehouse_state "$W" three)
host run three --working-dir "$W"
unlike "$err" "WARNING" "no warning for three either"
like "$err" "state $three_state" "three starts from its own state"
is "$(ls "$W/files/state" | grep -c tmp)" 0 "no temporary file left"

# ---- the layout before files/state/: moved on the next sync, said in a log line ---------------
W=$(newdir old)
host run incremental --working-dir "$W"
rm -r "$W/files/state" # what an earlier connector-host left: state.json and its owner file
host run incremental --working-dir "$W" --dry-run
like "$err" "$W/files/state.json is connector 'incremental''s state in the layout of an earlier connector-host, without $W/files/state/incremental.json; not moved (dry run)" "a dry run says it leaves the old layout"
[ ! -e "$W/files/state" ] && pass "and moves nothing" || fail "and moves nothing"
host run incremental --working-dir "$W" --configuration "$(conf '{"records": "11"}')"
is "$rc" 0 "old layout: the next sync succeeds"
like "$err" "$W/files/state.json is connector 'incremental''s state in the layout of an earlier connector-host: moving it to $W/files/state/incremental.json" "the move is said"
is "$(upserts "$out")" 1 "and the sync resumes from the committed cursor"
is "$(cat "$W/files/state/incremental.json")" "$(cursor 11)" "the state is in its own file"
is "$(cat "$W/files/state.json")" "$(cursor 11)" "state.json stays, a copy"
host run incremental --working-dir "$W"
unlike "$err" "earlier connector-host" "moved once: the next sync says nothing of it"
# The same with no warehouse (jsonl runs): state.json was the only store.
W=$(newdir oldjsonl)
mkdir -p "$W/files"
cursor 4 >"$W/files/state.json"
echo incremental >"$W/files/state.json.connector"
host run incremental --working-dir "$W" --destination "jsonl:$TMP/old.jsonl"
is "$rc" 0 "old layout, jsonl: exit 0"
like "$err" "moving it to $W/files/state/incremental.json" "old layout, jsonl: the move is said"
is "$(upserts "$out")" 6 "old layout, jsonl: the sync starts from state.json's cursor (records 5 to 10)"
is "$(cat "$W/files/state/incremental.json")" "$(cursor 10)" "old layout, jsonl: the new state is in its own file"
is "$(cat "$W/files/state/incremental.store")" jsonl "old layout, jsonl: kept by jsonl runs"
# Another connector's state.json of the old layout is left to it.
W=$(newdir oldother)
mkdir -p "$W/files"
cursor 4 >"$W/files/state.json"
echo incremental >"$W/files/state.json.connector"
host run three --working-dir "$W"
is "$rc" 0 "old layout of another connector: exit 0"
like "$err" "state {}" "three starts fresh"
is "$(cat "$W/files/state.json")" "$(cursor 4)" "incremental's state.json is untouched"
host run incremental --working-dir "$W" --destination "jsonl:$TMP/old.jsonl"
is "$(upserts "$out")" 6 "and incremental still starts from it"

# ---- reset removes every connector's state files ----------------------------------------------
W=$TMP/two
host reset --working-dir "$W"
is "$rc" 0 "reset: exit 0"
for f in state/incremental.json state/incremental.store state/three.json state/three.store state; do
    matches "$out" "^removed $W/files/$f\$" "reset says it removed files/$f"
done
[ ! -e "$W/files/state" ] && pass "files/state/ is gone" || fail "files/state/ is gone"
host run incremental --working-dir "$W"
like "$err" "no state stored for connector 'incremental': starting fresh" "after reset incremental starts fresh"
unlike "$err" "WARNING" "with nothing to warn of"

# ---- --state FILE seeds or overrides the state of a run --------------------------------------
W=$(newdir seed)
cursor 7 >"$TMP/seed.json"
host run incremental --working-dir "$W" --state "$TMP/seed.json"
is "$rc" 0 "--state on a first sync: exit 0"
like "$err" "WARNING [host] starting from the state in $TMP/seed.json (--state), not from the empty state" "the seed is a warning, naming the file"
is "$(upserts "$out")" 3 "the sync starts from the seed: records 8 to 10"
is "$(warehouse_state "$W" incremental)" "$(cursor 10)" "its checkpoints are committed"
is "$(cat "$W/files/state/incremental.json")" "$(cursor 10)" "and written to its state file"
host run incremental --working-dir "$W" --state "$TMP/seed.json"
like "$err" "not from the state committed in sqlite:$W/files/warehouse.db, which is $(cursor 10); its first checkpoint replaces the committed state" "overriding a committed state says which one it replaces"
is "$(upserts "$out")" 3 "the seed overrides the committed cursor"
before=$(snapshot "$W")
cursor 2 >"$TMP/seed.json"
host run incremental --working-dir "$W" --state "$TMP/seed.json" --dry-run
is "$rc" 0 "--state with --dry-run: exit 0"
is "$(upserts "$out")" 8 "a dry run starts from the seed"
like "$err" "nothing is committed (dry run)" "and says nothing is committed"
is "$(snapshot "$W")" "$before" "--state with --dry-run: warehouse and state files unchanged"
host run incremental --working-dir "$W" --state "$TMP/seed.json" --destination "jsonl:$TMP/seed.jsonl"
is "$rc" 0 "--state into jsonl: exit 0"
like "$err" "this run commits no state in the working directory" "into jsonl over a warehouse, the seed commits nothing here"
is "$(grep -c '"op":"upsert"' "$TMP/seed.jsonl")" 8 "the stream starts from the seed"
is "$(snapshot "$W")" "$before" "--state into jsonl: warehouse and state files unchanged"
mkfifo "$TMP/pipe"
cursor 9 >"$TMP/pipe" &
writer=$!
host run incremental --working-dir "$W" --state "$TMP/pipe" --dry-run
kill "$writer" 2>/dev/null
is "$(upserts "$out")" 1 "--state reads a pipe (as <(...) gives)"
host run incremental --working-dir "$W" --state "$TMP/missing.json"
is "$rc" 2 "--state of a missing file: bad usage, exit 2"
like "$err" "--state: $TMP/missing.json: No such file or directory" "--state of a missing file: said"
printf '[1]' >"$TMP/bad.json"
host run incremental --working-dir "$W" --state "$TMP/bad.json"
is "$rc" 2 "--state of an array: exit 2"
like "$err" "--state: $TMP/bad.json: state must be a JSON object" "--state of an array: said"
printf '{"cursor": }' >"$TMP/bad.json"
host run incremental --working-dir "$W" --state "$TMP/bad.json"
is "$rc" 2 "--state with a JSON error: exit 2"
like "$err" "--state: $TMP/bad.json:1:" "--state with a JSON error: file, line and column"
is "$(snapshot "$W")" "$before" "a refused --state changes nothing"
host schema incremental --state "$TMP/seed.json"
is "$rc" 2 "schema --state: exit 2"
like "$err" "option '--state' does not apply here" "schema --state: said"

# ---- a hand-edited state file is never ignored silently --------------------------------------
W=$(newdir hand)
host run incremental --working-dir "$W"
echo "$(cursor 3)" >"$W/files/state.json" # as an editor saves it, with a line end
host run incremental --working-dir "$W"
like "$err" "WARNING [host] $W/files/state.json differs from the state committed in the warehouse" "an edited state.json is noticed"
like "$err" "not used; using the warehouse's and rewriting the file; it held: $(cursor 3); to start a sync from a state of your own, run it with --state FILE" "said: not used, why, what it held, and how to use it"
is "$(upserts "$out")" 0 "the warehouse's state is used"
is "$(cat "$W/files/state.json")" "$(cursor 10)" "state.json is rewritten"
cursor 3 >"$W/files/state/incremental.json"
host run incremental --working-dir "$W"
like "$err" "WARNING [host] $W/files/state/incremental.json differs from the state committed in the warehouse" "an edited state file is noticed"
is "$(cat "$W/files/state/incremental.json")" "$(cursor 10)" "and rewritten"
# A warehouse without the connector's state: its files are not used, and said so.
rm "$W/files/warehouse.db"*
host run incremental --working-dir "$W"
like "$err" "WARNING [host] $W/files/state/incremental.json holds a state of connector 'incremental' (written by sqlite:$W/files/warehouse.db), but sqlite:$W/files/warehouse.db has none: not used" "state files without their warehouse: not used, and said"
like "$err" "run with --state $W/files/state/incremental.json" "and how to use it anyway"
is "$(upserts "$out")" 10 "the new warehouse is synced from the start"
# jsonl runs: the files are the store, and the newer of the two is used.
W=$(newdir handjsonl)
host run incremental --working-dir "$W" --destination "jsonl:$TMP/h.jsonl"
is "$(cat "$W/files/state/incremental.store")" jsonl "jsonl runs keep the state in the files"
cursor 8 >"$W/files/state.json"
host run incremental --working-dir "$W" --destination "jsonl:$TMP/h.jsonl"
like "$err" "WARNING [host] $W/files/state/incremental.json and $W/files/state.json differ; $W/files/state.json is the newer" "jsonl: an edited state.json is noticed"
like "$err" "so this sync starts from it" "jsonl: and used, as fivetran debug would"
is "$(upserts "$out")" 2 "jsonl: records 9 and 10, after the edited cursor"
cursor 6 >"$W/files/state/incremental.json"
older "$W/files/state.json"
host run incremental --working-dir "$W" --destination "jsonl:$TMP/h.jsonl"
like "$err" "$W/files/state/incremental.json is the newer" "jsonl: an edited state/NAME.json is the newer"
is "$(upserts "$out")" 4 "jsonl: and used: records 7 to 10"
is "$(cat "$W/files/state.json")" "$(cursor 10)" "jsonl: both files agree again"

# ---- the host's own files: no link is written through, no file taken for a directory -----------
W=$(newdir planted)
host run incremental --working-dir "$W"
echo victim >"$TMP/victim"
mv "$W/files/state/incremental.json" "$TMP/real.json"
ln -s "$TMP/victim" "$W/files/state/incremental.json"
host run incremental --working-dir "$W"
is "$rc" 1 "a state file as a link: the sync fails"
like "$err" "$W/files/state/incremental.json is a symbolic link, not a regular file; remove it" "a state file as a link: said"
is "$(cat "$TMP/victim")" victim "a state file as a link: its target is untouched"
rm "$W/files/state/incremental.json"
mv "$W/files/state" "$TMP/statedir"
echo x >"$W/files/state"
host run incremental --working-dir "$W"
is "$rc" 1 "files/state as a file: the sync fails"
like "$err" "$W/files/state is not a directory; remove it" "files/state as a file: said"

# ---- a jsonl or dry run never advances a warehouse's state ------------------------------------
W=$(newdir real)
host run incremental --working-dir "$W" --configuration "$(conf '{"records": "5"}')"
before=$(snapshot "$W")
host run incremental --working-dir "$W" --destination "jsonl:$TMP/real.jsonl"
is "$rc" 0 "jsonl over a warehouse: exit 0"
like "$err" "connector 'incremental''s state in $W is the one committed in sqlite:$W/files/warehouse.db: a jsonl run starts from it and does not advance it" "it says it starts from the warehouse's state and does not advance it"
is "$(upserts "$out")" 5 "the stream holds what the warehouse lacks: records 6 to 10"
is "$(snapshot "$W")" "$before" "jsonl over a warehouse: warehouse and every state file unchanged"
host run incremental --working-dir "$W"
unlike "$err" "WARNING" "the next sync into the warehouse has nothing to warn of"
is "$(upserts "$out")" 5 "and still syncs records 6 to 10 itself"
before=$(snapshot "$W")
host run incremental --working-dir "$W" --dry-run --configuration "$(conf '{"records": "12"}')"
is "$(upserts "$out")" 2 "a dry run syncs the new records"
is "$(snapshot "$W")" "$before" "and leaves the warehouse and every state file unchanged"
# A warehouse elsewhere (as PostgreSQL would be): the directory keeps its copy, and NAME.store says whose.
W=$(newdir elsewhere)
host run incremental --working-dir "$W" --destination "sqlite:$TMP/elsewhere.db" --configuration "$(conf '{"records": "5"}')"
is "$(cat "$W/files/state/incremental.store")" "sqlite:$TMP/elsewhere.db" "a warehouse elsewhere is named in NAME.store"
before=$(snapshot "$W")
host run incremental --working-dir "$W" --destination "jsonl:$TMP/else.jsonl"
like "$err" "was committed in sqlite:$TMP/elsewhere.db: a jsonl run starts from $W/files/state/incremental.json and does not advance it" "jsonl: the copy of a warehouse elsewhere is read, not advanced"
is "$(upserts "$out")" 5 "jsonl: from the copy's cursor"
is "$(snapshot "$W")" "$before" "jsonl: the copy is unchanged"
# With no warehouse at all, jsonl runs advance their own state (golden tests of incremental connectors).
W=$(newdir scratch)
host run incremental --working-dir "$W" --destination "jsonl:$TMP/1.jsonl" --configuration "$(conf '{"records": "5"}')"
host run incremental --working-dir "$W" --destination "jsonl:$TMP/2.jsonl"
is "$(upserts "$out")" 5 "a scratch directory: the second jsonl run continues from the first"

# ---- connector-host state NAME -----------------------------------------------------------------
W=$TMP/real
before=$(snapshot "$W")
host state incremental --working-dir "$W"
is "$rc" 0 "state: exit 0"
is "$out" "$(warehouse_state "$W" incremental)" "state prints the warehouse's committed state, alone on standard output"
host state incremental --working-dir "$W" --log-level WARNING
is "$err" "" "nothing else to say at WARNING"
cursor 1 >"$W/files/state.json"
before=$(snapshot "$W")
host state incremental --working-dir "$W"
is "$out" "$(warehouse_state "$W" incremental)" "state: the warehouse's wins over an edited state.json"
like "$err" "$W/files/state.json differs from the state committed in the warehouse" "state: the edited file is said"
like "$err" "leaving the file alone (connector-host state)" "state: and left alone"
is "$(snapshot "$W")" "$before" "state writes nothing"
host run incremental --working-dir "$W"
"$HOST" state incremental --working-dir "$W" >"$TMP/committed.json" 2>/dev/null
host run incremental --working-dir "$W" --state "$TMP/committed.json" --dry-run
like "$err" "state $(warehouse_state "$W" incremental)" "state's output seeds --state"
host state incremental --working-dir "$TMP/handjsonl"
is "$out" "$(cursor 10)" "state: with no warehouse, the jsonl runs' state file"
host state incremental --working-dir "$TMP/elsewhere"
is "$out" "$(cat "$TMP/elsewhere/files/state/incremental.json")" "state of a warehouse elsewhere, without --destination: the working directory's copy"
like "$err" "this is the working directory's copy; to read the state in sqlite:$TMP/elsewhere.db itself, give it as --destination" "and it says how to read the warehouse's own"
host state incremental --working-dir "$TMP/elsewhere" --destination "sqlite:$TMP/elsewhere.db"
is "$out" "$(sql "$TMP/elsewhere.db" "select state from _connector_state where connector = 'incremental'")" "state --destination: that warehouse's state"
host state incremental --working-dir "$TMP/real" --destination "jsonl:$TMP/never.jsonl"
is "$out" "$(warehouse_state "$TMP/real" incremental)" "state --destination jsonl: what a jsonl run starts from"
[ ! -e "$TMP/never.jsonl" ] && pass "and the jsonl file is not created" || fail "and the jsonl file is not created"
host run three --working-dir "$TMP/two"
host state incrementl --working-dir "$TMP/two"
is "$rc" 0 "state of a connector with none: exit 0"
is "$out" "{}" "state of a connector with none: {}"
like "$err" "no state committed for connector 'incrementl' in $TMP/two; connectors with a state file there: incremental, three" "and it lists the connectors that have one, sorted"
E=$(newdir empty)
host state incremental --working-dir "$E"
is "$out" "{}" "state in an empty directory: {}"
[ ! -e "$E/files" ] && pass "and creates nothing" || fail "and creates nothing"
host state incremental --working-dir "$TMP/two" --destination "sqlite:$TMP/none.db"
like "$err" "$TMP/none.db does not exist, so it holds no state" "state of a missing warehouse: said"
[ ! -e "$TMP/none.db" ] && pass "and it is not created" || fail "and it is not created"
host state
is "$rc" 2 "state without a name: exit 2"
like "$err" "connector-host state: missing connector name" "state without a name: said"
host state 'two words'
is "$rc" 2 "state of an invalid name: exit 2"
like "$err" "connector name 'two words' is not valid" "state of an invalid name: said"
host state incremental --working-dir "$TMP/nowhere"
is "$rc" 2 "state in a missing directory: exit 2"
host state incremental --state x
is "$rc" 2 "state --state: exit 2"
host state incremental --working-dir "$W" --destination nosuch:x
is "$rc" 2 "state with an unknown destination: exit 2"
sql "$TMP/two/files/warehouse.db" "update _connector_state set state = '[1]' where connector = 'three'"
host state three --working-dir "$TMP/two"
is "$rc" 1 "state of a damaged warehouse state: exit 1"
like "$err" "connector-host state: warehouse state: state must be a JSON object" "state of a damaged warehouse state: said"
touch "$W/files/.reset"
host state incremental --working-dir "$W"
is "$rc" 1 "state during an interrupted reset: exit 1"
like "$err" "a reset was interrupted" "state during an interrupted reset: said"
rm "$W/files/.reset"
host state --help
is "$rc" 0 "state --help: exit 0"
like "$out" "would start from" "state --help says what it prints"

# A PATH is named by its runtime, as run names it; its project is the working directory.
if [ -e "$BUILD_PLUGINS/python.la" ]; then
    PY=$(newdir "py.project")
    cat >"$PY/connector.py" <<'EOF'
from fivetran_connector_sdk import Connector, Operations as op

def update(configuration, state):
    n = state.get("n", 0) + 1
    op.upsert("runs", {"n": n})
    op.checkpoint({"n": n})

connector = Connector(update=update)
EOF
    host run "$PY"
    is "$rc" 0 "a Python project runs"
    name=$(ls "$PY/files/state" | sed -n 's/\.json$//p')
    is "$name" "py_project" "its state file is named after the connector's name"
    (cd "$PY" && "$HOST" state . >"$TMP/out" 2>"$TMP/err")
    is "$?" 0 "state .: exit 0"
    is "$(cat "$TMP/out")" '{"n":1}' "state . prints the project's state"
    host state "$PY/connector.py"
    is "$out" '{"n":1}' "state PATH/connector.py too"
    host state "$TMP/nothing.here"
    is "$rc" 2 "state of a path no runtime claims: exit 2"
else
    for c in "a Python project" "state file name" "state . exit" "state ." "state PATH" "unclaimed path"; do
        pass "$c # SKIP the Python runtime is not built"
    done
fi

done_testing

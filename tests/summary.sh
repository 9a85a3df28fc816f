# summary.sh - the summary's counts match the warehouse: a failed sync counts what it committed
# apart from what it rolled back, each table's rows in the warehouse afterwards (live and
# soft-deleted) are what sqlite3 and the workload's oracle count, the column names have no
# spaces, and the JSON summary says the same as the text. The PostgreSQL side is pg_summary.sh.
. "$TESTS_SRCDIR/lib.sh"
KEYS=500
. "$TESTS_SRCDIR/workload.sh"

P="--plugin-dir $TEST_PLUGINS"
. "$TESTS_SRCDIR/summary_lib.sh"
# warehouse_rows: live and deleted rows of w as sqlite3 counts them, as "LIVE DELETED".
warehouse_rows() { sql "$DB" "select sum(not _fivetran_deleted) || ' ' || sum(_fivetran_deleted) from w"; }

# ---- the header -----------------------------------------------------------------------------
W=$(newdir header)
host run three --working-dir "$W"
is "$rc" 0 "three exits 0"
header=$(printf '%s\n' "$out" | grep -m 1 '^table ')
is "$(echo $header)" "table upserts updates deletes truncates checkpoints schema_changes warnings" \
    "the column names have no spaces: a script splits the header on blanks"
is "$(printf '%s\n' "$out" | grep -c '^table ')" 2 "two tables of counts: operations, then rows in the warehouse"
is "$(echo $(section 'rows in the warehouse after the sync:' | grep '^table '))" "table live deleted" \
    "the rows section names its columns live and deleted"
DB="$W/files/warehouse.db"
is "$(row three "$(section 'rows in the warehouse')")" \
    "$(sql "$DB" "select sum(not _fivetran_deleted) || ' ' || sum(_fivetran_deleted) from three")" \
    "three: the live and deleted rows are what sqlite3 counts"
unlike "$out" "operations rolled back" "a sync that succeeds rolls nothing back and says nothing of it"

# ---- a failed sync: committed apart from rolled back ----------------------------------------
# The workload fails at operation 750 of 1000 with a checkpoint every 200: operations 0-599 are
# committed, 600-749 rolled back. Clean runs of the same stream to 600 and to 750 say how many
# of each kind there are, so nothing here is a number written by hand.
W=$(newdir upto600)
host run workload $P --working-dir "$W" --configuration "$(wconf 600 200)"
upto600=$(row w "$(section 'operations committed:')")
W=$(newdir upto750)
host run workload $P --working-dir "$W" --configuration "$(wconf 750 200)"
upto750=$(row w "$(section 'operations committed:')")
W=$(newdir failing)
DB="$W/files/warehouse.db"
host run workload $P --working-dir "$W" --configuration "$(wconf 1000 200 750)"
is "$rc" 1 "the workload failing at operation 750 exits 1"
is "$(committed_pos)" 600 "its last committed checkpoint is at operation 600"
committed=$(row w "$(section 'operations committed:')")
is "$(echo "$committed" | cut -d' ' -f1-3)" "$(echo "$upto600" | cut -d' ' -f1-3)" \
    "committed upserts, updates and deletes: those of a clean run of 600 operations ($(echo "$upto600" | cut -d' ' -f1-3))"
back=$(row w "$(section 'operations rolled back')")
is "$(echo "$back" | awk '{ print $1 + $2 + $3 }')" 150 "rolled back: the 150 operations after the last checkpoint"
is "$(echo "$committed $back" | awk '{ print $1 + $7, $2 + $8, $3 + $9 }')" \
    "$(echo "$upto750" | awk '{ print $1, $2, $3 }')" \
    "committed and rolled back together are every operation sent, kind by kind"
matches "$(section 'operations committed:')" '^total( +[0-9]+){4} +3 ' "the 3 committed checkpoints are counted"
matches "$(section 'operations rolled back')" '^w( +[0-9]+){4} +0 ' "the table's creation was committed: no schema change rolled back"
is "$(row w "$(section 'rows in the warehouse after the sync:')")" "$(warehouse_rows)" \
    "the rows in the warehouse are what sqlite3 counts"
is "$(warehouse_rows)" "$(oracle_rows 600)" "and what the oracle says the stream leaves after 600 operations"
like "$out" "SYNC FAILED: workload failing on purpose at operation 750" "the reason comes last"

W=$(newdir failing-json)
DB="$W/files/warehouse.db"
host run workload $P --working-dir "$W" --configuration "$(wconf 1000 200 750)" --log-format json
is "$rc" 1 "the same sync with a JSON summary exits 1"
is "$(json 'total.upserts') $(json 'total.updates') $(json 'total.deletes')" \
    "$(echo "$upto600" | cut -d' ' -f1-3)" "JSON: total upserts, updates and deletes are the committed ones"
is "$(json 'tables[0].rolled_back.upserts') $(json 'tables[0].rolled_back.updates') $(json 'tables[0].rolled_back.deletes')" \
    "$(echo "$back" | cut -d' ' -f1-3)" "JSON: rolled_back holds what the text calls rolled back"
is "$(json 'tables[0].live_rows') $(json 'tables[0].deleted_rows')" "$(warehouse_rows)" \
    "JSON: live_rows and deleted_rows are what sqlite3 counts"
is "$(json 'total.live_rows') $(json 'total.deleted_rows')" "$(warehouse_rows)" "JSON: and so are the totals"
is "$(json 'result')" "SYNC FAILED" "JSON: the result"

# A first sync that fails before its first checkpoint rolls back the table's creation too.
W=$(newdir beforefirst)
DB="$W/files/warehouse.db"
host run workload $P --working-dir "$W" --configuration "$(wconf 1000 200 50)"
is "$rc" 1 "the workload failing at operation 50, before its first checkpoint, exits 1"
matches "$out" '^total +0 +0 +0 +0 +0 +0 +0$' "nothing is counted as committed"
is "$(row w "$(section 'operations rolled back')" | awk '{ print $1 + $2 + $3, $5 }')" "50 1" \
    "the 50 operations and the table's creation are counted as rolled back"
is "$(sql "$DB" "select count(*) from sqlite_master where name = 'w'")" 0 "the warehouse has no table w"
is "$(row w "$(section 'rows in the warehouse')")" "0 0" "so it has no rows of it, live or deleted"

# A failure just after a checkpoint has nothing to roll back, and says so.
W=$(newdir atcheckpoint)
host run workload $P --working-dir "$W" --configuration "$(wconf 1000 200 400)"
is "$rc" 1 "the workload failing at operation 400, just after a checkpoint, exits 1"
like "$out" "operations rolled back: none" "nothing was rolled back, and the summary says so"

# ---- a dry run: the warehouse as it was ------------------------------------------------------
W=$(newdir dry)
DB="$W/files/warehouse.db"
host run workload $P --working-dir "$W" --configuration "$(wconf 300 100)"
before=$(warehouse_rows)
host run workload $P --working-dir "$W" --configuration "$(wconf 900 100)" --dry-run
is "$rc" 0 "a dry run of 600 more operations exits 0"
like "$out" "operations checked (a dry run commits none):" "the counts are of what was checked"
is "$(row w "$(section 'rows in the warehouse (the dry run changed none):')")" "$before" \
    "the rows in the warehouse are the ones before the dry run"
is "$(warehouse_rows)" "$before" "and the warehouse still has them"

# ---- jsonl cannot count ------------------------------------------------------------------------
W=$(newdir jsonl)
host run three --working-dir "$W" --destination "jsonl:$W/out.jsonl"
is "$rc" 0 "three into jsonl exits 0"
like "$out" "rows in the warehouse: not counted (jsonl:$W/out.jsonl cannot count them)" \
    "jsonl: the summary says the rows are not counted"
host run three --working-dir "$W" --destination "jsonl:$W/out.jsonl" --log-format json
is "$(json 'tables[0].live_rows')|$(json 'total.deleted_rows')" "|" "jsonl: JSON live_rows and deleted_rows are null"

# ---- where the time went -----------------------------------------------------------------------
TIME_LINE='^time: connector [0-9]+\.[0-9]{3} s, host [0-9]+\.[0-9]{3} s, waiting for the destination [0-9]+\.[0-9]{3} s; destination writes [0-9]+\.[0-9]{3} s, commits [0-9]+\.[0-9]{3} s$'
W=$(newdir time)
# a connector that sleeps 300 us per operation: 2000 operations, 0.6 s of its own
printf '{"n":"2000","every":"500","keys":"500","sleep_us":"300"}\n' >"$TMP/slow.json"
host run workload $P --working-dir "$W" --configuration "$TMP/slow.json"
is "$rc" 0 "a slow connector's sync exits 0"
line=$(printf '%s\n' "$out" | grep '^time: ')
matches "$line" "$TIME_LINE" "the summary says where the time went ($line)"
conn=$(printf '%s\n' "$line" | sed 's/^time: connector \([0-9.]*\) s.*/\1/')
host_s=$(printf '%s\n' "$line" | sed 's/.*, host \([0-9.]*\) s.*/\1/')
awk -v c="$conn" -v h="$host_s" 'BEGIN { exit !(c >= 0.5 && c > 5 * h) }' &&
    pass "a sleeping connector's time is the connector's ($conn s, host $host_s s)" ||
    fail "a sleeping connector's time is the connector's ($conn s, host $host_s s)"
W=$(newdir time_json)
host run workload $P --working-dir "$W" --configuration "$TMP/slow.json" --log-format json
keys=$(printf '%s\n' "$out" | tail -n 1 | grep -o '"time_seconds":{[^}]*}' | grep -o '"[a-z_]*":' | tr -d '":' | tr '\n' ' ')
is "$keys" "time_seconds connector host waiting_for_destination destination_writes destination_commits " \
    "the JSON summary has the same split"
conn=$(printf '%s\n' "$out" | tail -n 1 | grep -o '"time_seconds":{"connector":[0-9.]*' | sed 's/.*://')
awk -v c="$conn" 'BEGIN { exit !(c >= 0.5) }' && pass "JSON: the connector's share ($conn s)" ||
    fail "JSON: the connector's share ($conn s)"

done_testing

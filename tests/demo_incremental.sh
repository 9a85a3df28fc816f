# demo_incremental.sh - the incremental demo: a cursor in state, checkpoints every N records,
# a source that grows, and a failed sync that resumes from its last checkpoint.
. "$TESTS_SRCDIR/lib.sh"

W=$(newdir w)
DB="$W/files/warehouse.db"
ids() { sql "$DB" 'select group_concat(id) from (select id from records order by id)'; }
state() { cat "$W/files/state.json"; }

# First sync: the 10 records of the default source, a checkpoint after every 3 and at the end.
host run incremental --working-dir "$W" --log-level FINE
is "$rc" 0 "first sync exits 0"
matches "$out" '^records +10 +0 +0 +0 +1 +0$' "10 upserts"
matches "$out" '^total +10 +0 +0 +0 +4 +1 +0$' "4 checkpoints: after records 3, 6, 9 and 10"
like "$err" "source holds 10 records; cursor ''" "first sync starts with no cursor"
is "$(ids)" "1,2,3,4,5,6,7,8,9,10" "records 1 to 10"
is "$(sql "$DB" 'select * from records where id in (1, 8)' | cut -d'|' -f1-4)" \
    "1|2024-01-01T00:01:00.000000Z|record 1|1.25
8|2024-01-01T00:08:00.000000Z|record 8|10.00" "record values: n minutes past 2024, amount n * 1.25"
is "$(sql "$DB" "select group_concat(column_name || ' ' || type, ', ') from (select * from _connector_columns where table_name = 'records' order by column_name)")" \
    "amount DECIMAL(10,2), id LONG, name STRING, updated_at UTC_DATETIME" "declared types recorded"
is "$(state)" '{"cursor":"2024-01-01T00:10:00Z"}' "the cursor is the newest updated_at"
matches "$(sql "$DB" "select _fivetran_synced from records where id = 9")" '^20' "rows carry _fivetran_synced"
synced=$(sql "$DB" "select group_concat(_fivetran_synced) from records")

# Nothing new: nothing written, and no checkpoint needed.
host run incremental --working-dir "$W"
is "$rc" 0 "sync with nothing new exits 0"
like "$err" "cursor '2024-01-01T00:10:00Z'" "the second sync starts from the cursor"
like "$err" "synced 0 new records" "nothing new"
matches "$out" '^total +0 +0 +0 +0 +0 +0 +0$' "no operations, no checkpoint"
is "$(sql "$DB" "select group_concat(_fivetran_synced) from records")" "$synced" "no row rewritten"

# The source grew to 15: only records 11-15 are synced.
host run incremental --working-dir "$W" --configuration "$(conf '{"records": "15"}')"
is "$rc" 0 "sync of a grown source exits 0"
matches "$out" '^records +5 +0 +0 +0 +0 +0$' "5 upserts"
matches "$out" '^total +5 +0 +0 +0 +2 +0 +0$' "2 checkpoints: after record 13 and at the end"
is "$(ids)" "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15" "records 1 to 15"
is "$(sql "$DB" "select group_concat(_fivetran_synced) from records where id <= 10")" "$synced" "records 1-10 not rewritten"
is "$(state)" '{"cursor":"2024-01-01T00:15:00Z"}' "cursor moved to record 15"

# A sync that fails at record 8: records 1-6 were checkpointed, record 7 is rolled back.
W=$(newdir failing)
DB="$W/files/warehouse.db"
host run incremental --working-dir "$W" --configuration "$(conf '{"fail_at": "8"}')"
is "$rc" 1 "failing sync exits 1"
like "$out" "SYNC FAILED: source failed while reading record 8 (fail_at)" "the failure is reported"
# the summary counts what the warehouse holds: 6 upserts committed, record 7's rolled back
section() { printf '%s\n' "$out" | awk -v t="$1" 'index($0, t) == 1 { on = 1; next } on && /:$/ { exit } on'; }
matches "$out" '^total +6 +0 +0 +0 +2 +1 +0$' "6 upserts and 2 checkpoints committed"
matches "$(section 'operations rolled back')" '^records +1 +0 +0 +0 +0 +0$' "record 7's upsert is counted as rolled back"
matches "$(section 'rows in the warehouse')" "^records +$(sql "$DB" 'select count(*) from records') +0\$" \
    "the rows in the warehouse: as many as sqlite3 counts"
is "$(ids)" "1,2,3,4,5,6" "the warehouse holds records 1-6, up to the last checkpoint"
is "$(state)" '{"cursor":"2024-01-01T00:06:00Z"}' "the cursor stayed at the last checkpoint"
host run incremental --working-dir "$W"
is "$rc" 0 "the next sync succeeds"
like "$err" "cursor '2024-01-01T00:06:00Z'" "it resumes from the last checkpoint"
matches "$out" '^records +4 +0 +0 +0 +0 +0$' "4 upserts: records 7-10"
is "$(ids)" "1,2,3,4,5,6,7,8,9,10" "every record once"
is "$(state)" '{"cursor":"2024-01-01T00:10:00Z"}' "cursor at record 10"

# checkpoint_every=1: every record is committed as it is written.
W=$(newdir every)
DB="$W/files/warehouse.db"
host run incremental --working-dir "$W" --configuration "$(conf '{"records": "5", "checkpoint_every": "1", "fail_at": "5"}')"
is "$rc" 1 "fails at record 5"
is "$(ids)" "1,2,3,4" "records 1-4 committed one by one"
matches "$out" '^total +4 +0 +0 +0 +4 +1 +0$' "4 checkpoints"

# Configuration values the connector checks.
host run incremental --working-dir "$W" --configuration "$(conf '{"records": "ten"}')"
is "$rc" 1 "a non-number: exit 1"
like "$out" "SYNC FAILED: configuration: records must be a whole number of at least 0, not 'ten'" "named in the failure"
host run incremental --working-dir "$W" --configuration "$(conf '{"checkpoint_every": "0"}')"
like "$out" "SYNC FAILED: configuration: checkpoint_every must be a whole number of at least 1, not '0'" "checkpoint_every must be positive"
is "$(ids)" "1,2,3,4" "refused syncs change nothing"

# Three syncs through the jsonl destination, one stream each, against a reviewed golden file:
# a failed sync (its file cut at the last checkpoint), the resumed sync, and a grown source.
W=$(newdir jsonl)
host run incremental --working-dir "$W" --configuration "$(conf '{"fail_at": "8"}')" --destination "jsonl:$TMP/1.jsonl"
is "$rc" 1 "jsonl: the failing sync exits 1"
host run incremental --working-dir "$W" --destination "jsonl:$TMP/2.jsonl"
is "$rc" 0 "jsonl: the resumed sync exits 0"
host run incremental --working-dir "$W" --configuration "$(conf '{"records": "12"}')" --destination "jsonl:$TMP/3.jsonl"
is "$rc" 0 "jsonl: the sync of the grown source exits 0"
cat "$TMP/1.jsonl" "$TMP/2.jsonl" "$TMP/3.jsonl" >"$TMP/incremental.jsonl"
golden "$TMP/incremental.jsonl" "$TESTS_SRCDIR/golden/incremental.jsonl" "the streams match tests/golden/incremental.jsonl"

done_testing

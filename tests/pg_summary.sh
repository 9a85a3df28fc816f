# pg_summary.sh - the summary's counts match a PostgreSQL warehouse: committed apart from rolled
# back, and each table's live and soft-deleted rows afterwards as psql counts them, against a
# throwaway server (tests/pgserver.sh; skipped loudly without the server binaries). The same for
# SQLite is summary.sh.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/pgserver.sh"
KEYS=500
ORACLE="$BUILD_TOP/tests/workload_oracle"

P="--plugin-dir $TEST_PLUGINS"
dest() { echo "$PGURI&schema=$1"; }
. "$TESTS_SRCDIR/summary_lib.sh"
# pg_rows SCHEMA TABLE: live and deleted rows as psql counts them, as "LIVE DELETED".
pg_rows() { psql_q "select count(*) filter (where not _fivetran_deleted) || ' ' || count(*) filter (where _fivetran_deleted) from $1.$2"; }

# three: 3 upserts, 1 update, 1 delete; the rows as psql counts them.
host run three --working-dir "$(newdir three)" --destination "$(dest t3)"
is "$rc" 0 "three into PostgreSQL exits 0"
is "$(row three "$(section 'rows in the warehouse after the sync:')")" "$(pg_rows t3 three)" \
    "three: the live and deleted rows are what psql counts"

# The workload fails at operation 750 with a checkpoint every 200: 600 committed, 150 rolled back.
W=$(newdir upto750)
host run workload $P --working-dir "$W" --configuration "$(wconf 750 200)" --destination "$(dest clean)"
upto750=$(row w "$(section 'operations committed:')")
W=$(newdir upto600)
host run workload $P --working-dir "$W" --configuration "$(wconf 600 200)" --destination "$(dest clean600)"
upto600=$(row w "$(section 'operations committed:')")
W=$(newdir failing)
host run workload $P --working-dir "$W" --configuration "$(wconf 1000 200 750)" --destination "$(dest failing)"
is "$rc" 1 "the workload failing at operation 750 exits 1"
committed=$(row w "$(section 'operations committed:')")
back=$(row w "$(section 'operations rolled back')")
is "$(echo "$committed" | cut -d' ' -f1-3)" "$(echo "$upto600" | cut -d' ' -f1-3)" \
    "committed upserts, updates and deletes: those of a clean run of 600 operations"
is "$(echo "$committed $back" | awk '{ print $1 + $7, $2 + $8, $3 + $9 }')" \
    "$(echo "$upto750" | awk '{ print $1, $2, $3 }')" \
    "committed and rolled back together are every operation sent, kind by kind"
is "$(row w "$(section 'rows in the warehouse after the sync:')")" "$(pg_rows failing w)" \
    "the rows in the warehouse are what psql counts"
is "$(pg_rows failing w)" "$(oracle_rows 600)" "and what the oracle says the stream leaves after 600 operations"

W=$(newdir failing-json)
host run workload $P --working-dir "$W" --configuration "$(wconf 1000 200 750)" --destination "$(dest failing_json)" --log-format json
is "$(json 'tables[0].live_rows') $(json 'tables[0].deleted_rows')" "$(pg_rows failing_json w)" \
    "JSON: live_rows and deleted_rows are what psql counts"
is "$(json 'tables[0].rolled_back.upserts') $(json 'tables[0].rolled_back.updates') $(json 'tables[0].rolled_back.deletes')" \
    "$(echo "$back" | cut -d' ' -f1-3)" "JSON: rolled_back as in the text"

# A first sync that fails before any checkpoint leaves no table: 0 rows, and the table's creation
# is counted as rolled back.
W=$(newdir beforefirst)
host run workload $P --working-dir "$W" --configuration "$(wconf 1000 200 50)" --destination "$(dest before)"
is "$rc" 1 "failing before the first checkpoint exits 1"
is "$(psql_q "select to_regclass('before.w') is null")" t "the table was rolled back with the rest"
is "$(row w "$(section 'rows in the warehouse')")" "0 0" "so the summary counts no row of it"
is "$(row w "$(section 'operations rolled back')" | awk '{ print $5 }')" 1 "and a rolled-back schema change"

# A server that is gone by the summary: the sync's own result stands, the rows are not counted.
W=$(newdir gone)
printf '{"n": "300", "every": "100", "sleep_us": "20000"}\n' >"$TMP/gone.json"
"$HOST" run workload $P --working-dir "$W" --configuration "$TMP/gone.json" --destination "$(dest gone)" \
    >"$TMP/gone.out" 2>"$TMP/gone.err" &
pid=$!
for _ in $(seq 1 200); do
    grep -q "resuming at operation" "$TMP/gone.err" && break
    sleep 0.05
done
pg_crash
wait "$pid"
rc=$?
out=$(cat "$TMP/gone.out")
err=$(cat "$TMP/gone.err")
pg_start
is "$rc" 1 "server gone mid-sync: exit 1"
like "$out" "SYNC FAILED" "server gone mid-sync: the summary says SYNC FAILED"
like "$err" "cannot count the rows in the warehouse (the summary shows - instead): table 'w':" \
    "server gone mid-sync: a warning says the rows could not be counted, and which table's"
matches "$(section 'rows in the warehouse')" '^w +- +-$' "server gone mid-sync: the summary shows - for them"

done_testing

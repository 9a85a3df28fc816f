# dryrun.sh - run --dry-run: every check of a real sync, and nothing committed.
. "$TESTS_SRCDIR/lib.sh"

P="--plugin-dir $TEST_PLUGINS"

# ---- no working files yet: nothing is created ---------------------------------
W=$(newdir fresh)
host run three --working-dir "$W" --dry-run
is "$rc" 0 "a dry run of three exits 0"
matches "$out" '^three +3 +1 +1 +0 +1 +0$' "the summary counts what would be written"
like "$out" "DRY RUN: nothing was committed; the warehouse and state.json are unchanged" "the summary says it was a dry run"
like "$err" "does not exist yet, so checking against an empty warehouse in memory" "the log says there is no warehouse yet"
[ ! -e "$W/files" ] && pass "a dry run creates no files/ directory" || fail "a dry run creates no files/ directory" "$(ls -la "$W/files")"

# ---- an existing warehouse is checked, then left as it was ---------------------------
W=$(newdir existing)
host run three --working-dir "$W"
before=$(snapshot "$W")
host run three --working-dir "$W" --dry-run
is "$rc" 0 "a dry run over an existing warehouse exits 0"
like "$err" "state {\"last_id\":" "the dry run starts from the committed state"
is "$(snapshot "$W")" "$before" "the warehouse and state.json are unchanged"
is "$(sql "$W/files/warehouse.db" 'select count(*) from three')" 3 "still the first run's 3 rows"

# state.json that differs from the warehouse is reported, not rewritten, by a dry run.
echo '{"last_id":"stale"}' >"$W/files/state.json"
host run three --working-dir "$W" --dry-run
like "$err" "leaving the file alone (dry run)" "a stale state.json is reported"
is "$(cat "$W/files/state.json")" '{"last_id":"stale"}' "a dry run does not rewrite state.json"

# A warehouse not in WAL mode keeps its journal mode and its bytes.
"$SQLITE3" "$TMP/rollback.db" "create table foo(a); insert into foo values (1)"
sum_before=$(cksum <"$TMP/rollback.db")
host run three --working-dir "$(newdir rb)" --destination "sqlite:$TMP/rollback.db" --dry-run
is "$rc" 0 "a dry run into a rollback-journal warehouse exits 0"
is "$(cksum <"$TMP/rollback.db")" "$sum_before" "the file is byte for byte unchanged"
is "$("$SQLITE3" "$TMP/rollback.db" 'pragma journal_mode')" delete "its journal mode is unchanged"
[ ! -e "$TMP/rollback.db-wal" ] && pass "no WAL file is left" || fail "no WAL file is left"

# Schema changes are tried and undone: the widened column keeps its stored type.
W=$(newdir evolve)
host run evolve $P --working-dir "$W" --configuration "$(conf '{"step":"1"}')"
before=$(snapshot "$W")
host run evolve $P --working-dir "$W" --configuration "$(conf '{"step":"2"}')" --dry-run
is "$rc" 0 "a dry run that widens columns exits 0"
like "$err" "column 'count' widened from INT to LONG" "the widening is reported"
is "$(snapshot "$W")" "$before" "the widening is rolled back: warehouse and types unchanged"
is "$(sql "$W/files/warehouse.db" "select type from _connector_columns where table_name = 'items' and column_name = 'count'")" INT "count is still INT"

# A mistake only the warehouse can reveal is caught by a dry run.
host run evolve $P --working-dir "$W" --configuration "$(conf '{"step":"key"}')" --dry-run
is "$rc" 1 "a dry run of a bad operation exits 1"
like "$out" "SYNC FAILED" "the dry run reports the failure"
like "$err" "items" "the failure names the table"
is "$(snapshot "$W")" "$before" "a failed dry run leaves everything unchanged"

# A declared type change that stored values refuse.
W=$(newdir declared)
host run evolve $P --working-dir "$W" --configuration "$(conf '{"step":"1"}')"
before=$(snapshot "$W")
host run evolve $P --working-dir "$W" --configuration "$(conf '{"step":"3","fixed_type":"SHORT"}')" --dry-run
is "$rc" 1 "a dry run with a declared type the stored values do not fit exits 1"
like "$err" "70000" "the value that does not fit is named"
is "$(snapshot "$W")" "$before" "the refused type change leaves everything unchanged"

# An explicit sqlite destination that does not exist is not created either.
W=$(newdir explicit)
host run three --working-dir "$W" --destination "sqlite:$TMP/explicit.db" --dry-run
is "$rc" 0 "a dry run into a missing sqlite:PATH exits 0"
[ ! -e "$TMP/explicit.db" ] && pass "the missing warehouse is not created" || fail "the missing warehouse is not created"

# ---- usage ------------------------------------------------------------------------
host run three --working-dir "$(newdir usage)" --dry-run --destination jsonl:-
is "$rc" 2 "--dry-run with a jsonl destination is bad usage"
like "$err" "--dry-run does not apply to a jsonl destination" "the conflict is explained"
host schema three --dry-run
is "$rc" 2 "--dry-run does not apply to schema"
like "$err" "option '--dry-run' does not apply here" "schema names the option it refuses"
host run three --help
like "$out" "--dry-run" "run --help documents --dry-run"

done_testing

# truncate.sh - soft truncate deletes the rows written before it, and only at commit.
. "$TESTS_SRCDIR/lib.sh"

P="--plugin-dir $TEST_PLUGINS"
W=$(newdir w)
DB="$W/files/warehouse.db"
rows() { sql "$DB" "select group_concat(id || ':' || val || ':' || _fivetran_deleted, ' ') from (select * from t order by id)"; }

host run truncate --working-dir "$W" $P
is "$rc" 0 "load succeeds"
is "$(rows)" "1:one:0 2:two:0 3:three:0" "three live rows"

host run truncate --working-dir "$W" $P --configuration "$(conf '{"case":"truncate"}')"
is "$rc" 0 "truncate sync succeeds"
matches "$out" '^t +3 +0 +0 +1 ' "the summary counts 1 truncate"
is "$(rows)" "1:one:1 2:two again:0 3:three:1 4:four:1 5:five:0" "rows written before the truncate are soft-deleted, rows after it live, none removed"
is "$(sql "$DB" "select count(distinct _fivetran_synced) from t where _fivetran_deleted = 1")" 1 "the truncate stamps the rows it deletes with its own time"
is "$(sql "$DB" "select count(*) from t where _fivetran_deleted = 1 and _fivetran_synced < (select _fivetran_synced from t where id = 5)")" 3 "that time is earlier than the rows written after it"

before=$(snapshot "$W")
host run truncate --working-dir "$W" $P --configuration "$(conf '{"case":"fail"}')"
is "$rc" 1 "a sync failing after its truncate: exit 1"
like "$out" "SYNC FAILED: failing after the truncate" "the failure is reported"
is "$(rows)" "1:one:1 2:two again:0 3:three:1 4:four:1 5:five:0" "the failed sync's truncate deleted nothing"
is "$(snapshot "$W")" "$before" "warehouse and state unchanged"

host run truncate --working-dir "$W" $P --configuration "$(conf '{"case":"fresh"}')"
is "$rc" 0 "truncating a table never written succeeds"
is "$(sql "$DB" 'select count(*) from never_written')" 0 "it is created, empty"

done_testing

# workload.sh - helpers for tests of the workload connector. Source after lib.sh, with
# DB set to the warehouse and KEYS to the workload's key space.
ORACLE="$BUILD_TOP/tests/workload_oracle"

# The position committed in the warehouse (0 before the first checkpoint).
committed_pos() {
    local s
    [ -f "$DB" ] || { echo 0; return; } # the sqlite3 CLI would create an empty file
    s=$(sql "$DB" "select state from _connector_state where connector = 'workload'" 2>/dev/null)
    s=${s#*\"pos\":\"}
    echo "${s%%\"*}" | grep -E '^[0-9]+$' || echo 0
}

# The table as the oracle prints it.
table() { sql "$DB" 'select id, val, txt, _fivetran_deleted from w order by id' 2>/dev/null; }

# is_oracle POS: true when the table is exactly the stream's up to POS.
is_oracle() { [ "$(table)" = "$("$ORACLE" "$1" "$KEYS")" ]; }

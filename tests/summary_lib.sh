# summary_lib.sh - reading the sync summary in tests (summary.sh, pg_summary.sh). Source after
# lib.sh, with KEYS set to the workload's key space and ORACLE to the workload oracle.

# wconf N EVERY [FAIL_AT]: a workload configuration file.
wconf() { conf "{\"n\": \"$1\", \"every\": \"$2\"${3:+, \"fail_at\": \"$3\"}}"; }
# section TITLE: the summary's lines from the one starting with TITLE to the next title.
section() {
    printf '%s\n' "$out" | awk -v t="$1" 'index($0, t) == 1 { on = 1; print; next }
        on && (/:$/ || /^elapsed: /) { exit } on { print }'
}
# row NAME SECTION-TEXT: the fields after the name on that table's row, one space apart.
row() { printf '%s\n' "$2" | awk -v n="$1" '$1 == n { $1 = ""; sub(/^ /, ""); print }'; }
# oracle_rows POS: live and deleted rows of the stream after POS operations, as "LIVE DELETED".
oracle_rows() {
    "$ORACLE" "$1" "$KEYS" | awk -F'|' '$4 == 0 { l++ } $4 == 1 { d++ } END { print l + 0, d + 0 }'
}
# json PATH: a value of the JSON summary (the last line of standard output), quotes and all.
json() { "$SQLITE3" :memory: "select json_extract('$(printf '%s\n' "$out" | tail -n 1 | sed "s/'/''/g")', '\$.summary.$1')"; }

# ch_compare.sh - the same syncs into SQLite and into ClickHouse give the same tables: the same
# columns with the same contract types (SQLite's and ClickHouse's _connector_columns), each
# stored in the type the README's mapping gives, the same values column by column, the same
# summary counts and warnings, and the same state. Values are compared in one normal form: floats
# as their IEEE bits (+0 for -0), text and bytes as hex, everything else as its text. ClickHouse is
# read with FINAL: the latest version of every key.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/chserver.sh"
. "$TESTS_SRCDIR/ch_lib.sh"
ch_start one

P="--plugin-dir $TEST_PLUGINS"

sync types types types ty
compare types "$TMP/types/files/warehouse.db" ty

# A Python connector: every type through the Python runtime.
if [ -e "$BUILD_PLUGINS/python.la" ]; then
    cp -R "$TESTS_SRCDIR/python/types" "$TMP/pytypes_src"
    rm -rf "$TMP/pytypes_src/files"
    sync "Python types" pytypes "$TMP/pytypes_src/connector.py" pyty
    compare "Python types" "$TMP/pytypes/files/warehouse.db" pyty
else
    fail "Python types: the Python runtime is built" "no $BUILD_PLUGINS/python.la"
fi

conf '{"n":"3000","every":"61","keys":"150"}' >/dev/null
sync workload workload workload wl --configuration "$TMP/conf.json"
compare workload "$TMP/workload/files/warehouse.db" wl

# Updates, deletes and upserts of one key in every order, on rows committed before and on keys
# never written: ClickHouse holds updates and deletes back until a flush, reads their rows with
# FINAL, and must still give SQLite's rows and warnings.
sync sequences sequences sequences sq
compare sequences "$TMP/sequences/files/warehouse.db" sq
has() { if printf '%s\n' "$1" | grep -qE "$2"; then echo yes; else echo no; fi; }
is "$(has "$err" "WARNING \\[host\\] update on table 's': [0-9]+ updates? found no row with (its|their) primary key; nothing changed: operation [0-9]+ \\(key [^)]+\\)")" yes \
    "sequences: a report of held-back updates names the first by number and key"
warnings=$(printf '%s\n' "$out" | awk '$1 == "total" { print $NF }')
is "$([ "${warnings:-0}" -gt 10 ] && echo yes)" yes "sequences: the warnings to compare are many (${warnings:-none})"

# A dry run reads as a sync would and writes nothing: the same counts, no database made.
mkdir -p "$TMP/sequences_dry"
host run sequences --working-dir "$TMP/sequences_dry" $P --dry-run
sqlite_dry=$(printf '%s\n' "$out" | grep -E '^(total|[a-z_]+ +[0-9])')
host run sequences --working-dir "$TMP/sequences_dry" $P --dry-run --destination "$(ch_spec sqd)"
is "$rc" 0 "sequences, dry run: the ClickHouse run succeeds"
is "$(printf '%s\n' "$out" | grep -E '^(total|[a-z_]+ +[0-9])')" "$sqlite_dry" "sequences, dry run: the same summary counts"
is "$(ch_q one "select count() from system.databases where name = 'sqd'")" 0 "sequences, dry run: nothing is created"

# The same without the writer thread: the flushes, and the reports, come on the sink's thread.
CONNECTOR_HOST_WRITER=0
export CONNECTOR_HOST_WRITER
sync "sequences, no writer thread" sequences0 sequences sq0
compare "sequences, no writer thread" "$TMP/sequences0/files/warehouse.db" sq0
unset CONNECTOR_HOST_WRITER

# Many updates and deletes of keys never written, in one checkpoint: the waiting rows reach the
# bound and flush mid-checkpoint, and their reports must still count.
conf '{"n":"80000","every":"80000","keys":"200000"}' >/dev/null
sync "workload, flushed mid-checkpoint" workload_big workload wlb --configuration "$TMP/conf.json"
compare "workload, flushed mid-checkpoint" "$TMP/workload_big/files/warehouse.db" wlb

# Evolution over several syncs: inference, widening and declared type changes.
for step in 1 2 fixed later1 later2; do
    conf "{\"step\":\"$step\",\"fixed_type\":\"LONG\"}" >/dev/null
    sync "evolve step $step" evolve evolve ev --configuration "$TMP/conf.json"
done
compare evolve "$TMP/evolve/files/warehouse.db" ev
for step in times1 times2; do
    conf "{\"step\":\"$step\"}" >/dev/null
    sync "evolve step $step" evolve_times evolve evt --configuration "$TMP/conf.json"
done
compare "evolve, times to STRING" "$TMP/evolve_times/files/warehouse.db" evt

for c in load truncate; do
    conf "{\"case\":\"$c\"}" >/dev/null
    sync "truncate $c" truncate truncate tr --configuration "$TMP/conf.json"
done
compare truncate "$TMP/truncate/files/warehouse.db" tr

done_testing

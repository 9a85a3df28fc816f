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
    # Updates and deletes by a key of a DECIMAL, a BOOLEAN and a date: the flush reads their rows
    # by literals of each key column's own type.
    mkdir -p "$TMP/pykeys_src"
    cat >"$TMP/pykeys_src/connector.py" <<'PY'
import decimal

from fivetran_connector_sdk import Connector
from fivetran_connector_sdk import Operations as op

D = decimal.Decimal


def schema(configuration):
    return [{"table": "prices", "primary_key": ["amount", "flag", "day"],
             "columns": {"amount": {"type": "DECIMAL", "precision": 10, "scale": 2},
                         "flag": "BOOLEAN", "day": "NAIVE_DATE", "note": "STRING"}}]


def update(configuration, state):
    if not state.get("done"):
        for i in range(3):
            op.upsert(table="prices", data={"amount": D(f"{i}.50"), "flag": i % 2 == 0,
                                            "day": f"2024-01-0{i + 1}", "note": f"n{i}"})
        op.checkpoint(state={"done": 1})
        return
    op.update(table="prices", modified={"amount": D("1.50"), "flag": False, "day": "2024-01-02",
                                        "note": "changed"})
    op.delete(table="prices", keys={"amount": D("2.50"), "flag": True, "day": "2024-01-03"})
    op.update(table="prices", modified={"amount": D("9.99"), "flag": True, "day": "2024-01-09",
                                        "note": "no such row"})
    op.checkpoint(state={"done": 2})


connector = Connector(update=update, schema=schema)
PY
    sync "Python keys, first" pykeys "$TMP/pykeys_src/connector.py" pyk
    sync "Python keys, second" pykeys "$TMP/pykeys_src/connector.py" pyk
    compare "Python keys" "$TMP/pykeys/files/warehouse.db" pyk
    is "$(ch_q one "select note, _fivetran_deleted from pyk.prices final order by amount" | tr '\t\n' ' ;')" \
        "n0 0;changed 0;n2 1;" "Python keys: the update and the delete found their rows"
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

# sorted.sh - the writer applies SQLite's operations between two commits in key order (see
# host/sync/writer.h): the warehouse and the warnings must be exactly those of applying each
# operation in turn on the connector's thread (CONNECTOR_HOST_WRITER=0).
. "$TESTS_SRCDIR/lib.sh"

P="--plugin-dir $TEST_PLUGINS"
KEYS=300
# many operations on few keys, so that one key gets several between two checkpoints, and
# updates and deletes of keys that have no row yet (warnings)
conf() { printf '{"n":"%s","every":"%s","keys":"%s"}\n' "$1" "$2" $KEYS >"$TMP/conf.json"; echo "$TMP/conf.json"; }
. "$TESTS_SRCDIR/workload.sh"

# The warnings without their times, in their order.
warnings() { sed -n 's/^[^ ]* WARNING *//p' "$1"; }

for every in 7000 20000; do
    S=$(newdir sorted$every)
    U=$(newdir unsorted$every)
    host run workload --working-dir "$S" $P --configuration "$(conf 20000 $every)"
    is "$rc" 0 "sorted, checkpoint every $every: the sync succeeds"
    cp "$TMP/err" "$TMP/sorted.err"
    CONNECTOR_HOST_WRITER=0 host run workload --working-dir "$U" $P --configuration "$(conf 20000 $every)"
    is "$rc" 0 "in turn, checkpoint every $every: the sync succeeds"
    DB="$S/files/warehouse.db"
    sorted=$(table)
    DB="$U/files/warehouse.db"
    unsorted=$(table)
    [ -n "$sorted" ] && [ "$sorted" = "$unsorted" ] &&
        pass "checkpoint every $every: the same table either way" ||
        fail "checkpoint every $every: the same table either way"
    is_oracle 20000 && pass "checkpoint every $every: the table is the oracle's" ||
        fail "checkpoint every $every: the table is the oracle's"
    n=$(warnings "$TMP/sorted.err" | wc -l)
    [ "$n" -gt 0 ] && pass "checkpoint every $every: there are warnings to compare ($n)" ||
        fail "checkpoint every $every: there are warnings to compare"
    is "$(warnings "$TMP/sorted.err")" "$(warnings "$TMP/err")" \
        "checkpoint every $every: the same warnings, in the operations' order"
done

done_testing

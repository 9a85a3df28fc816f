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

# A DOUBLE key 0.0 and -0.0 are one key to the warehouse: their operations keep their order.
if [ -e "$BUILD_PLUGINS/python.la" ]; then
    cp -R "$TESTS_SRCDIR/python/zerokey" "$TMP/zerokey"
    rm -rf "$TMP/zerokey/files"
    S=$(newdir zsorted)
    U=$(newdir zunsorted)
    host run "$TMP/zerokey" --working-dir "$S"
    is "$rc" 0 "0.0 and -0.0, sorted: the sync succeeds"
    CONNECTOR_HOST_WRITER=0 host run "$TMP/zerokey" --working-dir "$U"
    is "$rc" 0 "0.0 and -0.0, in turn: the sync succeeds"
    q='select k, v, _fivetran_deleted from z order by k'
    is "$(sql "$S/files/warehouse.db" "$q" | tr '\n' ' ')" "$(sql "$U/files/warehouse.db" "$q" | tr '\n' ' ')" \
        "0.0 and -0.0: the same table either way"
    like "$(sql "$S/files/warehouse.db" "$q" | tr '\n' ' ')" "0.0|minus zero|1" \
        "0.0 and -0.0: deleted, then updated, as sent"
else
    pass "0.0 and -0.0 # SKIP the Python runtime is not built"
fi

done_testing

# ch_shards.sh - the ClickHouse destination over a cluster: two local servers are the two shards
# of cluster `two` (remote_servers in both configurations; no ZooKeeper), and the host syncs
# through Distributed tables over each shard's T_local (spec ...HOST1:PORT1,HOST2:PORT2/DB
# ?cluster=two). The workload connector's table read back through either server equals the
# oracle's, every key lives on one shard, and `three`, a Python connector and the equivalence
# syncs (schema evolution included) land as in SQLite.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/chserver.sh"
. "$TESTS_SRCDIR/ch_lib.sh"

ch_ports one
ch_ports two
shard() { echo "<shard><replica><host>127.0.0.1</host><port>$1</port></replica></shard>"; }
CLUSTER="<two>$(shard "$CH_TCP_one")$(shard "$CH_TCP_two")</two>"
ch_start one "$CLUSTER"
ch_start two "$CLUSTER"
is "$(ch_q two "select count() from system.clusters where cluster = 'two'")" 2 "both servers know the cluster's two shards"

ch_spec() { echo "clickhouse://default@127.0.0.1:$CH_HTTP_one,127.0.0.1:$CH_HTTP_two/$1?cluster=two"; }

# ---- three ---------------------------------------------------------------------------------------
host run three --working-dir "$(newdir three)" --destination "$(ch_spec s3)"
is "$rc" 0 "three into the cluster: exit 0"
like "$err" "into clickhouse://default@127.0.0.1:$CH_HTTP_one,127.0.0.1:$CH_HTTP_two/s3?cluster=two" "three: the log names both servers and the cluster"
for s in one two; do
    is "$(ch_q $s "select count(), sum(_fivetran_deleted), countIf(val_1 = 'abc') from s3.three final" | tr '\t' ' ')" "3 1 1" \
        "three: read back through server $s's Distributed table"
    is "$(ch_q $s "select engine from system.tables where database = 's3' and name = 'three_local'")" \
        ReplacingMergeTree "three: server $s holds its shard in three_local"
done

# A crash between the servers' DDL (no ON CLUSTER: each server is told in turn) leaves one
# without the table or without a column; the next sync makes them the first server's again.
host run three --working-dir "$(newdir half)" --destination "$(ch_spec half)"
ch_q two "drop table half.three" && ch_q two "drop table half.three_local"
host run three --working-dir "$TMP/half" --destination "$(ch_spec half)"
is "$rc" 0 "a server left without the table: the next sync succeeds"
cols() { ch_q "$1" "select name, type from system.columns where database = 'half' and table = '$2' order by name" | tr '\t\n' ' ;'; }
is "$(cols two three_local)" "$(cols one three_local)" "a server left without the table: it has it again, as the first has it"
is "$(cols two three)" "$(cols one three)" "a server left without the table: and its Distributed table"
ch_q two "alter table half.three_local drop column val_2"
host run three --working-dir "$TMP/half" --destination "$(ch_spec half)"
is "$rc" 0 "a server left without a column: the next sync succeeds"
is "$(cols two three_local)" "$(cols one three_local)" "a server left without a column: it has it again"
is "$(ch_q two "select count(), countIf(val_2 is not null) from half.three final where _connector_version > 0" | tr '\t' ' ')" \
    "$(ch_q one "select count(), countIf(val_2 is not null) from half.three final where _connector_version > 0" | tr '\t' ' ')" \
    "a server left without a column: both servers read the same rows"

# ---- the workload connector ----------------------------------------------------------------------
ORACLE="$BUILD_TOP/tests/workload_oracle"
# (18.16 reads a Distributed table with FINAL only when the query names the version column)
table() { ch_q "$1" "select id, val, txt, _fivetran_deleted from wl.w final where _connector_version > 0 order by id" | sed 's/\\N//g' | tr '\t' '|'; }
conf '{"n":"8000","every":"250","keys":"400"}' >/dev/null
host run workload --working-dir "$(newdir workload)" $P --destination "$(ch_spec wl)" --configuration "$TMP/conf.json"
is "$rc" 0 "workload into the cluster: exit 0"
is "$(table one)" "$("$ORACLE" 8000 400)" "workload: the table through server one equals the oracle's"
is "$(table two)" "$("$ORACLE" 8000 400)" "workload: the table through server two equals the oracle's"
n1=$(ch_q one "select uniqExact(id) from wl.w_local")
n2=$(ch_q two "select uniqExact(id) from wl.w_local")
[ "$n1" -gt 0 ] && [ "$n2" -gt 0 ] && pass "workload: both shards hold rows ($n1 and $n2 keys)" ||
    fail "workload: both shards hold rows" "keys: $n1 and $n2"
is "$((n1 + n2))" "$(ch_q one "select count() from wl.w final")" "workload: every key lives on one shard only"

# ---- a Python connector --------------------------------------------------------------------------
if [ -e "$BUILD_PLUGINS/python.la" ]; then
    cp -R "$TESTS_SRCDIR/python/three" "$TMP/pythree"
    rm -rf "$TMP/pythree/files"
    host run "$TMP/pythree/connector.py" --working-dir "$TMP/pythree" --destination "$(ch_spec py)"
    is "$rc" 0 "Python three into the cluster: exit 0"
    is "$(ch_q two "select count(), sum(_fivetran_deleted), countIf(val_1 = 'abc') from py.three final" | tr '\t' ' ')" "3 1 1" \
        "Python three: its rows read back"
else
    fail "Python three: the Python runtime is built" "no $BUILD_PLUGINS/python.la"
fi

# ---- the same as SQLite, through the cluster -------------------------------------------------------
sync types types types ty
compare types "$TMP/types/files/warehouse.db" ty
sync sequences sequences sequences sq
compare sequences "$TMP/sequences/files/warehouse.db" sq
# columns added and types changed: on every shard's table, and the Distributed tables made again
for step in 1 2 fixed later1 later2; do
    conf "{\"step\":\"$step\",\"fixed_type\":\"LONG\"}" >/dev/null
    sync "evolve step $step" evolve evolve ev --configuration "$TMP/conf.json"
done
compare evolve "$TMP/evolve/files/warehouse.db" ev
for c in load truncate; do
    conf "{\"case\":\"$c\"}" >/dev/null
    sync "truncate $c" truncate truncate tr --configuration "$TMP/conf.json"
done
compare truncate "$TMP/truncate/files/warehouse.db" tr

done_testing

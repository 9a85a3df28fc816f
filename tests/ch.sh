# ch.sh - the ClickHouse destination end to end, against a throwaway server (tests/chserver.sh;
# skipped loudly without Debian's clickhouse-server): the `three` connector, the workload
# connector and a Python connector read back with clickhouse-client; the tables' engine, key and
# storage types; the state read back as its latest version; versions that keep growing when a
# worker's clock is behind; connection and spec errors, with passwords never printed.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/chserver.sh"
ch_start one

P="--plugin-dir $TEST_PLUGINS"
HTTP=$CH_HTTP_one
# rows DB TABLE COLUMNS: the table's latest rows (FINAL), ordered by their first column.
rows() { ch_q one "select $3 from $1.\`$2\` final order by 1"; }

# ---- three -------------------------------------------------------------------------------------
W=$(newdir three)
host run three --working-dir "$W" --destination "$(ch_url one s3)"
is "$rc" 0 "three: exit 0"
like "$err" "into clickhouse://default@127.0.0.1:$HTTP/s3" "three: the log names the destination"
is "$(ch_q one "select count(), sum(_fivetran_deleted) from s3.three final" | tr '\t' ' ')" "3 1" \
    "three: three rows, one soft-deleted, read back with clickhouse-client"
is "$(ch_q one "select count() from s3.three final where val_1 = 'abc' and _fivetran_deleted = 0")" 1 \
    "three: the update landed"
is "$(ch_q one "select count() from s3.three final where val_1 = id and val_2 = 0")" 1 \
    "three: the first row as upserted"
is "$(ch_q one "select engine_full from system.tables where database = 's3' and name = 'three'")" \
    "ReplacingMergeTree(_connector_version) ORDER BY id SETTINGS index_granularity = 8192" \
    "three: a ReplacingMergeTree by the version column, ordered by the primary key"
is "$(ch_q one "select name, type from system.columns where database = 's3' and table = 'three'" | tr '\t\n' ' ;')" \
    "id String;val_1 Nullable(String);val_2 Nullable(Int32);_fivetran_synced String;_fivetran_deleted UInt8;_connector_version UInt64;" \
    "three: the columns and their storage types"
is "$(ch_q one "select column_name, type from s3._connector_columns final where table_name = 'three' order by 1" | tr '\t\n' ' ;')" \
    "id STRING;val_1 STRING;val_2 INT;" "three: the exact contract types are kept in _connector_columns"
like "$out" "three                           2        1" "three: the summary counts the rows in ClickHouse"
state1=$(ch_q one "select state from s3._connector_state")
host run three --working-dir "$W" --destination "$(ch_url one s3)"
is "$rc" 0 "three, again: exit 0"
is "$(ch_q one "select count() from s3.three final")" 6 "three, again: six rows"
is "$(ch_q one "select count() from s3._connector_state")" 2 "three, again: the state table holds both versions"
latest=$(ch_q one "select state from s3._connector_state order by _connector_version desc limit 1")
[ "$latest" != "$state1" ] && pass "three, again: the state read back is the latest version" ||
    fail "three, again: the state read back is the latest version"
like "$err" "state $state1" "three, again: the second sync started from the first's state"
is "$(cat "$W/files/state.json")" "$latest" "three, again: state.json is the latest version"
host state three --working-dir "$(newdir elsewhere)" --destination "$(ch_url one s3)"
is "$rc.$out" "0.$latest" "connector-host state reads the latest state from ClickHouse"

CONNECTOR_HOST_WRITER=0 host run three --working-dir "$(newdir three-nowriter)" --destination "$(ch_url one s3b)"
is "$rc.$(ch_q one "select count() from s3b.three final")" "0.3" "three without the writer thread"

# A database whose name needs quoting is made and used as given.
host run three --working-dir "$(newdir three-odd)" --destination "$(ch_url one 'My%20DB')"
is "$rc.$(ch_q one "select count() from \`My DB\`.three final")" "0.3" "a database named 'My DB'"

# ---- the workload connector ---------------------------------------------------------------------
ORACLE="$BUILD_TOP/tests/workload_oracle"
# table DB: the workload table as the oracle prints it.
table() { ch_q one "select id, val, txt, _fivetran_deleted from $1.w final order by id" | sed 's/\\N//g' | tr '\t' '|'; }
W=$(newdir workload)
conf '{"n":"5000","every":"97","keys":"300"}' >/dev/null
host run workload --working-dir "$W" $P --destination "$(ch_url one wl)" --configuration "$TMP/conf.json"
is "$rc" 0 "workload: exit 0"
is "$(table wl)" "$("$ORACLE" 5000 300)" "workload: the table read with FINAL equals the oracle's"

# A worker whose clock is behind: every version written so far is moved a day ahead, as a
# worker with a fast clock would have written them; the next sync's versions must still be
# greater (they come from the last committed ones, not only from the clock), so its rows win.
ch_q one "insert into wl.w select id, val, txt, _fivetran_synced, _fivetran_deleted, _connector_version + 86400000000 from wl.w"
ch_q one "insert into wl._connector_state select connector, state, updated_at, _connector_version + 86400000000 from wl._connector_state"
ahead=$(ch_q one "select max(_connector_version) from wl.w")
conf '{"n":"9000","every":"97","keys":"300"}' >/dev/null
host run workload --working-dir "$W" $P --destination "$(ch_url one wl)" --configuration "$TMP/conf.json"
is "$rc" 0 "workload, clock behind: exit 0"
like "$err" "resuming at operation 5000 of 9000" "workload, clock behind: resumes from the committed state"
is "$(table wl)" "$("$ORACLE" 9000 300)" "workload, clock behind: the newer rows win: the table equals the oracle's"
is "$(ch_q one "select min(_connector_version) > $ahead from wl.w where _fivetran_synced > (select max(updated_at) from wl._connector_state where state like '%\"5000\"%')")" 1 \
    "workload, clock behind: every version written after is above the day-ahead ones"

# ---- truncate ------------------------------------------------------------------------------------
# Soft, and applied with its checkpoint: a sync that fails after a truncate leaves the rows alive.
W=$(newdir truncate)
host run truncate --working-dir "$W" $P --destination "$(ch_url one tr)" --configuration "$(conf '{"case":"load"}')"
is "$rc.$(ch_q one "select count(), sum(_fivetran_deleted) from tr.t final" | tr '\t' ' ')" "0.3 0" "truncate: three rows loaded"
host run truncate --working-dir "$W" $P --destination "$(ch_url one tr)" --configuration "$(conf '{"case":"fail"}')"
is "$rc" 1 "truncate, then a failure: exit 1"
is "$(ch_q one "select count(), sum(_fivetran_deleted) from tr.t final" | tr '\t' ' ')" "3 0" \
    "truncate, then a failure: the rows stay alive"
host run truncate --working-dir "$W" $P --destination "$(ch_url one tr)" --configuration "$(conf '{"case":"truncate"}')"
is "$rc" 0 "truncate: exit 0"
is "$(ch_q one "select id, _fivetran_deleted from tr.t final order by id" | tr '\t\n' ' ;')" "1 1;2 0;3 1;4 1;5 0;" \
    "truncate: the rows from before it are soft-deleted, those after it live"

# ---- a Python connector ------------------------------------------------------------------------
if [ -e "$BUILD_PLUGINS/python.la" ]; then
    cp -R "$TESTS_SRCDIR/python/three" "$TMP/pythree"
    rm -rf "$TMP/pythree/files"
    host run "$TMP/pythree/connector.py" --working-dir "$TMP/pythree" --destination "$(ch_url one py)"
    is "$rc" 0 "Python three: exit 0"
    is "$(ch_q one "select count(), sum(_fivetran_deleted), countIf(val_1 = 'abc') from py.three final" | tr '\t' ' ')" "3 1 1" \
        "Python three: its rows read back with clickhouse-client"
    is "$(ch_q one "select state from py._connector_state")" "$(cat "$TMP/pythree/files/state.json")" \
        "Python three: its state"
else
    fail "Python three: the Python runtime is built" "no $BUILD_PLUGINS/python.la"
fi

# ---- connecting, the spec, passwords ------------------------------------------------------------
FREE=$(ch_free_port)
host run three --working-dir "$(newdir noserver)" --destination "clickhouse://default@127.0.0.1:$FREE/x"
is "$rc" 1 "no server: exit 1"
like "$err" "connecting: cannot reach the ClickHouse server at 127.0.0.1:$FREE: " "no server: names the server and the step"
like "$out" "SYNC FAILED" "no server: the summary says so"

host run three --working-dir "$(newdir badpw)" --destination "clickhouse://pwuser:wrongsecret@127.0.0.1:$HTTP/pw"
is "$rc" 1 "wrong password: exit 1"
like "$err" "the ClickHouse server at 127.0.0.1:$HTTP answered 401: Wrong password for user pwuser" \
    "wrong password: the server's reason"
unlike "$err$out" "wrongsecret" "wrong password: the password is never printed"
host run three --working-dir "$(newdir goodpw)" --destination "clickhouse://pwuser:right%21@127.0.0.1:$HTTP/pw"
is "$rc" 1 "a percent-escaped password is decoded (right! is not the password)"
host run three --working-dir "$TMP/goodpw" --destination "clickhouse://pwuser:right@127.0.0.1:$HTTP/pw"
is "$rc" 0 "right password: exit 0"
unlike "$err$out" ":right@" "right password: the password is never printed"
is "$(cat "$TMP/goodpw/files/state/three.store" 2>&1)" "clickhouse://pwuser@127.0.0.1:$HTTP/pw" \
    "right password: the working directory records the destination without it"
like "$err" "into clickhouse://pwuser@127.0.0.1:$HTTP/pw" "right password: the destination is named without it"
is "$(ch_q one 'select count() from pw.three final')" 3 "right password: rows landed"

host run three --working-dir "$(newdir badparam)" --destination "clickhouse://pwuser:topsecret@127.0.0.1:$HTTP/pw?bogus=1"
is "$rc" 2 "unknown parameter: exit 2 (bad usage), before anything runs"
like "$err" "destination 'clickhouse://pwuser:***@127.0.0.1:$HTTP/pw?bogus=1': unknown or repeated parameter 'bogus=1'" \
    "unknown parameter: named, with the spec's password hidden"
unlike "$err$out" "topsecret" "a malformed spec's password is never printed"
host run three --working-dir "$(newdir nouser)" --destination "clickhouse://127.0.0.1:$HTTP/pw"
is "$rc" 2 "no user: exit 2"
like "$err" "it names no user (USER@HOST)" "no user: said so"
host run three --working-dir "$(newdir nodb)" --destination "clickhouse://default@127.0.0.1:$HTTP/"
is "$rc" 2 "no database: exit 2"
like "$err" "the database is empty" "no database: said so"
host run three --working-dir "$(newdir badport)" --destination "clickhouse://default@127.0.0.1:99999/x"
is "$rc" 2 "a bad port: exit 2"
like "$err" "a port is not a number from 1 to 65535" "a bad port: said so"
host run three --working-dir "$(newdir two)" --destination "clickhouse://default@127.0.0.1:$HTTP,127.0.0.1:$HTTP/x"
is "$rc" 2 "two servers without a cluster: exit 2"
like "$err" "several servers are a cluster: name it with ?cluster=NAME" "two servers without a cluster: said so"
host run three --working-dir "$(newdir nocluster)" --destination "clickhouse://default@127.0.0.1:$HTTP/x?cluster=nosuch"
is "$rc" 1 "an unknown cluster: exit 1"
like "$err" "has no cluster 'nosuch' in its remote_servers configuration" "an unknown cluster: said so"
like "$(host run --help; echo "$out$err")" "clickhouse://USER[:PASSWORD]@HOST[:PORT]/DB[?cluster=NAME]" \
    "run --help shows the ClickHouse spec"

# ---- refused schema changes leave the destination as it was ------------------------------------
W=$(newdir evolve)
D=$(ch_url one ev)
host run evolve --working-dir "$W" $P --destination "$D" --configuration "$(conf '{"step":"1"}')"
is "$rc" 0 "evolve step 1: exit 0"
snap() { ch_q one "select * from ev.items final order by id; select * from ev.fixed final order by id; select column_name, type from ev._connector_columns final order by 1, 2; select state from ev._connector_state order by _connector_version desc limit 1" 2>&1; }
before=$(snap)
host run evolve --working-dir "$W" $P --destination "$D" --configuration "$(conf '{"step":"key"}')"
is "$rc" 1 "evolve: a STRING key into an INT key column: exit 1"
like "$err" "upsert on table 'items', column 'id', operation 1 (key id='abc'): cannot widen from INT to STRING: primary key column 'id' is stored as Int32 and ClickHouse cannot change the type of a key column to String" \
    "evolve: key widening refused, naming the operation, its key and why"
is "$(snap)" "$before" "evolve: refused key widening, destination unchanged"
host run evolve --working-dir "$W" $P --destination "$D" --configuration "$(conf '{"step":"fixed","fixed_type":"SHORT"}')"
is "$rc" 1 "evolve: declaring INT as SHORT over 70000: exit 1"
like "$err" "table 'fixed', column 'val': now declared SHORT but the warehouse holds INT values: stored row (key id=1): INT value 70000 does not convert exactly to SHORT" \
    "evolve: the narrowing names column, types, the stored row and its value"
is "$(snap)" "$before" "evolve: refused declaration change, destination unchanged"
host run evolve --working-dir "$W" $P --destination "$D" --configuration "$(conf '{"step":"fixed","fixed_type":"LONG"}')"
is "$rc" 0 "evolve: declaring INT as LONG succeeds"
like "$err" "table 'fixed': column 'val' changed from INT to LONG as now declared" "evolve: the declared change is logged"
is "$(ch_q one "select type from system.columns where database = 'ev' and table = 'fixed' and name = 'val'")" \
    "Nullable(Int64)" "evolve: the column is now stored as Int64"
is "$(ch_q one "select type from ev._connector_columns final where table_name = 'fixed' and column_name = 'val'")" \
    "LONG" "evolve: and recorded as LONG"

done_testing

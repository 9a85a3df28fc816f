# pg_edges.sh - PostgreSQL cases a review found: dry runs leave nothing behind, a role that may
# only write existing tables can sync, stored FLOAT values convert exactly, passwords stay hidden
# however the URI is malformed, the schema parameter is checked, and advice fits PostgreSQL.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/pgserver.sh"

P="--plugin-dir $TEST_PLUGINS"

# ---- a dry run creates and commits nothing, not even the schema ------------------------------
W=$(newdir dry)
host run three --working-dir "$W" --destination "$PGURI&schema=dryschema" --dry-run
is "$rc" 0 "dry run into PostgreSQL: exit 0"
like "$out" "DRY RUN: nothing was committed" "dry run into PostgreSQL: said so"
is "$(psql_q "select count(*) from pg_namespace where nspname = 'dryschema'")" 0 "dry run: the schema is not created"
host run three --working-dir "$W" --destination "$PGURI&schema=dryschema"
is "$rc" 0 "a real run afterwards creates it"
is "$(psql_q 'select count(*) from dryschema.three')" 3 "and its rows land"
before=$(psql_q 'select id, val_1, val_2, _fivetran_deleted from dryschema.three order by val_2; select state from dryschema._connector_state')
is "$(printf '%s\n' "$before" | wc -l | tr -d ' ')" 4 "the rows and the state to compare: three rows, one state"
host run three --working-dir "$W" --destination "$PGURI&schema=dryschema" --dry-run
is "$rc" 0 "a dry run over existing tables: exit 0"
is "$(psql_q 'select id, val_1, val_2, _fivetran_deleted from dryschema.three order by val_2; select state from dryschema._connector_state')" "$before" "a dry run leaves the rows and the state as they were"

# ---- an update that found no row is logged before the schema change that applied it ---------
# PostgreSQL applies held-back updates when a column widens; SQLite knows at once. Either way
# the warning comes first, with the writer thread and without it.
for dest in sqlite pg; do
    for writer in 1 0; do
        W=$(newdir "order_${dest}_$writer")
        if [ "$dest" = pg ]; then D="--destination $PGURI&schema=ord$writer"; else D=""; fi
        CONNECTOR_HOST_WRITER=$writer host run badops $P --working-dir "$W" $D --configuration "$(conf '{"case":"missing_then_widen"}')"
        is "$rc" 0 "$dest, writer $writer: the sync succeeds"
        in_order "$err" "update on table 'loose'" "column 'n' widened from LONG to DOUBLE" \
            "$dest, writer $writer: the missing row is logged before the widening"
        is "$(printf '%s\n' "$out" | awk '$1 == "total" { print $NF }')" 1 "$dest, writer $writer: counted once"
        like "$err" "operation 2 (key k=99)" "$dest, writer $writer: the warning names the update by its number and key"
    done
done

# ---- a role that may only read and write the existing tables --------------------------------
W=$(newdir lowpriv)
host run three --working-dir "$W" --destination "$PGURI&schema=lp"
psql_q "create role lowpriv login; grant usage on schema lp to lowpriv; grant select, insert, update, delete on all tables in schema lp to lowpriv" >/dev/null
host run three --working-dir "$W" --destination "postgresql://lowpriv@/postgres?host=$PGSOCK&schema=lp"
is "$rc" 0 "a role without CREATE on the schema syncs into existing tables"
is "$(psql_q 'select count(*) from lp.three')" 6 "its rows land"

# ---- a declared FLOAT column converted to DOUBLE keeps each float's exact value ----------------
for dest in sqlite pg; do
    W=$(newdir "float_$dest")
    if [ "$dest" = pg ]; then D="--destination $PGURI&schema=fl"; else D=""; fi
    host run evolve $P --working-dir "$W" $D --configuration "$(conf '{"step":"3","fixed_type":"FLOAT","fixed_float":"2.2"}')"
    is "$rc" 0 "$dest: FLOAT 2.2 stored"
    host run evolve $P --working-dir "$W" $D --configuration "$(conf '{"step":"3","fixed_type":"DOUBLE","fixed_id":"3"}')"
    is "$rc" 0 "$dest: the column is declared DOUBLE"
done
# 2.2f is 2.2000000476837158 as a double; the double 2.2 would mean the float was read as text.
is "$(sql "$TMP/float_sqlite/files/warehouse.db" "select val = 2.2000000476837158, val = 2.2 from fixed where id = 2")" "1|0" "SQLite keeps the float's exact value"
is "$(psql_q "select val = 2.2000000476837158::float8, val = 2.2::float8 from fl.fixed where id = 2")" "t|f" "PostgreSQL keeps the float's exact value, not 2.2"

# ---- passwords in malformed URIs ---------------------------------------------------------------
host run three --working-dir "$(newdir pw1)" --destination 'postgresql://u:se%zzcret@h/db'
is "$rc" 2 "a bad escape in the password: exit 2"
unlike "$err$out" "cret" "a bad escape: libpq's message does not show the password"
host run three --working-dir "$(newdir pw2)" --destination 'postgresql://u:p?sswordx@h/db?bogus=1'
unlike "$err$out" "sswordx" "a ? in the password: hidden"
host run three --working-dir "$(newdir pw3)" --destination "postgresql://u:sec/retpart@/db?host=$PGSOCK"
unlike "$err$out" "retpart" "a / in the password: no half of it is shown"
unlike "$err$out" ":sec" "a / in the password: not the first half either"

# ---- the schema parameter --------------------------------------------------------------------
host run three --working-dir "$(newdir s1)" --destination "$PGURI&schema=a%00b"
is "$rc" 2 "schema with %00: exit 2"
like "$err" "the schema parameter has a bad percent escape" "schema with %00: said so"
host run three --working-dir "$(newdir s2)" --destination "$PGURI&schema=%zz"
is "$rc" 2 "schema with %zz: exit 2"
long=$(printf 'x%.0s' $(seq 1 64))
host run three --working-dir "$(newdir s3)" --destination "$PGURI&schema=$long"
is "$rc" 2 "a 64-byte schema name: exit 2"
like "$err" "the schema name is longer than 63 bytes" "a long schema name: said so"

# ---- two syncs of one connector into one schema, from different working directories -------------
host run three --working-dir "$(newdir lock1)" --destination "$PGURI&schema=lk"
"$PGBIN/psql" -X -q -At -h "$PGSOCK" -U chtest -d postgres \
    -c "select pg_advisory_lock(hashtext('lk.three'))" -c "select pg_sleep(6)" >/dev/null 2>&1 &
locker=$!
sleep 1
before=$(psql_q 'select count(*) from lk.three; select state from lk._connector_state')
host run three --working-dir "$(newdir lock2)" --destination "$PGURI&schema=lk"
is "$rc" 75 "a second sync of the same connector into the same schema: exit 75 (EX_TEMPFAIL)"
like "$err" "another connector-host is syncing connector 'three' into schema lk of $PGSOCK:5432; wait for it to finish" "the refusal names connector, schema and server"
like "$out" "BUSY: another worker has this connector; exit status 75: try again later" "the summary says it is busy"
like "$out" "SYNC FAILED: another connector-host is syncing connector 'three' into schema lk" "the summary says why"
host run three --working-dir "$(newdir lock2j)" --destination "$PGURI&schema=lk" --log-format json
is "$rc" 75 "the same with a JSON summary: exit 75"
like "$(printf '%s\n' "$out" | tail -n 1)" '"exit_status":75,"busy":true}}' "the JSON summary says busy, exit status 75"
host state three --working-dir "$(newdir lock2s)" --destination "$PGURI&schema=lk"
is "$rc" 75 "state while a sync holds the connector's lock: exit 75"
like "$err" "connector-host state: another connector-host is syncing connector 'three' into schema lk" "state while a sync holds the lock: said"
is "$(psql_q 'select count(*) from lk.three; select state from lk._connector_state')" "$before" "the refused sync changed nothing"
wait "$locker"
host run three --working-dir "$(newdir lock3)" --destination "$PGURI&schema=lk"
is "$rc" 0 "once the first has finished, the next sync runs"

# ---- advice that works in PostgreSQL -----------------------------------------------------------
W=$(newdir key)
host run evolve $P --working-dir "$W" --destination "$PGURI&schema=keyadv" --configuration "$(conf '{"step":"1"}')"
host run evolve $P --working-dir "$W" --destination "$PGURI&schema=keyadv" --configuration "$(conf '{"step":"key"}')"
is "$rc" 1 "a key of another storage class: exit 1"
like "$err" 'drop table "keyadv"."items"' "the advice names the PostgreSQL table to drop"
unlike "$err" "connector-host reset" "and not reset, which does not touch PostgreSQL"

# ---- a declaration the warehouse conflicts with fails the sync before the update handler ------
W=$(newdir conflict)
D="$PGURI&schema=conflict"
host run badops $P --working-dir "$W" --destination "$D" --configuration "$(conf '{"case":"good"}')"
is "$rc" 0 "conflict: a first sync"
before=$(psql_q 'select t::text from conflict.items t order by id; select state from conflict._connector_state')
host run badops $P --working-dir "$W" --destination "$D" --configuration "$(conf '{"case":"retype"}')"
is "$rc" 1 "conflict: a declared type the stored values do not fit: exit 1"
# (PostgreSQL reads the stored rows in no particular order: either may be the one named)
matches "$out" "^SYNC FAILED: table 'items', column 'name': now declared INT but the warehouse holds STRING values: stored row \\(key (id=1\\): STRING value \"first|id=2\\): STRING value \"second)\" does not convert exactly to INT$" \
    "conflict: the column, both types, the stored row by its key and its value are named"
unlike "$err" "update handler of case retype started" "conflict: found before the update handler starts"
host run badops $P --working-dir "$W" --destination "$D" --configuration "$(conf '{"case":"pkchange"}')"
is "$rc" 1 "conflict: another primary key: exit 1"
like "$out" "SYNC FAILED: table 'items': the warehouse table items has another primary key than the schema's" "conflict: the key is named"
unlike "$err" "update handler of case pkchange started" "conflict: another key is found before the update handler starts"
is "$(psql_q 'select t::text from conflict.items t order by id; select state from conflict._connector_state')" "$before" "conflict: the rows and the state are unchanged"
host run badops $P --working-dir "$W" --destination "$D" --configuration "$(conf '{"case":"upsert_new"}')"
is "$rc" 0 "conflict: the declaration as it was syncs again"
like "$err" "update handler of case upsert_new started" "conflict: and its handler runs"

# ---- _fivetran_synced is exact: staged as microseconds since 2000, turned back in the merge --
# Each time its three operations write: the first, and two later microseconds across a second
# (and, from 1999, a year and the epoch PostgreSQL counts from), before 2000 and after.
for t in 2026-12-02T06:50:59.999998Z 1970-01-01T00:00:00Z 1999-12-31T23:59:59.999999Z \
    2000-01-01T00:00:00.999999Z; do
    W=$(newdir "synced_$t")
    psql_q 'drop schema if exists synced cascade' >/dev/null 2>&1
    host run three --working-dir "$W" --destination "$PGURI&schema=synced" --fixed-time "$t"
    is "$rc" 0 "synced from $t: exit 0"
    # three's rows keep the times of operations 1, 4 and 5: the first, and 3 and 4 us later
    start=$(printf '%s' "$t" | sed 's/T/ /; s/Z$//')
    want=$(psql_q "select string_agg(to_char(timestamp '$start' + d * interval '1 microsecond', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), ' ' order by d) from unnest(array[0, 3, 4]) d")
    is "$(psql_q "select string_agg(to_char(_fivetran_synced at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), ' ' order by _fivetran_synced) from synced.three")" \
        "$want" "synced from $t: every row's _fivetran_synced to the microsecond"
done

done_testing

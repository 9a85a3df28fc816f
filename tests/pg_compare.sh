# pg_compare.sh - the same syncs into SQLite and into PostgreSQL give the same tables: the same
# columns with the same types, and, column by column, the same values. Each value is compared in
# one normal form: booleans as 0/1, floats as their IEEE bits (+0 for -0: SQLite stores a
# whole REAL as an integer), binary as hex, date/times in the contract's text ('T', six
# fraction digits, 'Z'), JSON as PostgreSQL's jsonb text (SQLite keeps the connector's text;
# jsonb keeps the value).
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/pgserver.sh"

P="--plugin-dir $TEST_PLUGINS"

# The contract type of a PostgreSQL column type, as SQLite's _connector_columns records it.
pg_contract_type() {
    case "$1" in
    boolean) echo BOOLEAN ;; smallint) echo SHORT ;; integer) echo INT ;; bigint) echo LONG ;;
    numeric\(*) echo "$1" | sed 's/numeric/DECIMAL/' ;;
    real) echo FLOAT ;; "double precision") echo DOUBLE ;; date) echo NAIVE_DATE ;;
    "time without time zone") echo NAIVE_TIME ;; "timestamp without time zone") echo NAIVE_DATETIME ;;
    "timestamp with time zone") echo UTC_DATETIME ;; bytea) echo BINARY ;; xml) echo XML ;;
    text) echo STRING ;; jsonb) echo JSON ;; *) echo "other:$1" ;;
    esac
}

# compare NAME SQLITE-DB PG-SCHEMA: every table, column and value of the two destinations.
compare() {
    local name=$1 db=$2 nsp=$3 t c type order sq pq
    for t in $(sql "$db" "select distinct table_name from _connector_columns order by 1"); do
        order=$(sql "$db" "select group_concat(name, ', ') from (select name from pragma_table_info('$t') where pk > 0 order by pk)")
        is "$(sql "$db" "select group_concat(column_name || ' ' || type, ', ') from (select column_name, type from _connector_columns where table_name = '$t' order by column_name)")" \
            "$(psql_q "select attname || '|' || format_type(atttypid, atttypmod) from pg_attribute where attrelid = '\"$nsp\".\"$t\"'::regclass and attnum > 0 and not attisdropped and attname not like '\\_fivetran\\_%' order by attname" |
                while IFS='|' read -r c type; do printf '%s %s, ' "$c" "$(pg_contract_type "$type")"; done | sed 's/, $//')" \
            "$name: table $t has the same columns and types"
        is "$(sql "$db" "select count(*) || ' ' || sum(_fivetran_deleted) from \"$t\"")" \
            "$(psql_q "select count(*) || ' ' || count(*) filter (where _fivetran_deleted) from \"$nsp\".\"$t\"")" "$name: table $t has as many rows, as many deleted"
        for c in $(sql "$db" "select column_name from _connector_columns where table_name = '$t' order by 1") _fivetran_deleted; do
            type=$(sql "$db" "select type from _connector_columns where table_name = '$t' and column_name = '$c'")
            case "$type" in
            BOOLEAN | "")
                sq="$c" pq="\"$c\"::int::text" ;;
            FLOAT | DOUBLE)
                sq="hex(ieee754_to_blob($c + 0.0))" pq="upper(encode(float8send(\"$c\"::float8 + 0), 'hex'))" ;;
            # PostgreSQL's text drops zero fractions; to_char writes the contract's six digits
            UTC_DATETIME)
                sq="$c" pq="to_char(\"$c\" at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')" ;;
            NAIVE_DATETIME)
                sq="$c" pq="to_char(\"$c\", 'YYYY-MM-DD\"T\"HH24:MI:SS.US')" ;;
            NAIVE_TIME)
                sq="$c" pq="to_char(\"$c\", 'HH24:MI:SS.US')" ;;
            BINARY)
                sq="hex($c)" pq="upper(encode(\"$c\", 'hex'))" ;;
            JSON)
                sq="'select ' || quote($c) || '::jsonb::text;'" pq="\"$c\"::text" ;;
            *)
                sq="$c" pq="\"$c\"::text" ;;
            esac
            got_sqlite=$(sql "$db" "select case when $c is null then 'NULL' else $sq end from \"$t\" order by $order")
            if [ "$type" = JSON ]; then # the connector's JSON text, as jsonb
                got_sqlite=$(printf '%s\n' "$got_sqlite" | sed 's/^NULL$/select NULL;/' |
                    "$PGBIN/psql" -X -q -At -P null=NULL -h "$PGSOCK" -U chtest -d postgres)
            fi
            is "$got_sqlite" "$(psql_q "select coalesce($pq, 'NULL') from \"$nsp\".\"$t\" order by $order")" \
                "$name: $t.$c (${type:-system BOOLEAN}) has the same values"
        done
    done
}

# sync NAME DIR CONNECTOR SCHEMA [OPTIONS]: one sync into SQLite (working directory $TMP/DIR) and
# the same into PostgreSQL (schema SCHEMA); both succeed with the same counts and state.
sync() {
    local name=$1 dir=$TMP/$2 connector=$3 nsp=$4 sqlite_out
    shift 4
    mkdir -p "$dir"
    host run "$connector" --working-dir "$dir" $P "$@"
    is "$rc" 0 "$name: the SQLite sync succeeds"
    sqlite_out=$(printf '%s\n' "$out" | grep -E '^(total|[a-z_]+ +[0-9])')
    host run "$connector" --working-dir "$dir" $P --destination "$PGURI&schema=$nsp" "$@"
    is "$rc" 0 "$name: the PostgreSQL sync succeeds"
    is "$(printf '%s\n' "$out" | grep -E '^(total|[a-z_]+ +[0-9])')" "$sqlite_out" "$name: the same summary counts"
    is "$(psql_q "select state from \"$nsp\"._connector_state")" \
        "$(sql "$dir/files/warehouse.db" "select state from _connector_state")" "$name: the same state"
}

sync types types types ty
compare types "$TMP/types/files/warehouse.db" ty

conf '{"n":"3000","every":"61","keys":"150"}' >/dev/null
sync workload workload workload wl --configuration "$TMP/conf.json"
compare workload "$TMP/workload/files/warehouse.db" wl

# Updates, deletes and upserts of one key in every order, on rows committed before and on keys
# never written, in one checkpoint and across checkpoints: PostgreSQL holds updates and deletes
# back until a merge, and must still give SQLite's rows and warning counts.
sync sequences sequences sequences sq
compare sequences "$TMP/sequences/files/warehouse.db" sq
# has TEXT REGEX: yes when a line of TEXT matches the extended regular expression.
has() { if printf '%s\n' "$1" | grep -qE "$2"; then echo yes; else echo no; fi; }
is "$(has "$err" "WARNING \\[host\\] update on table 's': [0-9]+ updates found no row with their primary key; nothing changed")" yes \
    "sequences: held-back updates without a row are reported together"
is "$(has "$err" "WARNING \\[host\\] delete on table 's': [0-9]+ deletes found no row with their primary key; ignored")" yes \
    "sequences: held-back deletes without a row are reported together"
is "$(has "$err" "WARNING \\[host\\] update on table 's': [0-9]+ updates? found no row with (its|their) primary key; nothing changed: operation [0-9]+ \\(key [^)]+\\)")" yes \
    "sequences: a report of held-back updates names the first by number and key"
is "$(has "$err" "WARNING \\[host\\] delete on table 's': [0-9]+ deletes? found no row with (its|their) primary key; ignored: operation [0-9]+ \\(key [^)]+\\)")" yes \
    "sequences: a report of held-back deletes names the first by number and key"
warnings=$(printf '%s\n' "$out" | awk '$1 == "total" { print $NF }')
is "$([ "${warnings:-0}" -gt 10 ] && echo yes)" yes "sequences: the warnings to compare are many (${warnings:-none})"
# A dry run applies what waits at each checkpoint, without committing: the same warnings.
mkdir -p "$TMP/sequences_dry"
host run sequences --working-dir "$TMP/sequences_dry" $P --dry-run
is "$rc" 0 "sequences, dry run: the SQLite run succeeds"
sqlite_dry=$(printf '%s\n' "$out" | grep -E '^(total|[a-z_]+ +[0-9])')
host run sequences --working-dir "$TMP/sequences_dry" $P --dry-run --destination "$PGURI&schema=sqd"
is "$rc" 0 "sequences, dry run: the PostgreSQL run succeeds"
is "$(printf '%s\n' "$out" | grep -E '^(total|[a-z_]+ +[0-9])')" "$sqlite_dry" "sequences, dry run: the same summary counts"
is "$(printf '%s\n' "$sqlite_dry" | awk '$1 == "total" { print $NF }')" "$warnings" "sequences, dry run: as many warnings as the sync"
is "$(psql_q "select count(*) from pg_tables where schemaname = 'sqd'")" 0 "sequences, dry run: nothing is created"

# The same without the writer thread: the merges, and the reports, then come on the sink's thread.
CONNECTOR_HOST_WRITER=0
export CONNECTOR_HOST_WRITER
sync "sequences, no writer thread" sequences0 sequences sq0
compare "sequences, no writer thread" "$TMP/sequences0/files/warehouse.db" sq0
unset CONNECTOR_HOST_WRITER

# Many updates and deletes of keys never written, in one checkpoint: the waiting rows reach the
# bound and merge on the writer thread, mid-checkpoint, and their reports must still count.
conf '{"n":"80000","every":"80000","keys":"200000"}' >/dev/null
sync "workload, merged mid-checkpoint" workload_big workload wlb --configuration "$TMP/conf.json"
is "$(has "$err" "update on table 'w': [0-9]+ updates found no row")" yes \
    "workload, merged mid-checkpoint: held-back updates without a row are reported"
is "$(has "$err" "update on table 'w': [0-9]+ updates found no row with their primary key; nothing changed: (operation [0-9]+ \\(key [^)]+\\), ){4}operation [0-9]+ \\(key [^)]+\\) and [0-9]+ more$")" yes \
    "workload, merged mid-checkpoint: a large report names five rows and counts the rest"
compare "workload, merged mid-checkpoint" "$TMP/workload_big/files/warehouse.db" wlb

# Checkpoints of thousands of operations over a few thousand keys: part of each checkpoint's rows
# merge early, while the connection is idle, and the rest at the checkpoint, with many keys in
# both (an upsert merged early, then updated or deleted): with the writer thread and without.
conf '{"n":"40000","every":"5000","keys":"3000"}' >/dev/null
sync "workload, early merges" workload_early workload wle --configuration "$TMP/conf.json"
compare "workload, early merges" "$TMP/workload_early/files/warehouse.db" wle
CONNECTOR_HOST_WRITER=0
export CONNECTOR_HOST_WRITER
sync "workload, early merges, no writer thread" workload_early0 workload wle0 \
    --configuration "$TMP/conf.json"
compare "workload, early merges, no writer thread" "$TMP/workload_early0/files/warehouse.db" wle0
unset CONNECTOR_HOST_WRITER

# Evolution over several syncs: each destination keeps its own history of types.
for step in 1 2 fixed later1 later2; do
    conf "{\"step\":\"$step\",\"fixed_type\":\"LONG\"}" >/dev/null
    sync "evolve step $step" evolve evolve ev --configuration "$TMP/conf.json"
done
compare evolve "$TMP/evolve/files/warehouse.db" ev
# Times widened to STRING keep the contract's text: PostgreSQL's own text would drop zeros.
for step in times1 times2; do
    conf "{\"step\":\"$step\"}" >/dev/null
    sync "evolve step $step" evolve_times evolve evt --configuration "$TMP/conf.json"
done
compare "evolve, times to STRING" "$TMP/evolve_times/files/warehouse.db" evt
is "$(psql_q "select at || ' ' || local || ' ' || alarm from evt.stamps where id = 1")" \
    "2023-12-31T23:00:00.500000Z 2024-01-01T08:00:00.000000 06:30:00.000000" \
    "evolve, times to STRING: the text of the old values in PostgreSQL"

for c in load truncate; do
    conf "{\"case\":\"$c\"}" >/dev/null
    sync "truncate $c" truncate truncate tr --configuration "$TMP/conf.json"
done
compare truncate "$TMP/truncate/files/warehouse.db" tr

done_testing

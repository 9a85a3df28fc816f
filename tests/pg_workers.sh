# pg_workers.sh - many workers, several connectors, one PostgreSQL server, random kill -9.
#
# Three connectors (the workload connector in schemas c1, c2, c3, each with its own stream
# length and key space) and four workers that, for a while, each start a sync of a random
# connector at a random moment from their own working directories, and kill -9 some of them at a
# random moment. Every state table starts in the format from before generations, so the
# first commits also upgrade it while others wait for the lock. A trigger on each state table
# logs every commit inside its transaction (generation, state, the transaction's start), and the
# server keeps commit times (track_commit_timestamp). Afterwards:
#   - every run ended in 0, 75 (another worker had the connector) or death by SIGKILL;
#   - each table equals the oracle at the position its state committed, then after one clean
#     final sync of each connector, at the stream's end;
#   - the commits of each connector form one line: generations 1..N with none missing or twice,
#     positions strictly rising, and each commit's transaction began after the one before it
#     committed: no two commits of one connector interleave.
# SEED=N repeats a run's random choices.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/pgserver.sh"
ORACLE="$BUILD_TOP/tests/workload_oracle"
P="--plugin-dir $TEST_PLUGINS"
SEED=${SEED:-$$}
RANDOM=$SEED
echo "# SEED=$SEED"
CHAOS_SECONDS=${CHAOS_SECONDS:-25}
WORKERS=4
CONNECTORS="c1 c2 c3"
# Streams long enough (1 ms an operation for the workers) that the workers are still at them
# when their time is up, so every run does real work or finds its connector busy, and a kill
# lands mid-sync; the final syncs run at full speed.
n_of() { case $1 in c1) echo 30000 ;; c2) echo 35000 ;; c3) echo 40000 ;; esac; }
keys_of() { case $1 in c1) echo 150 ;; c2) echo 300 ;; c3) echo 450 ;; esac; }

# Commit times are kept only when the server starts with them on.
psql_q "ALTER SYSTEM SET track_commit_timestamp = on" >/dev/null
pg_stop && pg_start || { echo "Bail out! the server did not restart"; exit 1; }
is "$(psql_q 'show track_commit_timestamp')" on "the server keeps commit times"

psql_q "CREATE TABLE public.commit_log (schema text, connector text, generation bigint,
    pos bigint, xact_start timestamptz, xid xid8);
CREATE FUNCTION public.log_commit() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN
    INSERT INTO public.commit_log VALUES (TG_TABLE_SCHEMA, NEW.connector,
        (to_jsonb(NEW)->>'generation')::bigint, (NEW.state::json->>'pos')::bigint, now(),
        pg_current_xact_id());
    RETURN NEW;
END \$\$" >/dev/null
for c in $CONNECTORS; do
    printf '{"n": "%s", "every": "100", "keys": "%s", "sleep_us": "1000"}\n' "$(n_of $c)" "$(keys_of $c)" >"$TMP/$c.json"
    printf '{"n": "%s", "every": "100", "keys": "%s"}\n' "$(n_of $c)" "$(keys_of $c)" >"$TMP/$c.final.json"
    # the state table as hosts before generations made it: the first commit upgrades it
    psql_q "CREATE SCHEMA $c;
    CREATE TABLE $c._connector_state (connector text PRIMARY KEY, state text NOT NULL, updated_at timestamptz NOT NULL);
    CREATE TRIGGER log_commit AFTER INSERT OR UPDATE ON $c._connector_state FOR EACH ROW EXECUTE FUNCTION public.log_commit()" >/dev/null
done

# worker ID: until the chaos time is over, syncs a random connector after a random pause, and
# kills it with SIGKILL after a random 0.2 to 3 s (or when the time is up) if it is still
# running; logs "connector status" per run.
worker() {
    local id=$1 end=$(($(date +%s) + CHAOS_SECONDS)) c pid rc delay
    RANDOM=$((SEED + id * 7919))
    while [ "$(date +%s)" -lt "$end" ]; do
        set -- $CONNECTORS
        shift $((RANDOM % 3))
        c=$1
        mkdir -p "$TMP/w$id/$c"
        sleep "0.$((RANDOM % 30))"
        "$HOST" run workload --working-dir "$TMP/w$id/$c" $P --configuration "$TMP/$c.json" \
            --destination "$PGURI&schema=$c" --progress none >"$TMP/w$id.out" 2>"$TMP/w$id.err" &
        pid=$!
        delay=$((2 + RANDOM % 29)) # tenths of a second to live

        while kill -0 "$pid" 2>/dev/null && [ "$delay" -gt 0 ] && [ "$(date +%s)" -lt "$end" ]; do
            sleep 0.1
            delay=$((delay - 1))
        done
        kill -9 "$pid" 2>/dev/null
        wait "$pid"
        rc=$?
        echo "$c $rc" >>"$TMP/runs.$id"
        # a status the test does not expect keeps its output for the failure message
        case $rc in 0 | 75 | 137) ;; *) cp "$TMP/w$id.err" "$TMP/unexpected.$id.$rc" ;; esac
    done
}
for id in $(seq 1 $WORKERS); do worker "$id" & done
wait

cat "$TMP"/runs.* >"$TMP/runs"
runs=$(wc -l <"$TMP/runs")
statuses=$(awk '{ print $2 }' "$TMP/runs" | sort -n | uniq -c | awk '{ printf "%s%s x%s", sep, $2, $1; sep = ", " }')
echo "# $runs runs: exit $statuses"
[ "$runs" -ge 12 ] && pass "the workers ran $runs syncs" || fail "the workers ran $runs syncs" "expected at least 12"
bad=$(awk '$2 != 0 && $2 != 75 && $2 != 137' "$TMP/runs")
[ -z "$bad" ] && pass "every run exited 0, 75 (busy) or died of SIGKILL" ||
    fail "every run exited 0, 75 (busy) or died of SIGKILL" "$bad" "$(cat "$TMP"/unexpected.* 2>/dev/null | tail -n 5)"
[ "$(awk '$2 == 75' "$TMP/runs" | wc -l)" -ge 1 ] && pass "some runs found their connector busy (exit 75)" ||
    fail "some runs found their connector busy (exit 75)"
[ "$(awk '$2 == 137' "$TMP/runs" | wc -l)" -ge 1 ] && pass "some runs were killed" || fail "some runs were killed"

# table C: the workload's table as the oracle prints it; pos C: the committed position.
table() { psql_q "select id, val, txt, case when _fivetran_deleted then 1 else 0 end from $1.w order by id" 2>/dev/null; }
pos() { psql_q "select coalesce((select state::json->>'pos' from $1._connector_state where connector = 'workload'), '0')"; }
check_tables() {
    for c in $CONNECTORS; do
        local p
        p=$(pos "$c")
        [ "$(table "$c")" = "$("$ORACLE" "$p" "$(keys_of $c)")" ] &&
            pass "$1: $c's table is the oracle's at its committed position $p" ||
            fail "$1: $c's table is the oracle's at its committed position $p"
    done
}
echo "# positions after the workers: $(for c in $CONNECTORS; do printf '%s=%s ' "$c" "$(pos "$c")"; done)"
check_tables "after the workers"

# the final syncs at once: they are of different connectors
for c in $CONNECTORS; do
    ("$HOST" run workload --working-dir "$(newdir final_$c)" $P --configuration "$TMP/$c.final.json" \
        --destination "$PGURI&schema=$c" --progress none >"$TMP/final_$c.out" 2>"$TMP/final_$c.err"
        echo $? >"$TMP/final_$c.rc") &
done
wait
for c in $CONNECTORS; do
    is "$(cat "$TMP/final_$c.rc")" 0 "a final sync of $c succeeds"
    is "$(pos "$c")" "$(n_of $c)" "and commits the end of $c's stream"
done
check_tables "after the final syncs"

for c in $CONNECTORS; do
    log="select generation, pos, xact_start, pg_xact_commit_timestamp(xid(xid)) as committed
        from public.commit_log where schema = '$c'"
    is "$(psql_q "select count(*) = max(generation) and count(distinct generation) = count(*) and min(generation) = 1 from ($log) l")" t \
        "$c: its commits carry generations 1..N, none missing or twice"
    is "$(psql_q "select max(generation) from ($log) l")" "$(psql_q "select generation from $c._connector_state")" \
        "$c: the state row's generation is the last commit's"
    is "$(psql_q "select count(*) from (select pos <= lag(pos) over (order by generation) as back from ($log) l) b where back")" 0 \
        "$c: each commit's position is past the one before"
    is "$(psql_q "select count(*) from (select xact_start < lag(committed) over (order by generation) as overlap from ($log) l) o where overlap")" 0 \
        "$c: each commit's transaction began after the one before committed: no two commits interleave"
    is "$(psql_q "select count(*) from ($log) l where committed is null")" 0 "$c: every logged commit has a commit time"
done
echo "# commits per connector: $(psql_q "select string_agg(schema || '=' || n, ' ') from (select schema, count(*) n from public.commit_log group by schema order by schema) c")"

done_testing

#!/bin/sh
# run.sh - the benchmark behind `make bench`: the same bulk workload through
# connector-host and through a plain SQLite baseline, side by side in one run,
# then the same against PostgreSQL (a plain libpq baseline), then the `three`
# sync's start-to-exit time with hyperfine.
#
# BENCH_SIZES   row counts N for the side-by-side runs (default "100000 1000000")
# BENCH_REPEAT  runs per program and size, interleaved; the median is shown (default 3)
# BENCH_MEMORY  N of one more host run, for peak memory only (default 10000000; 0 skips)
# BENCH_WORK    per-row work of a connector run with and without the writer thread (default
#               1500 mixing rounds; 0 skips)
# BENCH_SQLITE  0 skips the SQLite rows (host, baseline and limit side by side)
# BENCH_PYTHON  0 skips the Python row (the workload as a connector.py against bulk)
# BENCH_CH      0 skips the ClickHouse row (bench/clickhouse.sh, which runs alone too)
# BENCH_PG      0 skips the PostgreSQL row (default 1: run it when Debian's server binaries
#               are installed, on a throwaway server; see bench/pgserver.sh)
# BENCH_DIR     scratch directory (default: a new one under $TMPDIR)
set -eu
: "${BUILD_TOP:?run through make bench}"
SIZES=${BENCH_SIZES:-"100000 1000000"}
MEMORY_N=${BENCH_MEMORY:-10000000}
REPEAT=${BENCH_REPEAT:-3}
DIR=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/connector-host-bench.XXXXXX")}
HOST="$BUILD_TOP/connector-host"
MEASURE="$BUILD_TOP/bench/measure"
BASELINE="$BUILD_TOP/bench/baseline"
PLUGINS="$BUILD_TOP/bench/.libs"
BASELINE_PG="$BUILD_TOP/bench/baseline_pg"
PGSERVER="$(dirname "$0")/pgserver.sh"
PGDIR=
trap 'if [ -n "$PGDIR" ]; then sh "$PGSERVER" stop "$PGDIR"; fi; rm -rf "$DIR"' EXIT
# an interrupted run must still stop the PostgreSQL server: sh runs the EXIT trap on exit only
trap 'exit 130' INT TERM

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "connector-host benchmark: $(nproc) CPUs, SQLite $(sqlite3 --version 2>/dev/null | cut -d' ' -f1)"
echo "workload: N upserts, N/2 partial updates, N/3 deletes; commit every 10000 operations"
echo "durability: WAL, synchronous=FULL, state row in every commit (host, baseline and limit)"
echo "baseline: bench/baseline.c, the naive loop; limit: bench/limit.c, the same loop with sorted"
echo "batches, 16 KiB pages and rarer WAL checkpoints"
echo
# The final tables must hold the same rows: the host's, the baseline's and the limit's.
same_table() { # WAREHOUSE OTHER_DB NAME
    diff=$(sqlite3 "$1" "ATTACH '$2' AS o;
        SELECT count(*) FROM (SELECT id, val_1, val_2, _fivetran_deleted FROM main.three
            EXCEPT SELECT id, val1, val2, _fivetran_deleted FROM o.three);
        SELECT count(*) FROM main.three; SELECT count(*) FROM o.three" | tr '\n' ' ')
    set -- "$1" "$2" "$3" $diff
    [ "$4" = 0 ] && [ "$5" = "$6" ] || {
        echo "bench: the host's table differs from the $3's ($4 rows differ; $5 vs $6 rows)" >&2
        exit 1
    }
}
if [ "${BENCH_SQLITE:-1}" = 0 ]; then
    echo "SQLite rows: skipped (BENCH_SQLITE=0)"
    echo
else
    printf '%-10s %11s %12s %12s %12s %9s %10s %11s %11s\n' N operations "host ops/s" "base ops/s" \
        "limit ops/s" host/base host/limit "host RSS" "limit RSS"
    for n in $SIZES; do
        ops=$((n + n / 2 + n / 3))
        for f in host base limit; do : >"$DIR/$f.t"; : >"$DIR/$f.m"; done
        i=0
        while [ "$i" -lt "$REPEAT" ]; do
            seed=$((12345 + i))
            # a different program first on each repeat: none always runs on a warmer machine
            case $((i % 3)) in 0) order="host base limit" ;; 1) order="base limit host" ;; *) order="limit host base" ;; esac
            for who in $order; do
                case $who in
                host)
                    rm -rf "$DIR/w" && mkdir -p "$DIR/w"
                    printf '{"n":"%s","seed":"%s"}\n' "$n" "$seed" >"$DIR/w/configuration.json"
                    "$MEASURE" "$HOST" run bulk --plugin-dir "$PLUGINS" --working-dir "$DIR/w" \
                        --log-level WARNING 2>"$DIR/host.err" | tail -n 1 >"$DIR/host.line" ||
                        { cat "$DIR/host.err" >&2; exit 1; }
                    ;;
                *)
                    rm -f "$DIR/$who.db" "$DIR/$who.db-wal" "$DIR/$who.db-shm"
                    "$MEASURE" "$BUILD_TOP/bench/$([ $who = base ] && echo baseline || echo limit)" \
                        "$n" "$DIR/$who.db" "$seed" | tail -n 1 >"$DIR/$who.line"
                    ;;
                esac
                cut -d' ' -f1 "$DIR/$who.line" >>"$DIR/$who.t"
                cut -d' ' -f2 "$DIR/$who.line" >>"$DIR/$who.m"
            done
            same_table "$DIR/w/files/warehouse.db" "$DIR/base.db" baseline
            same_table "$DIR/w/files/warehouse.db" "$DIR/limit.db" limit
            i=$((i + 1))
        done
        rows=$(sqlite3 "$DIR/w/files/warehouse.db" 'select count(*) from three')
        [ "$rows" -eq "$n" ] || { echo "bench: the host's warehouse has $rows rows, not $n" >&2; exit 1; }
        awk -v n="$n" -v ops="$ops" -v ht="$(median <"$DIR/host.t")" -v bt="$(median <"$DIR/base.t")" \
            -v lt="$(median <"$DIR/limit.t")" -v hm="$(sort -g "$DIR/host.m" | tail -n 1)" \
            -v lm="$(sort -g "$DIR/limit.m" | tail -n 1)" 'BEGIN {
            printf "%-10d %11d %12.0f %12.0f %12.0f %8.3fx %9.3fx %8.1f MB %8.1f MB\n",
                n, ops, ops / ht, ops / bt, ops / lt, bt / ht, lt / ht, hm / 1024, lm / 1024 }'
    done
    echo "(ratios of ops/s, median of $REPEAT runs in rotating order, the same seed for all three in" \
        "each; every run's final table compared; RSS = peak)"
    echo
fi

# The same workload against PostgreSQL: the host's PostgreSQL destination against plain libpq
# (bench/baseline_pg.c: COPY into a staging table and a merge per commit), each in its own
# schema of one throwaway server. Until the host has a PostgreSQL destination, the host's
# columns read "-" and the baseline is still measured.
if [ "${BENCH_PG:-1}" = 0 ]; then
    echo "PostgreSQL row: skipped (BENCH_PG=0)"
    echo
elif ! pgbin=$(sh "$PGSERVER" bindir 2>"$DIR/pg.err"); then
    echo "*** PostgreSQL row SKIPPED: $(cat "$DIR/pg.err") ***"
    echo
elif ! { PGDIR=$(mktemp -d "${TMPDIR:-/tmp}/connector-host-pg.XXXXXX") &&
    sh "$PGSERVER" start "$PGDIR" 2>"$DIR/pg.err"; }; then
    cat "$DIR/pg.err" >&2
    echo "*** PostgreSQL row SKIPPED: the throwaway server did not start (above) ***"
    echo
else
    # the socket directory goes into a URI unencoded: mktemp's names need no percent-encoding
    conn="host=$PGDIR user=postgres dbname=postgres"
    host_dest="postgresql://postgres@/postgres?host=$PGDIR&schema=bench_host"
    psql() { "$pgbin/psql" -X -q -A -t -v ON_ERROR_STOP=1 "$conn" "$@"; }
    # Each timed run starts from no tables and a fresh checkpoint, so that neither program
    # pays for the other's leftover dirty pages.
    fresh() { psql -c "SET client_min_messages = warning" -c "DROP SCHEMA IF EXISTS $1 CASCADE" \
        -c "CHECKPOINT"; }
    # The host's run of N rows, timed into host.line; the status is the host's (no pipe, whose
    # status would be tail's).
    run_host() {
        rm -rf "$DIR/w" && mkdir -p "$DIR/w"
        printf '{"n":"%s"}\n' "$1" >"$DIR/w/configuration.json"
        "$MEASURE" "$HOST" run bulk --plugin-dir "$PLUGINS" --working-dir "$DIR/w" \
            --destination "$host_dest" --log-level WARNING >"$DIR/host.out" 2>"$DIR/host.err" &&
            tail -n 1 "$DIR/host.out" >"$DIR/host.line"
    }

    # The baseline's merge must mean what applying each operation in turn means, or its
    # numbers say nothing.
    "$BASELINE_PG" --test-merge 300 bench_merge_test "$conn" >/dev/null
    host_pg=1
    fresh bench_host
    if ! run_host 10; then
        host_pg=0
        # the last error's message without the log line's time, level and source
        why=$(sed -n 's/^.*\] //p' "$DIR/host.err" | tail -n 1)
        echo "host: PostgreSQL destination unavailable: ${why:-$(tail -n 1 "$DIR/host.err")}"
    fi
    echo "PostgreSQL $(psql -c 'SHOW server_version') (throwaway server, Unix socket):" \
        "fsync=on, synchronous_commit=on, full_page_writes=on, state row in every commit"
    echo "baseline: libpq, per commit COPY into a staging table, then INSERT ... ON CONFLICT" \
        "and UPDATE ... FROM"
    printf '%-10s %11s %13s %13s %8s %12s %12s\n' N operations "host ops/s" "base ops/s" ratio \
        "host RSS" "base RSS"
    for n in $SIZES; do
        ops=$((n + n / 2 + n / 3))
        : >"$DIR/host.t"
        : >"$DIR/base.t"
        : >"$DIR/host.m"
        : >"$DIR/base.m"
        i=0
        while [ "$i" -lt "$REPEAT" ]; do
            # host first on even repeats, baseline first on odd: neither always runs second
            for who in $([ $((i % 2)) -eq 0 ] && echo "host base" || echo "base host"); do
                if [ "$who" = host ] && [ "$host_pg" = 1 ]; then
                    fresh bench_host
                    run_host "$n" || { cat "$DIR/host.err" >&2; exit 1; }
                    got=$(psql -F ' ' -c "SELECT count(*), count(*) FILTER (WHERE _fivetran_deleted),
                        count(*) FILTER (WHERE val_1 = 'abc') FROM bench_host.three")
                    [ "$got" = "$n $((n / 3)) $((n / 2))" ] || {
                        echo "bench: the host's PostgreSQL table has rows, deleted, 'abc' = $got," \
                            "not $n $((n / 3)) $((n / 2))" >&2
                        exit 1
                    }
                    cut -d' ' -f1 "$DIR/host.line" >>"$DIR/host.t"
                    cut -d' ' -f2 "$DIR/host.line" >>"$DIR/host.m"
                elif [ "$who" = base ]; then
                    fresh bench_base
                    "$MEASURE" "$BASELINE_PG" "$n" bench_base "$conn" >"$DIR/base.out"
                    tail -n 1 "$DIR/base.out" >"$DIR/base.line"
                    "$BASELINE_PG" --verify "$n" bench_base "$conn"
                    cut -d' ' -f1 "$DIR/base.line" >>"$DIR/base.t"
                    cut -d' ' -f2 "$DIR/base.line" >>"$DIR/base.m"
                fi
            done
            i=$((i + 1))
        done
        bt=$(median <"$DIR/base.t")
        bm=$(sort -g "$DIR/base.m" | tail -n 1)
        if [ "$host_pg" = 1 ]; then
            ht=$(median <"$DIR/host.t")
            hm=$(sort -g "$DIR/host.m" | tail -n 1)
            awk -v n="$n" -v ops="$ops" -v ht="$ht" -v bt="$bt" -v hm="$hm" -v bm="$bm" 'BEGIN {
                printf "%-10d %11d %13.0f %13.0f %7.3fx %9.1f MB %9.1f MB\n",
                    n, ops, ops / ht, ops / bt, bt / ht, hm / 1024, bm / 1024 }'
        else
            awk -v n="$n" -v ops="$ops" -v bt="$bt" -v bm="$bm" 'BEGIN {
                printf "%-10d %11d %13s %13.0f %8s %12s %9.1f MB\n",
                    n, ops, "-", ops / bt, "-", "-", bm / 1024 }'
        fi
    done
    echo "(ratio = host ops/s / baseline ops/s, median of $REPEAT runs in alternating order;" \
        "RSS = the client's peak, not the server's)"
    echo
    # peak memory of a long sync into PostgreSQL against the first size's
    if [ "$MEMORY_N" -gt 0 ] && [ "$host_pg" = 1 ]; then
        for n in $SIZES; do first_n=$n; break; done
        fresh bench_host
        run_host "$first_n" || { cat "$DIR/host.err" >&2; exit 1; }
        small=$(cut -d' ' -f2 "$DIR/host.line")
        fresh bench_host
        run_host "$MEMORY_N" || { cat "$DIR/host.err" >&2; exit 1; }
        awk -v n="$MEMORY_N" -v small_n="$first_n" -v t="$(cut -d' ' -f1 "$DIR/host.line")" \
            -v big="$(cut -d' ' -f2 "$DIR/host.line")" -v small="$small" \
            -v ops=$((MEMORY_N + MEMORY_N / 2 + MEMORY_N / 3)) 'BEGIN {
            printf "memory (PostgreSQL): host peak RSS %.1f MB at N=%d (%.0f ops/s) vs %.1f MB at N=%d: %.2fx\n",
                big / 1024, n, ops / t, small / 1024, small_n, big / small }'
        echo
    fi
    sh "$PGSERVER" stop "$PGDIR"
    PGDIR=
fi

# The same workload written as a Fivetran SDK connector.py (bench/python/connector.py) through
# the Python runtime, against the C connector bulk, side by side into SQLite.
PYRUN=${BENCH_PYTHON:-1}
if [ "$PYRUN" = 0 ]; then
    echo "Python row: skipped (BENCH_PYTHON=0)"
    echo
elif [ ! -e "$BUILD_TOP/plugins/python.la" ]; then
    echo "*** Python row SKIPPED: the Python runtime is not built (install python3-dev) ***"
    echo
else
    PYCONN="$(cd "$(dirname "$0")" && pwd)/python"
    echo "Python: the same workload as a connector.py (Fivetran SDK) against the C connector bulk"
    printf '%-10s %11s %13s %13s %8s %14s %12s
' N operations "python ops/s" "C ops/s" ratio \
        "python CPU/op" "python RSS"
    for n in $SIZES; do
        ops=$((n + n / 2 + n / 3))
        for f in py.t c.t py.c c.c py.m; do : >"$DIR/$f"; done
        i=0
        while [ "$i" -lt "$REPEAT" ]; do
            for who in $([ $((i % 2)) -eq 0 ] && echo "py c" || echo "c py"); do
                rm -rf "$DIR/w" && mkdir -p "$DIR/w"
                printf '{"n":"%s"}\n' "$n" >"$DIR/w/configuration.json"
                if [ "$who" = py ]; then
                    "$MEASURE" "$HOST" run "$PYCONN" --working-dir "$DIR/w" --log-level WARNING \
                        2>"$DIR/host.err" | tail -n 1 >"$DIR/host.line" ||
                        { cat "$DIR/host.err" >&2; exit 1; }
                    got=$(sqlite3 -separator ' ' "$DIR/w/files/warehouse.db" "select count(*),
                        sum(_fivetran_deleted), sum(val_1 = 'abc') from three")
                    [ "$got" = "$n $((n / 3)) $((n / 2))" ] || {
                        echo "bench: the Python connector's table has rows, deleted, 'abc' =" \
                            "$got, not $n $((n / 3)) $((n / 2))" >&2
                        exit 1
                    }
                    cut -d' ' -f2 "$DIR/host.line" >>"$DIR/py.m"
                else
                    "$MEASURE" "$HOST" run bulk --plugin-dir "$PLUGINS" --working-dir "$DIR/w" \
                        --log-level WARNING 2>"$DIR/host.err" | tail -n 1 >"$DIR/host.line" ||
                        { cat "$DIR/host.err" >&2; exit 1; }
                fi
                cut -d' ' -f1 "$DIR/host.line" >>"$DIR/$who.t"
                cut -d' ' -f3 "$DIR/host.line" >>"$DIR/$who.c"
            done
            i=$((i + 1))
        done
        awk -v n="$n" -v ops="$ops" -v pt="$(median <"$DIR/py.t")" -v ct="$(median <"$DIR/c.t")" \
            -v pc="$(median <"$DIR/py.c")" -v cc="$(median <"$DIR/c.c")" \
            -v pm="$(sort -g "$DIR/py.m" | tail -n 1)" 'BEGIN {
            printf "%-10d %11d %13.0f %13.0f %7.3fx %11.2f us %9.1f MB\n",
                n, ops, ops / pt, ops / ct, ct / pt, (pc - cc) / ops * 1e6, pm / 1024 }'
    done
    echo "(ratio = python ops/s / C ops/s, median of $REPEAT runs in alternating order; python" \
        "CPU/op = the median CPU time of the Python run minus the C run's, per operation)"
    echo
fi

# The writer thread against none, for a connector that does real work per row.
WORK=${BENCH_WORK:-1500}
if [ "$WORK" -gt 0 ]; then
    n=100000
    ops=$((n + n / 2 + n / 3))
    for mode in 1 0; do
        rm -rf "$DIR/w" && mkdir -p "$DIR/w"
        printf '{"n":"%s","work":"%s"}\n' "$n" "$WORK" >"$DIR/w/configuration.json"
        CONNECTOR_HOST_WRITER=$mode "$MEASURE" "$HOST" run bulk --plugin-dir "$PLUGINS" \
            --working-dir "$DIR/w" --log-level WARNING 2>/dev/null | tail -n 1 | cut -d' ' -f1 >"$DIR/work.$mode"
    done
    awk -v ops="$ops" -v w="$WORK" -v t1="$(cat "$DIR/work.1")" -v t0="$(cat "$DIR/work.0")" 'BEGIN {
        printf "connector with work (%d mixing rounds per row), N=100000: writer thread %.0f ops/s, ", w, ops / t1
        printf "without %.0f ops/s: %.2fx\n\n", ops / t0, t0 / t1 }'
fi

if [ "$MEMORY_N" -gt 0 ]; then
    for n in $SIZES; do first_n=$n; break; done
    rm -rf "$DIR/w" && mkdir -p "$DIR/w"
    printf '{"n":"%s"}\n' "$first_n" >"$DIR/w/configuration.json"
    small=$("$MEASURE" "$HOST" run bulk --plugin-dir "$PLUGINS" --working-dir "$DIR/w" \
        --log-level WARNING 2>/dev/null | tail -n 1 | cut -d' ' -f2)
    rm -rf "$DIR/w" && mkdir -p "$DIR/w"
    printf '{"n":"%s"}\n' "$MEMORY_N" >"$DIR/w/configuration.json"
    line=$("$MEASURE" "$HOST" run bulk --plugin-dir "$PLUGINS" --working-dir "$DIR/w" \
        --log-level WARNING 2>"$DIR/host.err" | tail -n 1) || { cat "$DIR/host.err" >&2; exit 1; }
    awk -v n="$MEMORY_N" -v small_n="$first_n" -v t="${line%% *}" \
        -v big="$(echo "$line" | cut -d' ' -f2)" \
        -v small="$small" -v ops=$((MEMORY_N + MEMORY_N / 2 + MEMORY_N / 3)) 'BEGIN {
        printf "memory (SQLite): host peak RSS %.1f MB at N=%d (%.0f ops/s) vs %.1f MB at N=%d: %.2fx\n",
            big / 1024, n, ops / t, small / 1024, small_n, big / small }'
    echo
fi

# ---- ClickHouse (bench/clickhouse.sh; BENCH_CH=0 skips it) ---------------------------------
# The host's ClickHouse destination against a plain libcurl loop over HTTP, side by side.
sh "$(dirname "$0")/clickhouse.sh"

if command -v hyperfine >/dev/null 2>&1; then
    mkdir -p "$DIR/three"
    echo "start-up: the three connector, process start to exit (hyperfine, 50 runs)"
    hyperfine -N --warmup 5 --runs 50 --style basic --export-json "$DIR/three.json" \
        "$HOST run three --working-dir $DIR/three --log-level WARNING" >/dev/null
    # a new working directory each run: the warehouse, its tables and the state file created
    hyperfine -N --warmup 5 --runs 50 --style basic --export-json "$DIR/fresh.json" \
        --prepare "sh -c 'rm -rf $DIR/fresh && mkdir $DIR/fresh'" \
        "$HOST run three --working-dir $DIR/fresh --log-level WARNING" >/dev/null
    awk '/"median"/ { gsub(/[",]/, ""); printf "three end to end: median %.2f ms (goal: under 5 ms)\n", $2 * 1000 }' "$DIR/three.json"
    awk '/"median"/ { gsub(/[",]/, ""); printf "three into a new working directory: median %.2f ms (goal: under 10 ms)\n", $2 * 1000 }' "$DIR/fresh.json"
else
    echo "start-up: hyperfine not installed (apt-get install hyperfine); skipped"
fi

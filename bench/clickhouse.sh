#!/bin/sh
# clickhouse.sh - the benchmark's ClickHouse row: the bulk workload through the host's ClickHouse
# destination against a plain libcurl loop (bench/baseline_ch.c) inserting the same workload
# over HTTP into the same kind of table, side by side, on one throwaway server
# (bench/chserver.sh). Run by bench/run.sh; alone: BUILD_TOP=... sh bench/clickhouse.sh.
#
# BENCH_SIZES, BENCH_REPEAT as for run.sh; BENCH_CH=0 skips the row.
set -eu
: "${BUILD_TOP:?run through make bench}"
SIZES=${BENCH_SIZES:-"100000 1000000"}
REPEAT=${BENCH_REPEAT:-3}
HOST="$BUILD_TOP/connector-host"
MEASURE="$BUILD_TOP/bench/measure"
PLUGINS="$BUILD_TOP/bench/.libs"
BASELINE_CH="$BUILD_TOP/bench/baseline_ch"
CHSERVER="$(dirname "$0")/chserver.sh"
DIR=$(mktemp -d "${TMPDIR:-/tmp}/connector-host-bench-ch.XXXXXX")
CHDIR=
trap 'if [ -n "$CHDIR" ]; then sh "$CHSERVER" stop "$CHDIR"; fi; rm -rf "$DIR"' EXIT
trap 'exit 130' INT TERM
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

if [ "${BENCH_CH:-1}" = 0 ]; then
    echo "ClickHouse row: skipped (BENCH_CH=0)"
    echo
    exit 0
fi
if [ ! -x "$BASELINE_CH" ] || [ ! -e "$BUILD_TOP/host/dest/clickhouse/clickhouse.la" ]; then
    echo "*** ClickHouse row SKIPPED: built without libcurl (install libcurl4-openssl-dev) ***"
    echo
    exit 0
fi
CHDIR=$(mktemp -d "${TMPDIR:-/tmp}/connector-host-ch.XXXXXX")
if ! port=$(sh "$CHSERVER" start "$CHDIR" 2>"$DIR/ch.err"); then
    echo "*** ClickHouse row SKIPPED: $(tail -n 1 "$DIR/ch.err") ***"
    echo
    exit 0
fi
url="http://127.0.0.1:$port"
q() { curl -sS --fail "$url/" --data-binary "$1"; }
echo "ClickHouse $(q 'SELECT version()') (throwaway server, HTTP on 127.0.0.1): ReplacingMergeTree," \
    "state row per commit"
echo "baseline: libcurl, per commit one INSERT of the new rows (changed rows read with FINAL first)," \
    "then the state row"
printf '%-10s %11s %13s %13s %8s %12s %12s\n' N operations "host ops/s" "base ops/s" ratio \
    "host RSS" "base RSS"
for n in $SIZES; do
    ops=$((n + n / 2 + n / 3))
    for f in host.t base.t host.m base.m; do : >"$DIR/$f"; done
    i=0
    while [ "$i" -lt "$REPEAT" ]; do
        for who in $([ $((i % 2)) -eq 0 ] && echo "host base" || echo "base host"); do
            if [ "$who" = host ]; then
                q "DROP DATABASE IF EXISTS bench_host" >/dev/null
                rm -rf "$DIR/w" && mkdir -p "$DIR/w"
                printf '{"n":"%s"}\n' "$n" >"$DIR/w/configuration.json"
                "$MEASURE" "$HOST" run bulk --plugin-dir "$PLUGINS" --working-dir "$DIR/w" \
                    --destination "clickhouse://default@127.0.0.1:$port/bench_host" \
                    --log-level WARNING >"$DIR/host.out" 2>"$DIR/host.err" ||
                    { cat "$DIR/host.err" >&2; exit 1; }
                line=$(tail -n 1 "$DIR/host.out")
                got=$(q "SELECT count(), sum(_fivetran_deleted), countIf(val_1 = 'abc') FROM bench_host.three FINAL" | tr '\t' ' ')
                [ "$got" = "$n $((n / 3)) $((n / 2))" ] || {
                    echo "bench: the host's ClickHouse table has rows, deleted, 'abc' = $got," \
                        "not $n $((n / 3)) $((n / 2))" >&2
                    exit 1
                }
            else
                q "DROP DATABASE IF EXISTS bench_base" >/dev/null
                line=$("$MEASURE" "$BASELINE_CH" "$n" bench_base "$url" | tail -n 1)
                "$BASELINE_CH" --verify "$n" bench_base "$url"
            fi
            echo "$line" | cut -d' ' -f1 >>"$DIR/$who.t"
            echo "$line" | cut -d' ' -f2 >>"$DIR/$who.m"
        done
        i=$((i + 1))
    done
    awk -v n="$n" -v ops="$ops" -v ht="$(median <"$DIR/host.t")" -v bt="$(median <"$DIR/base.t")" \
        -v hm="$(sort -g "$DIR/host.m" | tail -n 1)" -v bm="$(sort -g "$DIR/base.m" | tail -n 1)" 'BEGIN {
        printf "%-10d %11d %13.0f %13.0f %7.3fx %9.1f MB %9.1f MB\n",
            n, ops, ops / ht, ops / bt, bt / ht, hm / 1024, bm / 1024 }'
done
echo "(ratio = host ops/s / baseline ops/s, median of $REPEAT runs in alternating order;" \
    "RSS = the client's peak, not the server's)"
echo

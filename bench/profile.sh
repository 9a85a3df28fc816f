#!/bin/sh
# profile.sh - the benchmark's profile mode (`make bench-profile`, or BENCH_PROFILE=1 with
# `make bench`): the bulk workload's instructions per operation under callgrind, for the host
# and for the plain SQLite baseline, split by where they run: the host's own code, the
# connector, SQLite, libc and the rest. Instructions, not seconds: the same on a busy machine.
#
# BENCH_PROFILE_N  rows (default 100000)
set -eu
: "${BUILD_TOP:?run through make bench-profile}"
N=${BENCH_PROFILE_N:-100000}
OPS=$((N + N / 2 + N / 3))
DIR=$(mktemp -d "${TMPDIR:-/tmp}/connector-host-profile.XXXXXX")
trap 'rm -rf "$DIR"' EXIT
command -v valgrind >/dev/null || { echo "profile: valgrind is not installed; skipped"; exit 0; }

# split FILE: instructions per operation by object, the objects named as below. Read from the
# callgrind file itself: each function's own cost lines belong to the object it is in (ob=), code
# inlined from a header included; the line after a calls= line is the callee's, so it is skipped.
split() {
    awk -v ops="$OPS" '
    /^ob=/ { obj = substr($0, 4); sub(/.*\//, "", obj); next }
    /^calls=/ { callee = 1; next }
    /^[0-9+*-]/ {
        if (callee) { callee = 0; next }
        n = $NF
        if (obj == "connector-host") k = "host"
        else if (obj ~ /^libsqlite3/) k = "SQLite"
        else if (obj ~ /^libc\.so/) k = "libc"
        else if (obj == "bulk.so" || obj == "baseline") k = "connector"
        else k = "other"
        by[k] += n; total += n
    }
    END {
        printf "%9.0f %9.0f %9.0f %9.0f %9.0f %9.0f\n", total / ops, by["host"] / ops,
            by["connector"] / ops, by["SQLite"] / ops, by["libc"] / ops, by["other"] / ops
    }' "$1"
}

mkdir -p "$DIR/w"
printf '{"n":"%s","seed":"1"}\n' "$N" >"$DIR/w/configuration.json"
valgrind --tool=callgrind --dump-line=no --compress-strings=no --callgrind-out-file="$DIR/host.cg" "$BUILD_TOP/connector-host" run bulk \
    --plugin-dir "$BUILD_TOP/bench/.libs" --working-dir "$DIR/w" --log-level WARNING \
    >/dev/null 2>"$DIR/host.err" || { cat "$DIR/host.err" >&2; exit 1; }
valgrind --tool=callgrind --dump-line=no --compress-strings=no --callgrind-out-file="$DIR/base.cg" "$BUILD_TOP/bench/baseline" "$N" \
    "$DIR/base.db" 1 >/dev/null 2>"$DIR/base.err" || { cat "$DIR/base.err" >&2; exit 1; }
echo "profile (callgrind, N=$N, $OPS operations): instructions per operation"
printf '%-9s %9s %9s %9s %9s %9s %9s\n' program total host connector SQLite libc other
printf '%-9s %s\n' host "$(split "$DIR/host.cg")"
printf '%-9s %s\n' baseline "$(split "$DIR/base.cg")"
echo "(host: connector-host's own code, both threads; connector: bench/bulk.c, or the baseline's"
echo "own loop; other: the dynamic loader, libuuid, yajl, libltdl)"
echo "the host's own functions above 20 instructions per operation:"
callgrind_annotate --auto=no --threshold=100 "$DIR/host.cg" 2>/dev/null | awk -v ops="$OPS" '
    /\[.*connector-host\]/ || (!/\[/ && / [^ ]*host\/[^ ]*:/) { n = $1; gsub(",", "", n); f = $0; sub(/^ *[0-9,]+ *(\([ 0-9.%]+\))? */, "", f)
        sub(/ \[.*/, "", f); sub(/.*\/host\//, "host/", f); sub(/^\?\?\?:/, "", f)
        if (n / ops > 20) printf "%9.0f  %s\n", n / ops, f }'

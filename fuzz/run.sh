#!/usr/bin/env bash
# fuzz/run.sh - build the libFuzzer targets and run each for a while.
#
# Usage, from the repository root:
#   FUZZ_SECONDS=600 bash fuzz/run.sh            # all targets, 10 minutes each
#   bash fuzz/run.sh value state                 # only some targets
#
# Environment:
#   FUZZ_SECONDS  seconds per target (default 60)
#   FUZZ_BUILD    build and work directory (default fuzz/build; it gets a
#                 .gitignore of its own, so git does not see it)
#   FUZZ_JOBS     targets run at the same time (default 1)
#   FUZZ_ALLOW    invariant ids to tolerate (known bugs), see fuzz/README.md
#   FUZZ_FLAGS    extra libFuzzer flags, e.g. "-max_len=8192"
#   FUZZ_REGRESSIONS  0: skip the regression inputs
#   FUZZ_FRESH    1: start from the seeds alone, dropping the working corpus
#                 that earlier runs grew (kept by default)
#   CC            compiler (default clang)
#
# The seeds in fuzz/corpus/TARGET are copied to BUILD/corpus/TARGET and the
# fuzzer works on the copy, so the repository's seeds stay as they are.
# The working corpus grows from run to run. The regression inputs in
# fuzz/regressions/TARGET are run first. Crashes go to BUILD/crashes/TARGET,
# logs to BUILD/logs/TARGET.log.
# Exit status: 0 no target found a problem; 1 a target crashed or a
# regression input still fails; 2 build or usage error.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
seconds=${FUZZ_SECONDS:-60}
build=${FUZZ_BUILD:-$here/build}
jobs=${FUZZ_JOBS:-1}
cc=${CC:-clang}
all_targets="config state value"

case $seconds in '' | *[!0-9]*) echo "run.sh: FUZZ_SECONDS must be a number" >&2; exit 2 ;; esac
case $jobs in '' | *[!0-9]* | 0) echo "run.sh: FUZZ_JOBS must be a positive number" >&2; exit 2 ;; esac

targets=()
if [ $# -eq 0 ]; then
    read -r -a targets <<<"$all_targets"
else
    targets=("$@")
fi
for t in "${targets[@]}"; do
    case " $all_targets " in
    *" $t "*) ;;
    *) echo "run.sh: unknown target '$t' (known: $all_targets)" >&2; exit 2 ;;
    esac
done

command -v "$cc" >/dev/null 2>&1 || {
    echo "run.sh: $cc not found (apt-get install clang libclang-rt-14-dev)" >&2
    exit 2
}
if yajl_flags=$(pkg-config --cflags --libs yajl 2>/dev/null); then
    read -r -a yajl <<<"$yajl_flags"
else
    yajl=(-lyajl)
fi

mkdir -p "$build/bin" "$build/logs" "$build/corpus" "$build/crashes"
build=$(cd "$build" && pwd)
[ -e "$build/.gitignore" ] || printf '*\n' >"$build/.gitignore"

# shellcheck disable=SC2054
cflags=(-std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
    -I "$root/include" -I "$root/host" -I "$here")
h=$root/host

for t in "${targets[@]}"; do
    case $t in
    config) srcs=("$h/sync/config.c" "$h/base/json.c" "$h/base/error.c" "$h/base/utf8.c" "$h/contract/formats.c" "$h/contract/types.c") ;;
    state) srcs=("$h/sync/state.c" "$h/base/json.c" "$h/base/error.c" "$h/base/utf8.c" "$h/contract/formats.c" "$h/contract/types.c") ;;
    value) srcs=("$h/contract/value.c" "$h/contract/formats.c" "$h/contract/types.c" "$h/base/error.c" "$h/base/utf8.c") ;;
    esac
    echo "build fuzz_$t"
    if ! "$cc" "${cflags[@]}" -o "$build/bin/fuzz_$t" "$here/fuzz_$t.c" "${srcs[@]}" "${yajl[@]}" \
        >"$build/logs/build_$t.log" 2>&1; then
        cat "$build/logs/build_$t.log" >&2
        echo "run.sh: building fuzz_$t failed" >&2
        exit 2
    fi
done

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# The first line of a log that says what went wrong.
first_problem() {
    grep -a -m 1 -E 'INVARIANT VIOLATED|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error' \
        "$1" | cut -c1-160 || true
}

status=0

# Known reproducers first, one at a time: each should pass once its bug is
# fixed. They run with a 512 KiB stack, so that the stack-exhaustion
# reproducer stays small (the same input nested deeper crashes with 8 MiB).
for t in "${targets[@]}"; do
    dir=$here/regressions/$t
    [ "${FUZZ_REGRESSIONS:-1}" != 0 ] || continue
    [ -d "$dir" ] || continue
    pass=0
    for f in "$dir"/*; do
        [ -f "$f" ] || continue
        rlog=$build/logs/regression_${t}_$(basename "$f").log
        # Not exec'd, so that bash's "Aborted" notice goes to the log too.
        if (ulimit -s 512 2>/dev/null || true; "$build/bin/fuzz_$t" -runs=0 "$f" && exit 0; exit 1) \
            >"$rlog" 2>&1; then
            pass=$((pass + 1))
        else
            what=$(first_problem "$rlog")
            echo "fuzz_$t: regression $(basename "$f") FAILS: ${what:-see $rlog}"
            status=1
        fi
    done
    echo "fuzz_$t: $pass regression input(s) pass"
done

run_one() {
    local t=$1 work crashes log
    work=$build/corpus/$t
    crashes=$build/crashes/$t
    log=$build/logs/$t.log
    [ "${FUZZ_FRESH:-0}" = 0 ] || rm -rf "$work"
    mkdir -p "$work" "$crashes"
    if [ -d "$here/corpus/$t" ]; then
        cp -R "$here/corpus/$t"/. "$work"/
    fi
    local flags=()
    [ -z "${FUZZ_FLAGS:-}" ] || read -r -a flags <<<"$FUZZ_FLAGS"
    "$build/bin/fuzz_$t" -max_total_time="$seconds" -print_final_stats=1 \
        -artifact_prefix="$crashes/" ${flags[@]+"${flags[@]}"} "$work" >"$log" 2>&1
}

summary() {
    local t=$1 rc=$2 log execs cov ft first units artifact what result
    log=$build/logs/$t.log
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1) || true
    cov=$(grep -aEo 'cov: [0-9]+' "$log" | tail -n 1 | cut -d' ' -f2) || true
    ft=$(grep -aEo 'ft: [0-9]+' "$log" | tail -n 1 | cut -d' ' -f2) || true
    first=$(grep -aEo 'INITED cov: [0-9]+' "$log" | head -n 1 | grep -Eo '[0-9]+$') || true
    units=$(find "$build/corpus/$t" -type f | wc -l | tr -d ' ') || true
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1) || true
    what=$(first_problem "$log")
    if [ "$rc" -eq 0 ]; then
        result=ok
    else
        result="CRASH (exit $rc): ${what:-see log}; input ${artifact:-?}"
    fi
    echo "fuzz_$t: $result; ${execs:-?} execs in ${seconds}s," \
        "coverage ${first:-?} -> ${cov:-?} edges (+$((${cov:-0} - ${first:-0}))), ${ft:-?} features," \
        "corpus $units files; log $log"
}

# Run in batches of FUZZ_JOBS targets.
i=0
while [ "$i" -lt "${#targets[@]}" ]; do
    batch=()
    pids=()
    while [ "$i" -lt "${#targets[@]}" ] && [ "${#batch[@]}" -lt "$jobs" ]; do
        run_one "${targets[$i]}" &
        pids+=("$!")
        batch+=("${targets[$i]}")
        i=$((i + 1))
    done
    for k in "${!pids[@]}"; do
        rc=0
        wait "${pids[$k]}" || rc=$?
        summary "${batch[$k]}" "$rc"
        [ "$rc" -eq 0 ] || status=1
    done
done

exit $status

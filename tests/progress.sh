# progress.sh - a long sync shows its progress on standard error, never on standard output: on a
# terminal (a pseudo-terminal made by util-linux's script) one line redrawn in place, cut to the
# terminal's width, erased before every log line and before the summary; elsewhere an INFO line
# every interval; nothing with --progress none, --quiet or a log level above INFO.
# The workload connector sleeps 10 ms per operation, so a run of N operations lasts at least
# N/100 s, many times the interval; no test asserts how long anything took.
. "$TESTS_SRCDIR/lib.sh"

P="--plugin-dir $TEST_PLUGINS"
N=200
EVERY=50
printf '{"n": "%s", "every": "%s", "sleep_us": "10000"}\n' "$N" "$EVERY" >"$TMP/slow.json"
# slow ARGS...: the slow workload in a fresh working directory, progress every 0.2 s.
slow() {
    W=$(newdir "w$tap_n.$$.$RANDOM")
    host run workload $P --working-dir "$W" --configuration "$TMP/slow.json" --progress-interval 0.2 "$@"
}
# progress_lines: the text log's progress lines, from "progress: " on.
progress_lines() { printf '%s\n' "$err" | sed -n 's/^.* INFO    \[host\] progress: //p'; }
# ops_of: the operation counts of progress lines on stdin, one a line.
ops_of() { sed -n 's/^\([0-9][0-9]*\) ops .*/\1/p'; }
LINE='^[0-9]+ ops \([0-9]+/s\), [01] tables?, (no checkpoint yet|last checkpoint [0-9.]+ s ago), [0-9.]+ s elapsed'

# ---- not a terminal: INFO lines --------------------------------------------------------------
slow
is "$rc" 0 "a slow sync with standard error in a file exits 0"
lines=$(progress_lines)
n=$(printf '%s\n' "$lines" | grep -c .)
[ "$n" -ge 1 ] && pass "auto, not a terminal: INFO progress lines in the log ($n)" ||
    fail "auto, not a terminal: INFO progress lines in the log" "log: $(printf '%s' "$err" | head -c 1500)"
bad=$(printf '%s\n' "$lines" | grep -Ev "$LINE")
is "$bad" "" "each says operations, rate, tables, last checkpoint and elapsed time"
is "$(printf '%s\n' "$lines" | ops_of | sort -n -c 2>&1 && echo sorted)" "sorted" "the operation counts never go down"
is "$(printf '%s\n' "$lines" | ops_of | awk -v n="$N" '$1 > n')" "" "and never exceed the $N operations sent"
# the checkpoint after operation EVERY is committed before operation EVERY + 1 is counted
is "$(printf '%s\n' "$lines" | awk -v e="$EVERY" '$1 > e && /no checkpoint yet/')" "" \
    "a line counting operations past the first checkpoint names the last checkpoint"
unlike "$out" "progress" "nothing of it on standard output"
like "$out" "SYNC SUCCEEDED" "the summary is on standard output"

slow --progress log --log-format json
is "$rc" 0 "--progress log --log-format json exits 0"
json_lines=$(printf '%s\n' "$err" | grep '"message":"progress: ')
[ -n "$json_lines" ] && pass "JSON log: progress lines" || fail "JSON log: progress lines" "log: $(printf '%s' "$err" | head -c 1500)"
is "$(printf '%s\n' "$json_lines" | grep -vc '^{"level":"INFO","message":"progress: [0-9]* ops .*","source":"host","time":"[^"]*"}$')" 0 \
    "JSON log: each is an INFO object from the host"
is "$(printf '%s\n' "$err" | while IFS= read -r l; do "$SQLITE3" :memory: "select json_valid('$(printf '%s' "$l" | sed "s/'/''/g")')"; done | sort -u)" 1 \
    "JSON log: every line of standard error is still one JSON object"

for off in "--progress none" "--quiet" "--log-level WARNING"; do
    slow $off
    is "$rc" 0 "$off: exits 0"
    unlike "$err" "progress:" "$off: no progress line"
done
slow --progress tty --quiet
unlike "$err$out" " ops (" "--quiet after --progress tty: the last one wins, no progress"

# jsonl:- owns standard output: progress stays off it, and off the stream.
slow --destination jsonl:-
is "$rc" 0 "into jsonl:-: exits 0"
is "$(printf '%s\n' "$out" | grep -vc '^{"op":')" 0 "into jsonl:-: standard output is the stream alone"
like "$err" "progress: " "into jsonl:-: the progress lines are in the log, on standard error"

# ---- a terminal: one line, redrawn, erased --------------------------------------------------
if ! command -v script >/dev/null 2>&1; then
    for c in "exits 0" "draws" "fits" "erased before log lines" "stdout clean" "summary" \
        "no log lines: exits 0" "no log lines: draws" "no log lines: erased before the summary"; do
        pass "terminal: $c # SKIP util-linux's script is not installed"
    done
else
    # tty_run ARGS...: the slow sync with standard error on a pseudo-terminal 60 columns wide
    # and standard output in a file; sets tty_rc and tty_report.
    # Its terminal's bytes are split at each carriage return: a drawn line is a record that
    # starts with the connector's name and ends with ESC[K (clear to the end of the line), and
    # the next record must start with ESC[K (the erase before a log line, or the last one) or
    # be the next draw: a log line written straight after a drawn one would end that record.
    # The report: draws, draws not ending in ESC[K, draws wider than 59 columns, draws followed
    # by anything else, and 1 when the last record is a draw (it was never erased).
    tty_run() {
        W=$(newdir "tty$tap_n")
        script -qec "stty cols 60; '$HOST' run workload $P --working-dir '$W' \
            --configuration '$TMP/slow.json' --progress-interval 0.2 $* >'$TMP/tty.stdout'; \
            echo \"rc=\$?\" >'$TMP/tty.rc'" /dev/null >"$TMP/tty.out" 2>&1 </dev/null
        tty_rc=$(cat "$TMP/tty.rc")
        # shellcheck disable=SC2016
        tty_report=$(awk 'BEGIN { RS = "\r"; esc = sprintf("%c[K", 27) }
            { if (drawn && index($0, esc) != 1 && index($0, "workload: ") != 1) after++
              drawn = 0 }
            index($0, "workload: ") == 1 {
                draws++; drawn = 1
                if (substr($0, length($0) - 2) != esc) unended++
                if (length($0) - 3 > 59) wide++
            }
            END { print draws + 0, unended + 0, wide + 0, after + 0, drawn + 0 }' "$TMP/tty.out")
    }
    # With every log line at INFO and a warning every few operations, log lines and the
    # progress line take turns.
    tty_run
    is "$tty_rc" "rc=0" "terminal: the sync exits 0"
    set -- $tty_report
    [ "$1" -ge 1 ] && pass "terminal: the progress line is drawn ($1 times)" ||
        fail "terminal: the progress line is drawn" "terminal: $(cat -v "$TMP/tty.out" | head -c 1500)"
    is "$2 $3" "0 0" "terminal: each drawn line clears what is left after it and fits 59 of 60 columns"
    is "$4" 0 "terminal: a log line never starts in a drawn line (it is erased first)"
    is "$(grep -c "$(printf '\033')" "$TMP/tty.stdout")" 0 "terminal: no control sequence on standard output"
    like "$(cat "$TMP/tty.stdout")" "SYNC SUCCEEDED" "terminal: the summary is on standard output"
    # With no log line, only the end of the sync can erase the last drawn line.
    tty_run --log-level SEVERE
    is "$tty_rc" "rc=0" "terminal, no log lines: the sync exits 0"
    set -- $tty_report
    [ "$1" -ge 1 ] && pass "terminal, no log lines: the progress line is drawn ($1 times)" ||
        fail "terminal, no log lines: the progress line is drawn" "terminal: $(cat -v "$TMP/tty.out" | head -c 1500)"
    is "$5" 0 "terminal, no log lines: the last drawn line is erased before the summary"
fi

# --progress tty draws the line even when standard error is not a terminal (asked for).
slow --progress tty --log-level WARNING
is "$rc" 0 "--progress tty into a file: exits 0"
like "$err" "$(printf '\rworkload: ')" "--progress tty into a file: the line is drawn there"
unlike "$err" "INFO" "--progress tty: no INFO progress lines as well"

# ---- usage -------------------------------------------------------------------------------------
for bad in "--progress sometimes" "--progress-interval 0" "--progress-interval 0.05" \
    "--progress-interval soon" "--progress-interval 86401"; do
    host run three $bad
    is "$rc" 2 "$bad: bad usage, exit 2"
done
host run three --progress sometimes
like "$err" "unknown progress mode 'sometimes' (auto, tty, log or none)" "an unknown mode is named, with the four there are"
host run three --progress-interval 0
like "$err" "--progress-interval '0' is not a number of seconds from 0.1 to 86400" "a bad interval is named, with the range"
host schema three --progress none
is "$rc" 2 "--progress does not apply to schema"
host run --help
for opt in "--progress MODE" "--progress-interval SECONDS" "--quiet"; do
    like "$out" "$opt" "run --help documents $opt"
done

done_testing

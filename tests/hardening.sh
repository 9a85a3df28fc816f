#!/bin/sh
# hardening.sh - what a hostile user or plugin tried (issue 13), each closed: every case here
# failed on the code before its fix.
. "$TESTS_SRCDIR/lib.sh"

P="--plugin-dir $TEST_PLUGINS"
MARKER=$TEST_PLUGINS/.libs/initmark.so

# ---- a connector name is a name; a path goes to a runtime, never to a plugin file --------------
D=$TMP/plugins
mkdir -p "$D/a/b" "$D/tmp" "$D/sub"
cp "$MARKER" "$D/tmp/evil.so"
cp "$MARKER" "$D/sub/evil2.so"
for name in ../../tmp/evil sub/evil2 .hidden ..; do
    rm -f "$TMP/mark"
    INITMARK=$TMP/mark host run "$name" --plugin-dir "$D/a/b" --plugin-dir "$D" --working-dir "$TMP"
    is "$rc" 2 "run '$name': bad usage"
    matches "$err" "(No such file or directory|no runtime claims it)" "run '$name': a path, for a runtime, not a plugin name"
    [ ! -e "$TMP/mark" ] && pass "run '$name': no plugin was loaded" || fail "run '$name': no plugin was loaded"
done
INITMARK=$TMP/mark host schema ../../tmp/evil --plugin-dir "$D/a/b"
is "$rc" 2 "schema with a path for a name: bad usage"
[ ! -e "$TMP/mark" ] && pass "schema: no plugin was loaded" || fail "schema: no plugin was loaded"
long=$(printf '%0200d' 0)
host run "x$long" --working-dir "$TMP"
is "$rc" 2 "a 201-character name: bad usage"
like "$err" "is not valid" "a 201-character name is refused as a name"
INITMARK=$TMP/mark host run initmark $P --working-dir "$TMP"
is "$rc" 0 "a real name still runs"
[ -e "$TMP/mark" ] && pass "and its plugin was loaded" || fail "and its plugin was loaded"

# ---- state.json: no planted link or FIFO is written through or waited on -------------------
W=$(newdir links)
host run three --working-dir "$W"
is "$rc" 0 "a first sync"
echo victim >"$TMP/victim"
ln -s "$TMP/victim" "$W/files/state.json.tmp"
host run three --working-dir "$W"
is "$rc" 0 "a planted state.json.tmp link: the sync succeeds"
is "$(cat "$TMP/victim")" victim "a planted state.json.tmp link is not written through"
[ -L "$W/files/state.json.tmp" ] && pass "the planted link is left alone" || fail "the planted link is left alone"
is "$(ls "$W/files" | grep -c 'state.json.tmp-')" 0 "no temporary state file is left behind"
mv "$W/files/state.json" "$W/files/state.json.real"
ln -s "$TMP/victim" "$W/files/state.json"
before=$(sql "$W/files/warehouse.db" 'select count(*) from three')
host run three --working-dir "$W"
is "$rc" 1 "state.json as a symbolic link: the sync fails"
like "$err" "state.json is a symbolic link, not a regular file; remove it" "state.json as a link: said"
is "$(cat "$TMP/victim")" victim "state.json as a link: its target is untouched"
is "$(sql "$W/files/warehouse.db" 'select count(*) from three')" "$before" "state.json as a link: nothing was synced"
rm "$W/files/state.json"
mkfifo "$W/files/state.json"
timeout 20 "$HOST" run three --working-dir "$W" >"$TMP/out" 2>"$TMP/err"
rc=$?
is "$rc" 1 "state.json as a FIFO: the sync fails at once, it does not wait"
like "$(cat "$TMP/err")" "state.json is a FIFO, not a regular file; remove it" "state.json as a FIFO: said"
timeout 20 "$HOST" run three --working-dir "$W" --destination "jsonl:$TMP/s.jsonl" >"$TMP/out" 2>"$TMP/err"
rc=$?
is "$rc" 1 "state.json as a FIFO, jsonl destination: fails at once"
like "$(cat "$TMP/err")" "is a FIFO, not a regular file" "state.json as a FIFO, jsonl destination: said"
rm "$W/files/state.json"
mv "$W/files/state.json.real" "$W/files/state.json"
host run three --working-dir "$W"
is "$rc" 0 "with state.json a file again, the sync succeeds"

# ---- a checkpoint with nothing to commit costs no transaction --------------------------------
# Every fsync of the warehouse fails (iofault): only a sync that commits nothing can succeed.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
W=$(newdir noop)
host run initmark $P --working-dir "$W"
is "$rc" 0 "initmark: a first sync"
IOFAULT_PATH=warehouse.db IOFAULT_SYNC_ERRNO=5 LD_PRELOAD="$IOFAULT" \
    host run initmark $P --working-dir "$W" --configuration "$(conf '{"checkpoints":"2000"}')"
is "$rc" 0 "2000 checkpoints with no operation and the same state: no fsync, the sync succeeds"
is "$(printf '%s\n' "$out" | awk '$1 == "total" { print $(NF - 2) }')" 2000 "and each is counted"
IOFAULT_PATH=warehouse.db IOFAULT_SYNC_ERRNO=5 LD_PRELOAD="$IOFAULT" \
    host run initmark $P --working-dir "$W" --configuration "$(conf '{"state_bytes":"3"}')"
is "$rc" 1 "a checkpoint with a new state still commits (and here its fsync fails)"

# ---- a large state is not logged whole --------------------------------------------------------
W=$(newdir bigstate)
host run initmark $P --working-dir "$W" --configuration "$(conf '{"state_bytes":"100000"}')"
is "$rc" 0 "a 100 kB state is committed"
host run initmark $P --working-dir "$W" --configuration "$(conf '{"state_bytes":"100000"}')" --log-level FINE
is "$rc" 0 "the next sync starts from it"
like "$err" "into sqlite:$W/files/warehouse.db, state of 100010 bytes" "INFO gives the state's size"
like "$err" "... (100010 bytes)" "FINE gives the state cut, with its size"
[ "${#err}" -lt 20000 ] && pass "the log stays small (${#err} bytes)" || fail "the log stays small (${#err} bytes)"
host run three --working-dir "$W"
like "$err" "state {}" "a short state is still shown at INFO"

# ---- a PostgreSQL parameter given twice is refused, not guessed at --------------------------
for q in 'schema=a&schema=b' 'sslmode=disable&schema=a&sslmode=require' 'password=one&password=two'; do
    host run three --working-dir "$TMP" --destination "postgresql://u:pw@h/db?$q"
    is "$rc" 2 "'$q': bad usage"
    like "$err" "is given twice; give it once" "'$q': the repeated parameter is named"
    unlike "$err" "one" "'$q': no password in the message"
done
host run three --working-dir "$TMP" --destination "postgresql://u@h/db?schema=a&schemata=b"
unlike "$err" "given twice" "two different parameters are not a repetition"

# ---- a configuration.json saved with a UTF-8 byte-order mark ----------------------------------
W=$(newdir bom)
printf '\357\273\277{"checkpoints": "3"}\n' >"$W/configuration.json"
host run initmark $P --working-dir "$W"
is "$rc" 0 "a configuration with a byte-order mark is read"
is "$(printf '%s\n' "$out" | awk '$1 == "total" { print $(NF - 2) }')" 3 "and its values are used"
printf '\357\273\277{"checkpoints": 3}\n' >"$W/configuration.json"
host run initmark $P --working-dir "$W"
is "$rc" 2 "after the mark, the JSON is still checked"
like "$err" "configuration.json:1:" "and positions are still given"

# ---- a connector's message cannot forge a line of the log or the summary ---------------------
W=$(newdir forge)
conf '{"log": "hello\n2099-01-01T00:00:00.000Z SEVERE  [host] FORGED\rback", "fail": "bad\nSYNC SUCCEEDED"}' >/dev/null
host run initmark $P --working-dir "$W" --configuration "$TMP/conf.json"
is "$rc" 1 "the forging connector fails"
is "$(printf '%s\n' "$err" | grep -c '^2099-')" 0 "no log line starts with the forged timestamp"
like "$err" "[connector:initmark] hello
    2099-01-01T00:00:00.000Z SEVERE  [host] FORGED\x0dback" "the message continues on an indented line, the carriage return shown"
is "$(printf '%s\n' "$out" | grep -c '^SYNC SUCCEEDED')" 0 "the summary has no forged SYNC SUCCEEDED line"
like "$out" "SYNC FAILED: bad
    SYNC SUCCEEDED" "the failure reason continues on an indented line"
host run initmark $P --working-dir "$W" --configuration "$TMP/conf.json" --log-format json
like "$err" '"message":"hello\n2099-01-01T00:00:00.000Z SEVERE  [host] FORGED\rback"' "JSON logs keep the message exactly"

# ---- under --log-format json, the crash report is one JSON line --------------------------------
W=$(newdir crashjson)
for c in crash_fpe crash_bus; do
    host run badops $P --working-dir "$W" --configuration "$(conf "{\"case\":\"$c\"}")" --log-format json 2>/dev/null
    last=$(printf '%s\n' "$err" | tail -n 1)
    is "$("$SQLITE3" :memory: "select json_valid('$(printf '%s' "$last" | sed "s/'/''/g")')")" 1 "$c: the report is one JSON line"
    like "$last" '"level":"SEVERE","message":"SYNC FAILED: connector '"'"'badops'"'"' (' "$c: a SEVERE line of the host"
    like "$last" "crashed with SIG" "$c: the signal is named"
    matches "$last" '"time":"20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]\.[0-9]{3}Z"}$' "$c: with the time as logs write it"
    is "$(printf '%s\n' "$err" | grep -vc '^{')" 0 "$c: no line of stderr is plain text"
done

# ---- a NULL sync, or one that has ended, is refused without touching anything -----------------
for c in null_upsert null_update null_delete null_truncate null_checkpoint null_state; do
    W=$(newdir "misuse_$c")
    host run misuse $P --working-dir "$W" --configuration "$(conf "{\"case\":\"$c\"}")"
    is "$rc" 1 "$c: the sync fails, the host does not crash"
    fn=ch_${c#null_}
    [ "$fn" = ch_state ] && fn=ch_state_set
    like "$out" "SYNC FAILED: $fn was called with a NULL sync" "$c: the reason names the function"
    is "$(sql "$W/files/warehouse.db" 'select count(*) from m' 2>/dev/null || echo 0)" 0 "$c: the good upsert before it is not committed"
done
W=$(newdir misuse_atexit)
host run misuse $P --working-dir "$W" --configuration "$(conf '{"case":"atexit"}')"
is "$rc" 0 "a sync pointer used from atexit(): the host exits normally"
like "$out" "SYNC SUCCEEDED" "the sync itself succeeded"
like "$err" "ch_upsert was called after its sync ended; ignored" "the late upsert is refused, and said"
like "$err" "ch_checkpoint was called after its sync ended; ignored" "the late checkpoint is refused, and said"
is "$(sql "$W/files/warehouse.db" 'select group_concat(id) from m')" 1 "the late upsert changed nothing"

# ---- a configuration's keys are bounded, so the duplicate check is too -----------------------
W=$(newdir manykeys)
keys() { awk -v n="$1" 'BEGIN { printf "{"; for (i = 1; i <= n; i++) printf "%s\"k%d\": \"v\"", (i > 1 ? ", " : ""), i; print "}" }'; }
keys 1000 >"$W/configuration.json"
host run initmark $P --working-dir "$W"
is "$rc" 0 "1000 keys are a configuration"
keys 1001 >"$W/configuration.json"
host run initmark $P --working-dir "$W"
is "$rc" 2 "1001 keys are refused"
like "$err" "configuration.json:1:" "with the position of the key too many"
like "$err" "more than 1000 keys; a configuration holds at most 1000" "and the limit"
keys 60000 >"$W/configuration.json"
host run initmark $P --working-dir "$W"
is "$rc" 2 "60,000 keys are refused (at the 1001st, not after comparing them all)"

# ---- every symbol of a plugin is bound when it loads, with the dynamic loader's message -------
W=$(newdir undefsym)
host run undefsym $P --working-dir "$W"
is "$rc" 2 "a plugin with an undefined symbol is refused at load (bad usage), not killed mid-sync"
like "$err" "cannot load plugin:" "the plugin is named as unloadable"
like "$err" "undefined symbol: no_such_function_anywhere" "with the dynamic loader's message"
unlike "$out" "SYNC" "no sync was started"
D=$(newdir depplugins)
printf 'int dep_value(void) { return 0; }\n' >"$TMP/dep.c"
printf '#include <connector-host.h>\nint dep_value(void);\nstatic int update(ch_sync *s, const ch_config *c) { (void)c; return dep_value() ? CH_ERROR : ch_checkpoint(s); }\nstatic const ch_connector d = {.name = "needsdep", .update = update};\nint connector_plugin_init(ch_registry *r) { return CH_REGISTER(r, &d); }\n' >"$TMP/needsdep.c"
if ${CC:-cc} -shared -fPIC -o "$TMP/libdep.so" "$TMP/dep.c" &&
    ${CC:-cc} -shared -fPIC -I"$TESTS_SRCDIR/../include" -o "$D/needsdep.so" "$TMP/needsdep.c" -L"$TMP" -ldep; then
    LD_LIBRARY_PATH=$TMP host run needsdep --plugin-dir "$D" --working-dir "$W"
    is "$rc" 0 "with its library, the plugin runs"
    rm "$TMP/libdep.so"
    host run needsdep --plugin-dir "$D" --working-dir "$W"
    is "$rc" 2 "without its library: bad usage"
    like "$err" "libdep.so: cannot open shared object file" "the missing library is named"
else
    fail "building a plugin with a library of its own"
fi
head -c 4096 /dev/zero | tr '\0' 'j' >"$D/junk.so"
host run junk --plugin-dir "$D" --working-dir "$W"
like "$err" "invalid ELF header" "a junk plugin: the loader says it is not an ELF file"
cp "$TEST_PLUGINS/.libs/initmark.so" "$D/other.so"
printf '\001' | dd of="$D/other.so" bs=1 seek=4 conv=notrunc 2>/dev/null
host run other --plugin-dir "$D" --working-dir "$W"
like "$err" "wrong ELF class" "a plugin for another machine: the loader says so"

# ---- operations from several threads of the connector at once --------------------------------
for writer in 1 0; do
    W=$(newdir "threads_$writer")
    CONNECTOR_HOST_WRITER=$writer host run threads $P --working-dir "$W"
    is "$rc" 0 "writer $writer: four threads upserting and checkpointing at once: the sync succeeds"
    is "$(sql "$W/files/warehouse.db" 'select count(*), count(distinct thread) from t')" "8000|4" "writer $writer: every row of every thread landed"
    is "$(sql "$W/files/warehouse.db" "select json_extract(state, '\$.thread_0') || ',' || json_extract(state, '\$.thread_3000000') from _connector_state")" "2000,2000" "writer $writer: each thread's last state is committed"
done
W=$(newdir threads_pg_like)
host run threads $P --working-dir "$W" --destination "jsonl:$W/out.jsonl" --configuration "$(conf '{"threads":"8","rows":"500"}')"
is "$rc" 0 "eight threads into the jsonl stream: the sync succeeds"
is "$(grep -c '"op":"upsert"' "$W/out.jsonl")" 4000 "every upsert is in the stream once"

# ---- secret configuration values never show, whoever writes them --------------------------------
W=$(newdir secrets)
secret_check() { # DESCRIPTION VALUE: the value is in no output; *** is
    unlike "$out$err" "$2" "$1: the secret is in no output"
    like "$out$err" "***" "$1: it shows as ***"
}
for format in text json; do
    conf '{"api_token": "tok-3141592653", "log": "calling with tok-3141592653", "fail": "401 for token tok-3141592653"}' >/dev/null
    host run initmark $P --working-dir "$W" --configuration "$TMP/conf.json" --log-format $format
    is "$rc" 1 "$format: the connector fails"
    secret_check "$format: a key named like a token, in a connector's log line and its failure" tok-3141592653
    conf '{"shhh": "plainly-named-9", "row": "plainly-named-9"}' >/dev/null
    host run initmark $P --working-dir "$W" --configuration "$TMP/conf.json" --log-format $format
    is "$rc" 1 "$format: the conversion fails"
    secret_check "$format: a key flagged secret, quoted in the host's conversion error" plainly-named-9
    like "$out$err" "column 'n'" "$format: the conversion error is still explained"
done
for key in password db_passwd client-secret API_KEY access_key private_key Credentials authToken; do
    conf "{\"$key\": \"value-of-$key\", \"log\": \"the value is value-of-$key\"}" >/dev/null
    host run initmark $P --working-dir "$W" --configuration "$TMP/conf.json"
    unlike "$err" "value-of-$key" "a key named $key is secret by its name"
done
long=sk_live_$(printf '%0100d' 7 | tr 0 q)
conf "{\"api_key\": \"$long\", \"row\": \"$long\"}" >/dev/null
host run initmark $P --working-dir "$W" --configuration "$TMP/conf.json"
unlike "$out$err" "$(printf '%s' "$long" | cut -c1-12)" "a long secret cut short by the host's quoting shows none of its start"
# A row named by its key in a message: a secret there is hidden too, even cut short by the quoting.
conf '{"api_key": "sk-rowkey-secret-42", "key_row": "sk-rowkey-secret-42"}' >/dev/null
host run initmark $P --working-dir "$W" --configuration "$TMP/conf.json"
is "$rc" 1 "a secret as a row's key: the conversion fails"
like "$out" "SYNC FAILED: upsert on table 'rk', column 'n', operation 1 (key k='***'): STRING value" "a secret as a row's key: the row is named, its key hidden"
unlike "$out$err" "rowkey-secret" "a secret as a row's key: in no output"
pad=$(printf '%050d' 0 | tr 0 p)
conf "{\"api_key\": \"sk-rowkey-cut-4242\", \"key_row\": \"${pad}sk-rowkey-cut-4242\"}" >/dev/null
host run initmark $P --working-dir "$W" --configuration "$TMP/conf.json"
like "$out" "(key k='$pad***'...): STRING value" "a key cut by the host's quoting is still named, its secret hidden"
unlike "$out$err" "sk-rowk" "a secret cut short by the key's quoting shows none of its start"
conf '{"api_key": "abcdefgh", "token": "efgh1234", "log": "abcdefgh1234 and efgh1234"}' >/dev/null
host run initmark $P --working-dir "$W" --configuration "$TMP/conf.json"
unlike "$err" "1234" "overlapping secrets are hidden whole"
conf '{"api_token": "sk-secretvalue-1", "bad_type": "sk-secretvalue-1"}' >/dev/null
host run initmark $P --working-dir "$W" --configuration "$TMP/conf.json"
is "$rc" 1 "a schema handler's error"
unlike "$out$err" "secretvalue" "a schema error that quotes a secret hides it"
conf '{"region": "eu-west-1", "log": "region eu-west-1"}' >/dev/null
host run initmark $P --working-dir "$W" --configuration "$TMP/conf.json"
like "$err" "region eu-west-1" "a key that is not secret is shown"
conf '{"token": "abc", "log": "abc is short"}' >/dev/null
host run initmark $P --working-dir "$W" --configuration "$TMP/conf.json"
like "$err" "abc is short" "a secret of fewer than 4 bytes is not hidden (it would hide the logs)"

# ---- a plugin whose entry point crashes takes down neither list nor a run that scans ----------
D=$(newdir crashdir)
cp "$BUILD_TOP/tests/crashplugins/.libs/initcrash.so" "$D/initcrash.so"
cp "$MARKER" "$D/somefile.so"
host list --plugin-dir "$D"
is "$rc" 0 "list with a crashing plugin beside a good one: exit 0"
like "$out" "initmark" "the good plugin's connector is listed"
like "$err" "initcrash: the plugin crashed while loading" "the crashing plugin is named"
W=$(newdir crashrun)
host run initmark --plugin-dir "$D" --working-dir "$W"
is "$rc" 0 "a run that has to scan the directory still finds its connector"
like "$err" "initcrash: the plugin crashed while loading" "and says which plugin it skipped"
cp "$BUILD_TOP/tests/crashplugins/.libs/initexit.so" "$D/initexit.so"
host list --plugin-dir "$D"
is "$rc" 0 "list with a plugin whose entry point calls exit(): exit 0"
like "$out" "initmark" "the good plugin's connector is still listed"
like "$err" "initexit: the plugin crashed while loading (it ended the process, status 0)" "the exiting plugin is named"

# ---- a reset killed at any instant leaves nothing the next sync trips over ---------------------
# iofault kills the reset (SIGKILL) just before its K-th removal: the WAL, the -shm file, the
# database, state.json, its owner file, the connector's state and store files, then the reset's
# own marker.
for k in 1 2 3 4 5 6 7 8; do
    W=$(newdir "reset_kill_$k")
    host run three --working-dir "$W"
    host run three --working-dir "$W"
    [ -e "$W/files/warehouse.db-wal" ] && pass "kill $k: the warehouse has its WAL" || fail "kill $k: the warehouse has its WAL"
    IOFAULT_PATH="$W/files/" IOFAULT_KILL_AT_UNLINK=$k LD_PRELOAD="$IOFAULT" host reset --working-dir "$W"
    is "$rc" 137 "kill $k: the reset was killed"
    if [ "$k" = 2 ]; then
        host run three --working-dir "$W" --dry-run
        is "$rc" 1 "kill $k: a dry run refuses the half-reset directory"
        like "$out" "a reset was interrupted; run \`connector-host reset\` to finish it" "kill $k: and says how to finish it"
    fi
    host run three --working-dir "$W"
    is "$rc" 0 "kill $k: the next sync succeeds"
    like "$err" "was interrupted; finished it" "kill $k: it finished the reset first"
    is "$(sql "$W/files/warehouse.db" 'select count(*) from three; pragma integrity_check')" "3
ok" "kill $k: the warehouse is whole and fresh: this sync's 3 rows"
    [ ! -e "$W/files/.reset" ] && pass "kill $k: no marker is left" || fail "kill $k: no marker is left"
    like "$err" "no state stored for connector 'three': starting fresh" "kill $k: the sync starts from no state"
    is "$(ls "$W/files/state")" "three.json
three.store" "kill $k: the state directory holds the new sync's files alone"
done
W=$(newdir reset_again)
host run three --working-dir "$W"
IOFAULT_PATH="$W/files/" IOFAULT_KILL_AT_UNLINK=3 LD_PRELOAD="$IOFAULT" host reset --working-dir "$W"
host reset --working-dir "$W"
is "$rc" 0 "a reset after a killed one finishes it"
like "$out" "removed $W/files/warehouse.db" "and removes what was left"
[ ! -e "$W/files/.reset" ] && pass "and its marker" || fail "and its marker"

# ---- a long message keeps its cause -------------------------------------------------------------
W=$(newdir wide)
host run initmark $P --working-dir "$W" --configuration "$(conf '{"wide": "10000"}')"
is "$rc" 1 "a table of 10,000 columns is refused by SQLite"
like "$out" "too many columns on wide" "SQLite's reason is in the message, not cut off by the echoed statement"
like "$out" "... (" "the statement is echoed cut short, with its length"
[ "$(printf '%s\n' "$out" | grep 'SYNC FAILED' | wc -c)" -lt 1100 ] && pass "the failure line stays short" || fail "the failure line stays short"

# ---- one state file per connector: one connector never starts from another's ---------------
W=$(newdir owners)
host run three --working-dir "$W"
is "$(cat "$W/files/state.json.connector")" three "state.json is recorded as three's"
three_state=$(sql "$W/files/warehouse.db" "select state from _connector_state where connector = 'three'")
is "$(cat "$W/files/state/three.json")" "$three_state" "three's state file holds its state"
host run initmark $P --working-dir "$W" --destination "jsonl:$TMP/o.jsonl" --configuration "$(conf '{"state_bytes":"3"}')"
is "$rc" 0 "another connector into jsonl, in the same working directory: exit 0"
like "$err" "into jsonl:$TMP/o.jsonl, state {}" "it starts from the empty state, not three's"
unlike "$err" "WARNING" "and has nothing to warn of"
is "$(cat "$W/files/state/initmark.json")" '{"big":"xxx"}' "its checkpoint went to its own state file"
is "$(cat "$W/files/state.json")" "$three_state" "state.json is still three's"
is "$(cat "$W/files/state.json.connector")" three "and still recorded as three's"
host run three --working-dir "$W"
is "$rc" 0 "three again, into its warehouse"
unlike "$err" "WARNING" "three has nothing to warn of either"
like "$err" "state $three_state" "and starts from its own state"
host run initmark $P --working-dir "$W" --destination "jsonl:$TMP/o.jsonl"
like "$err" 'state {"big":"xxx"}' "initmark starts from its own state, kept beside three's"
rm "$W/files/state.json.connector"
host run initmark $P --working-dir "$W" --destination "jsonl:$TMP/o.jsonl" --configuration "$(conf '{"state_bytes":"4"}')"
like "$err" "names no connector in $W/files/state.json.connector" "a state.json that names no connector is not used, and said"
like "$err" 'state {"big":"xxx"}' "and initmark starts from its own state file"
is "$(cat "$W/files/state.json")" '{"big":"xxxx"}' "its checkpoint replaced the state.json that named nobody"
is "$(cat "$W/files/state.json.connector")" initmark "a state.json that names nobody is claimed by the next connector's checkpoint"
printf '{"hand":"made"}' >"$W/files/state.json"
host run initmark $P --working-dir "$W" --destination "jsonl:$TMP/o.jsonl"
like "$err" 'state {"hand":"made"}' "once initmark's, a hand-made state.json is used by a jsonl run"
like "$err" "$W/files/state.json is the newer" "and the warning says why"
host run three --working-dir "$W" --destination "jsonl:$TMP/o.jsonl"
like "$err" "state $(sql "$W/files/warehouse.db" "select state from _connector_state where connector = 'three'")" "three into jsonl starts from its warehouse's state, not from state.json"

done_testing

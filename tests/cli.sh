# cli.sh - help, version and usage errors.
. "$TESTS_SRCDIR/lib.sh"

host --help
is "$rc" 0 "--help exits 0"
like "$out" "run NAME" "--help lists run"
like "$out" "CONNECTOR_PLUGIN_PATH" "--help explains the plugin search path"
like "$out" "Exit status: 0 success; 1 the sync failed; 2 bad usage" "--help states exit statuses"

host --version
is "$rc" 0 "--version exits 0"
matches "$out" '^connector-host [0-9]+\.[0-9]+\.[0-9]+ \(plugin ABI version 1\)$' "--version prints version and ABI"

for cmd in run list schema state reset; do
    host "$cmd" --help
    is "$rc" 0 "$cmd --help exits 0"
    like "$out" "connector-host $cmd" "$cmd --help shows its usage"
done

host
is "$rc" 2 "no command: exit 2"
host frobnicate
is "$rc" 2 "unknown command: exit 2"
like "$err" "unknown command 'frobnicate'" "unknown command named"
host run
is "$rc" 2 "run without a name: exit 2"
like "$err" "missing connector name" "missing name said"
host run three --bogus
is "$rc" 2 "unknown option: exit 2"
like "$err" "unknown option '--bogus'" "unknown option named"
host run three --log-level LOUD
is "$rc" 2 "bad log level: exit 2"
like "$err" "unknown log level 'LOUD'" "bad level named"
host run three --log-format xml
is "$rc" 2 "bad log format: exit 2"
host run three --working-dir
is "$rc" 2 "option without value: exit 2"
like "$err" "needs a value" "missing value said"
host list --destination sqlite:x.db
is "$rc" 2 "option of another command: exit 2"
like "$err" "does not apply here" "misplaced option said"
host run three extra
is "$rc" 2 "extra argument: exit 2"
host run three --working-dir "$TMP/does-not-exist"
is "$rc" 2 "missing working directory: exit 2 (bad usage)"
like "$err" "does not exist or is not a directory" "missing working directory said"

done_testing

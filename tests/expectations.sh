#!/bin/sh
# expectations.sh - what users expect (issue 17), as far as it is built: an elapsed time without
# float noise in the JSON summary, and a warning for configuration keys a connector does not declare.
. "$TESTS_SRCDIR/lib.sh"

P="--plugin-dir $TEST_PLUGINS"

# ---- elapsed_seconds is written as microseconds, not as a double's noise ----------------------
W=$(newdir elapsed)
host run three --working-dir "$W" --log-format json
is "$rc" 0 "three, JSON summary"
elapsed=$(printf '%s\n' "$out" | grep -o '"elapsed_seconds":[^,}]*' | cut -d: -f2)
matches "$elapsed" '^[0-9]+\.[0-9]{6}$' "elapsed_seconds has six decimals, no float noise ($elapsed)"
is "$("$SQLITE3" :memory: "select json_valid('$(printf '%s\n' "$out" | tail -n 1)')")" 1 "the summary is still valid JSON"

# ---- a key the connector does not declare is probably a typo ----------------------------------
W=$(newdir unknownkeys)
host run initmark $P --working-dir "$W" --configuration "$(conf '{"checkponts": "3"}')"
is "$rc" 0 "a configuration with an undeclared key still syncs"
like "$err" "configuration key 'checkponts' is not one that connector 'initmark' declares (shhh, row, checkpoints," "the key is named, with the declared ones"
host run initmark $P --working-dir "$W" --configuration "$(conf '{"checkpoints": "3"}')"
unlike "$err" "is not one that connector" "declared keys give no warning"
host run three --working-dir "$W" --configuration "$(conf '{"anything": "x"}')"
unlike "$err" "is not one that connector" "a connector that declares no keys takes any key"

done_testing

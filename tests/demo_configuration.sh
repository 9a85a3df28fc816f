# demo_configuration.sh - the configuration demo: required keys, and a secret that never leaks.
. "$TESTS_SRCDIR/lib.sh"

SECRET="sk_live_7f3a9c1e5b2d4086"
W=$(newdir w)
DB="$W/files/warehouse.db"
# cfg NAME JSON: a configuration file outside the working directory, so the leak checks below
# can search the whole working directory.
cfg() { printf '%s\n' "$2" >"$TMP/$1.json" && echo "$TMP/$1.json"; }

host schema configuration
keys=$(echo "$out" | tr -d ' \n')
like "$keys" '{"name":"api_key","description":"secretAPItoken,startswithsk_;neverlogged","required":true}' "schema: api_key is required"
like "$keys" '{"name":"region","description":"APIregion:us,euorap","required":true}' "schema: region is required"
like "$keys" '{"name":"base_url","description":"overridestheregion'"'"'sURL,e.g.foratestserver","required":false}' "schema: base_url is optional"

# Missing keys: the host refuses before the sync, naming each key with its description.
host run configuration --working-dir "$W"
is "$rc" 2 "no configuration: exit 2"
like "$err" "connector 'configuration' needs configuration keys missing from its configuration (no configuration.json found): api_key (secret API token, starts with sk_; never logged), region (API region: us, eu or ap)" "both missing keys named"
[ ! -e "$DB" ] && pass "no warehouse is created" || fail "no warehouse is created"
only_key=$(cfg only_key "{\"api_key\": \"$SECRET\"}")
host run configuration --working-dir "$W" --configuration "$only_key"
is "$rc" 2 "region missing: exit 2"
like "$err" "needs configuration keys missing from $only_key: region (API region: us, eu or ap)" "only region named"
unlike "$err" "$SECRET" "the refusal does not show the secret"

# All keys: one row per endpoint, derived from the region.
good=$(cfg good "{\"api_key\": \"$SECRET\", \"region\": \"eu\"}")
host run configuration --working-dir "$W" --configuration "$good" --log-level FINE
is "$rc" 0 "required keys present: exit 0"
matches "$out" '^endpoints +3 +0 +0 +0 +1 +0$' "summary row: 3 upserts"
like "$err" "[connector:configuration] reading region eu from https://api.eu.example.com/v1 (api_key set, not shown)" "the connector logs the region and URL"
is "$(sql "$DB" 'select resource, region, url, authenticated from endpoints order by resource')" \
    "customers|eu|https://api.eu.example.com/v1/customers|1
invoices|eu|https://api.eu.example.com/v1/invoices|1
orders|eu|https://api.eu.example.com/v1/orders|1" "three endpoints derived from the region"
is "$(cat "$W/files/state.json")" "{}" "state stays {}"

# The secret is nowhere: not in logs at any level or format, the summary, state or warehouse.
# The warehouse file is searched as bytes, so a value in a free page would be found too.
grep -q "$SECRET" "$good" && pass "the search finds the secret where it is (the configuration)" ||
    fail "the search finds the secret where it is"
unlike "$out$err" "$SECRET" "the secret is not in the FINE text log or the summary"
unlike "$out$err" "sk_live" "not even its prefix"
host run configuration --working-dir "$W" --configuration "$good" --log-level FINE --log-format json
is "$rc" 0 "JSON log run exits 0"
unlike "$out$err" "$SECRET" "the secret is not in the JSON log or JSON summary"
unlike "$(snapshot "$W")" "$SECRET" "the secret is not in the warehouse dump or state.json"
leaks=$(grep -rl "$SECRET" "$W")
is "$leaks" "" "no file in the working directory holds the secret"

# base_url, optional, overrides the region's URL.
other=$(cfg other "{\"api_key\": \"$SECRET\", \"region\": \"us\", \"base_url\": \"http://localhost:8080\"}")
host run configuration --working-dir "$W" --configuration "$other"
is "$rc" 0 "with base_url: exit 0"
is "$(sql "$DB" "select region || ' ' || url from endpoints where resource = 'orders'")" \
    "us http://localhost:8080/orders" "base_url replaces the region's URL"

# Values the connector checks itself: a clear failure, and still no secret in it.
bad_region=$(cfg bad_region "{\"api_key\": \"$SECRET\", \"region\": \"mars\"}")
host run configuration --working-dir "$W" --configuration "$bad_region"
is "$rc" 1 "unknown region: exit 1"
like "$out" "SYNC FAILED: configuration: region 'mars' is not one of us, eu, ap" "unknown region named"
bad_key=$(cfg bad_key '{"api_key": "pk_wrong_kind_1234", "region": "eu"}')
host run configuration --working-dir "$W" --configuration "$bad_key"
is "$rc" 1 "malformed api_key: exit 1"
like "$out" "SYNC FAILED: configuration: api_key is malformed (it must start with sk_)" "malformed key reported"
unlike "$out$err" "pk_wrong_kind_1234" "the malformed key is not shown"
long_url=$(cfg long_url "{\"api_key\": \"$SECRET\", \"region\": \"eu\", \"base_url\": \"http://$(printf '%0500d' 0)\"}")
host run configuration --working-dir "$W" --configuration "$long_url"
is "$rc" 1 "a base_url too long: exit 1"
like "$out" "SYNC FAILED: configuration: base_url is longer than 500 characters" "refused, not cut"
is "$(sql "$DB" "select count(*) from endpoints where region = 'us'")" 3 "failed syncs leave the last good rows"

# The operation stream through the jsonl destination, against a reviewed golden file.
W=$(newdir jsonl)
host run configuration --working-dir "$W" --configuration "$good" --destination "jsonl:$TMP/configuration.jsonl"
is "$rc" 0 "run into jsonl exits 0"
golden "$TMP/configuration.jsonl" "$TESTS_SRCDIR/golden/configuration.jsonl" "the stream matches tests/golden/configuration.jsonl"
unlike "$(cat "$TMP/configuration.jsonl")" "$SECRET" "the secret is not in the stream"

done_testing

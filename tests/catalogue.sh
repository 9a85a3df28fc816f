# catalogue.sh - the rows of docs/errors.md that the other test scripts leave untested: each
# error's message, its exit status, and that it changed nothing.
#
# Connector errors use tests/plugins/badops (configuration key `case` picks the mistake),
# registration errors tests/plugins/badreg (environment variable BADREG_CASE).
# A check marked TODO is a known host bug: TAP reports it as an expected failure (XFAIL),
# and as an unexpected pass (XPASS, which fails `make check`) once the host is fixed.
. "$TESTS_SRCDIR/lib.sh"

P="--plugin-dir $TEST_PLUGINS"

# todo CHECK ARGS...: runs one check for a known host bug; its failure does not fail the script.
todo() {
    local failed=$tap_failed
    "$@"
    tap_failed=$failed
}

# keep DIR: the working directory whose warehouse and state.json must not change, as it is now.
keep() {
    kept=$1
    before=$(snapshot "$kept")
}
unchanged() { is "$(snapshot "$kept")" "$before" "$1: warehouse and state.json unchanged"; }

# badops DIR CASE [OPTIONS]: one sync of badops in DIR with the configuration {"case": CASE}.
badops() {
    local dir=$1 c=$2
    shift 2
    printf '{"case": "%s"}\n' "$c" >"$TMP/case.json"
    host run badops --working-dir "$dir" $P --configuration "$TMP/case.json" "$@"
}

# refused CASE STATUS REASON [OPTIONS]: badops CASE in $W, with the host's OPTIONS, fails with
# STATUS and REASON, changing nothing.
refused() {
    local c=$1 status=$2 reason=$3
    shift 3
    badops "$W" "$c" "$@"
    is "$rc" "$status" "case $c: exit $status"
    like "$out" "SYNC FAILED: $reason" "case $c: reason"
    unchanged "case $c"
}

# ---- a working directory with one good sync of badops ----------------------------------
W=$(newdir ops)
badops "$W" good
is "$rc" 0 "badops case good: exit 0"
is "$(sql "$W/files/warehouse.db" 'select id, name, i, amount, day, utc from items order by id')" \
    "1|first|7|123.45|2026-02-28|2026-02-28T11:00:00.000000Z
2|second||||" "badops case good: rows written"
keep "$W"

# ---- usage ------------------------------------------------------------------------------
host
is "$rc" 2 "no command: exit 2"
like "$err" "Usage: connector-host COMMAND" "no command: the help goes to standard error"
host run three --log-format xml
like "$err" "connector-host run: unknown log format 'xml' (text or json)" "bad log format named"
host run three extra
like "$err" "connector-host run: unexpected argument 'extra'" "extra argument named"
like "$err" "Try 'connector-host run --help'." "usage errors point to --help"
host schema
is "$rc" 2 "schema without a name: exit 2"
like "$err" "connector-host schema: missing connector name" "schema without a name: said"
host reset --plugin-dir "$TEST_PLUGINS"
is "$rc" 2 "reset --plugin-dir: exit 2"
like "$err" "connector-host reset: option '--plugin-dir' does not apply here" "reset --plugin-dir: said"

# ---- plugins ----------------------------------------------------------------------------
R=$(newdir reg)
host run badreg --working-dir "$R" $P
is "$rc" 0 "badreg without BADREG_CASE: exit 0"
keep "$R"
# badreg_refused CASE MESSAGE: the plugin refuses to register as BADREG_CASE says.
badreg_refused() {
    BADREG_CASE=$1
    export BADREG_CASE
    host run badreg --working-dir "$R" $P
    unset BADREG_CASE
    is "$rc" 2 "registration $1: exit 2"
    like "$err" "$TEST_PLUGINS/badreg: $2" "registration $1: message"
    unchanged "registration $1"
}
badreg_refused null "registration without a connector"
badreg_refused bad_name "connector name 'bad name!' is not valid (use letters, digits, '_' and '-'; a '.' or '/' would make it a path)"
badreg_refused no_name "connector name '(null)' is not valid"
badreg_refused no_update "connector 'badreg' has no update handler"
badreg_refused duplicate "connector 'badreg' is already registered by $TEST_PLUGINS/badreg"
badreg_refused init_error "connector_plugin_init() returned an error (7)"
BADREG_CASE=no_update
export BADREG_CASE
host list $P
unset BADREG_CASE
is "$rc" 0 "list with a refused plugin: exit 0"
like "$err" "WARNING [host] skipping plugin: $TEST_PLUGINS/badreg: connector 'badreg' has no update handler" \
    "list with a refused plugin: warning names plugin and reason"
like "$out" "three" "list with a refused plugin: the other connectors are listed"

host schema nope $P
is "$rc" 2 "schema of an unknown connector: exit 2"
like "$err" "connector-host schema: connector 'nope' not found; searched $TEST_PLUGINS, " \
    "schema of an unknown connector: said"

# A copy of the host outside the build tree searches only the given and installed directories.
mkdir -p "$TMP/bin"
cp "$HOST" "$TMP/bin/connector-host"
E=$(newdir noplugins)
installed=$("$HOST" --help | sed -n 's/^run from it, then \(.*\)\.$/\1/p')
saved_host=$HOST
HOST="$TMP/bin/connector-host"
host run nope --working-dir "$R" --plugin-dir "$E"
is "$rc" 2 "no connectors at all: exit 2"
like "$err" "connector 'nope' not found; searched $E, $installed; available connectors: " \
    "no connectors at all: directories listed"
if ls "$installed"/*.la "$installed"/*.so >/dev/null 2>&1; then
    pass "no connectors at all: none available # SKIP plugins are installed in $installed"
else
    like "$err" "; available connectors: none" "no connectors at all: none available"
fi
host list --plugin-dir "$E"
HOST=$saved_host
is "$rc" 0 "list without connectors: exit 0"
if ls "$installed"/*.la "$installed"/*.so >/dev/null 2>&1; then
    pass "list without connectors: said # SKIP plugins are installed in $installed"
else
    is "$out" "no connectors found; searched $E, $installed" "list without connectors: said"
fi
unchanged "no connectors at all"

# ---- configuration ----------------------------------------------------------------------
keep "$W"
# config_refused LABEL JSON MESSAGE: badops with this configuration file is refused with exit 2.
config_refused() {
    printf '%s' "$2" >"$TMP/config.json"
    host run badops --working-dir "$W" $P --configuration "$TMP/config.json"
    is "$rc" 2 "configuration $1: exit 2"
    like "$err" "$TMP/config.json$3" "configuration $1: file, position and problem"
    is "$out" "" "configuration $1: no sync summary"
    unchanged "configuration $1"
}
config_refused "empty" "" ": empty file, expected JSON"
config_refused "top-level array" '["s3cr3t"]' ":1:1: the configuration must be a JSON object of string values, not an array"
config_refused "top-level string" '"s3cr3t"' ":1:1: the configuration must be a JSON object of string values, not a string"
config_refused "number value" '{"case": "good", "port": 5432}' ':1:26: value of key "port" must be a string, not a number'
config_refused "object value" '{"case": {"name": "good"}}' ':1:10: value of key "case" must be a string, not an object'
config_refused "boolean value" '{"tls": true}' ':1:9: value of key "tls" must be a string, not a boolean'
config_refused "null value" '{"case": null}' ':1:10: value of key "case" must be a string, not null'
printf '{"case": "s3cr3t\\u0000"}' >"$TMP/config.json"
host run badops --working-dir "$W" $P --configuration "$TMP/config.json"
is "$rc" 2 "configuration NUL in a value: exit 2"
matches "$err" "$TMP/config.json:1:[0-9]+: value of key \"case\" contains a NUL character" "configuration NUL in a value: file and problem"
unlike "$err" "s3cr3t" "configuration NUL in a value: the value is not printed"
like "$err" "$TMP/config.json:1:10: value of key \"case\" contains a NUL character" \
    "configuration NUL in a value: position of the value"
unchanged "configuration NUL in a value"
config_refused "duplicate key" '{"case": "good", "case": "bad"}' ':1:18: key "case" appears twice'
config_refused "invalid UTF-8" "$(printf '{"case": "\377"}')" ":1:11: lexical error: invalid bytes in UTF8 string."
host run badops --working-dir "$W" $P --configuration "$TMP"
is "$rc" 2 "configuration is a directory: exit 2"
like "$err" "cannot read configuration: $TMP: read error" "configuration is a directory: said"
printf '{"region": "eu", "page_size": "s3cr3t"}' >"$TMP/keys.json"
host run needsconfig --working-dir "$W" $P --configuration "$TMP/keys.json"
is "$rc" 2 "missing key in a given file: exit 2"
like "$err" "connector 'needsconfig' needs configuration keys missing from $TMP/keys.json: api_key (secret token for the source API)" \
    "missing key in a given file: file and key named"
unlike "$err" "region (" "missing key in a given file: present keys not listed"
unlike "$err" "s3cr3t" "missing key in a given file: values not printed"
unchanged "missing key in a given file"
printf '{"case": 1}' >"$TMP/config.json"
host schema badops $P --configuration "$TMP/config.json"
is "$rc" 2 "schema with a bad configuration: exit 2"
like "$err" "connector-host schema: $TMP/config.json:1:10: value of key \"case\" must be a string, not a number" \
    "schema with a bad configuration: said"

# ---- schema -----------------------------------------------------------------------------
S="connector 'badops': invalid schema (1 error): "
refused schema_empty_table 1 "${S}a table name is empty"
refused schema_dup_table 1 "${S}table 'items' is declared twice"
refused schema_table_collide 1 "${S}tables 'extra' and 'Extra' both become 'extra' in the destination"
refused schema_empty_column 1 "${S}table 'extra': a column name is empty"
refused schema_dup_column 1 "${S}table 'extra': column 'a' is declared twice"
refused schema_system_column 1 "${S}table 'extra': column '_Fivetran_Synced' collides with the system column '_fivetran_synced'"
refused schema_column_collide 1 "${S}table 'extra': columns 'a b' and 'A-B' both become 'a_b' in the destination"
refused schema_empty_key 1 "${S}table 'extra': a primary key column name is empty"
refused schema_dup_key 1 "${S}table 'extra': primary key column 'a' is named twice"
refused schema_missing_type 1 "${S}table 'extra', column 'a': missing type name"
refused schema_decimal_bare 1 "${S}table 'extra', column 'a': type 'DECIMAL': DECIMAL needs a precision and a scale, as in DECIMAL(10,2)"
refused schema_decimal_syntax 1 "${S}table 'extra', column 'a': type 'DECIMAL(10)': expected DECIMAL(precision,scale)"
refused schema_decimal_scale 1 "${S}table 'extra', column 'a': type 'DECIMAL(5,6)': DECIMAL scale must not exceed its precision"
refused schema_decimal_zero 1 "${S}table 'extra', column 'a': type 'DECIMAL(0,0)': DECIMAL precision must be between 1 and 38"
refused schema_many 1 "connector 'badops': invalid schema (20 errors): table 'extra', column 'ca': unknown type 'NOPE' (known: BOOLEAN,"
like "$out" "table 'extra', column 'cd': unknown type 'NOPE'" "case schema_many: several errors shown"
refused schema_handler_error 1 "connector 'badops': schema handler returned an error"
refused schema_handler_error_invalid 1 "connector 'badops': schema handler failed: invalid schema (1 error): table 'extra', column 'a': unknown type 'TEXTY'"
printf '{"case": "schema_dup_table"}' >"$TMP/config.json"
host schema badops $P --configuration "$TMP/config.json"
is "$rc" 1 "schema command, invalid schema: exit 1"
like "$err" "connector-host schema: ${S}table 'items' is declared twice" "schema command, invalid schema: said"
is "$out" "" "schema command, invalid schema: no JSON printed"

# ---- operations and values --------------------------------------------------------------
# Every message about an operation names it alike: the operation, its table, its column, its
# number in the sync and its row's primary key. badops' bad operation is the sync's second (its
# first upserts into `other`), and its row is items' key id=1.
U="upsert on table 'items', column"
K="operation 2 (key id=1)"
# Declared column types: the value does not convert exactly.
refused int_range 1 "$U 'i', $K: LONG value 3000000000 does not convert exactly to INT"
like "$err" "rolling back 1 operation after the last checkpoint" "case int_range: the earlier upsert is rolled back"
like "$err" "update handler of case int_range started" "case int_range: the handler's mark, which case retype must lack"
like "$err" "SEVERE  [host] sync of connector 'badops' failed: $U 'i', $K: LONG value 3000000000" "case int_range: logged as SEVERE"
refused short_overflow 1 "$U 's', $K: INT value 40000 does not convert exactly to SHORT"
refused decimal_precision 1 "$U 'amount', $K: DECIMAL value \"1234.5\" does not convert to DECIMAL(5,2): '1234.5' has more than 3 digits before the point"
refused decimal_scale 1 "$U 'amount', $K: DECIMAL value \"1.234\" does not convert to DECIMAL(5,2): '1.234' has more than 2 digits after the point"
refused string_decimal 1 "$U 'amount', $K: STRING value \"ten\" does not convert to DECIMAL(5,2): 'ten' is not a decimal number"
refused date_string 1 "$U 'day', $K: STRING value \"2026-02-30\" does not convert to NAIVE_DATE: '2026-02-30' is not a valid date (YYYY-MM-DD)"
refused time_string 1 "$U 'at', $K: STRING value \"24:00:00\" does not convert to NAIVE_TIME: '24:00:00' is not a valid time (HH:MM:SS[.ffffff])"
refused datetime_string 1 "$U 'ndt', $K: STRING value \"2026-01-01\" does not convert to NAIVE_DATETIME: '2026-01-01' is not a valid datetime (YYYY-MM-DDTHH:MM:SS[.ffffff])"
refused utc_string 1 "$U 'utc', $K: STRING value \"2026-01-01T10:00:00\" does not convert to UTC_DATETIME: '2026-01-01T10:00:00' is not a valid UTC datetime (YYYY-MM-DDTHH:MM:SS[.ffffff] followed by Z or +hh:mm)"
refused json_string 1 "$U 'doc', $K: STRING value \"{\"a\": 1\" does not convert to JSON: not valid JSON"
refused string_boolean 1 "$U 'flag', $K: STRING value \"true\" does not convert exactly to BOOLEAN"
refused boolean_int 1 "$U 'i', $K: BOOLEAN value true does not convert exactly to INT"
refused double_int 1 "$U 'i', $K: DOUBLE value 1.5 does not convert exactly to INT"
refused string_int 1 "$U 'i', $K: STRING value \"12abc\" does not convert exactly to INT"
refused double_float 1 "$U 'f', $K: DOUBLE value 0.10000000000000001 does not convert exactly to FLOAT"
refused long_double 1 "$U 'd', $K: LONG value 9007199254740993 does not convert exactly to DOUBLE"
refused binary_string 1 "$U 'name', $K: BINARY value <2 bytes> does not convert exactly to STRING"
refused long_binary 1 "$U 'bin', $K: LONG value 5 does not convert exactly to BINARY"

# Values the row setters refuse; the operation using the row fails with the setter's reason.
refused date_setter 1 "$U 'day', $K: '2026-02-30' is not a valid date (YYYY-MM-DD)"
refused time_setter 1 "$U 'at', $K: '24:00:00' is not a valid time (HH:MM:SS[.ffffff])"
refused datetime_setter 1 "$U 'ndt', $K: '2026-01-01T10:60:00' is not a valid datetime (YYYY-MM-DDTHH:MM:SS[.ffffff])"
refused utc_setter 1 "$U 'utc', $K: '2026-01-01T10:00:00' is not a valid UTC datetime (YYYY-MM-DDTHH:MM:SS[.ffffff] followed by Z or +hh:mm)"
refused utc_years 1 "$U 'utc', $K: '0001-01-01T00:30:00+01:00' is outside the years 0001-9999 in UTC"
refused decimal_setter 1 "$U 'amount', $K: '12a' is not a decimal number"
refused decimal_digits 1 "$U 'amount', $K: '123456789012345678901234567890123456789' has more than 38 digits before the point"
refused json_setter 1 "$U 'doc', $K: JSON value '{\"a\": 1' is not valid JSON"
like "$out" "JSON value '{\"a\": 1' is not valid JSON" "case json_setter: the value is named"
refused utf8_setter 1 "$U 'name', $K: STRING value 'caf\\xe9' is not valid UTF-8"
like "$out" "STRING value 'caf\\xe9' is not valid UTF-8" "case utf8_setter: the value is named, bytes escaped"
refused nan_setter 1 "$U 'd', $K: NaN cannot be stored"
refused binary_setter 1 "$U 'bin', $K: BINARY value has no data but size 3"
refused empty_column 1 "$U '', $K: empty column name"

# Undeclared names that collide after normalising.
refused table_collide 1 "tables 'items' and 'Items' both become 'items' in the destination"
refused column_collide 1 "table 'items': columns 'name' and 'Name' both become 'name' in the destination"
refused system_column 1 "table 'items': column '_fivetran_deleted' collides with the system column '_fivetran_deleted'"
# (A table loses its leading '_' unless the names are kept as written.)
refused reserved_table 1 "table '_Connector_Extra': names starting with _connector_ are reserved for the host" --naming source

# Column types that change: an inferred key cannot widen; a declared type must fit the stored values.
refused key_widen 1 "upsert on table 'loose', column 'k', operation 2 (key k='abc'): cannot widen from LONG to STRING: primary key column 'k' holds LONG values in the warehouse and cannot change to STRING; declare its type in the schema, or run \`connector-host reset\`"
refused retype 1 "table 'items', column 'name': now declared INT but the warehouse holds STRING values: stored row (key id=1): STRING value \"first\" does not convert exactly to INT"
unlike "$err" "update handler of case retype started" "case retype: found before the update handler starts"
unlike "$err" "rolling back" "case retype: no operation ran"
# A declaration the warehouse's values fit is applied before the handler starts, and committed
# even when the handler writes nothing.
I=$(newdir idle)
badops "$I" good
badops "$I" idle_redeclare
is "$rc" 0 "case idle_redeclare: exit 0"
in_order "$err" "table 'items': column 'i' changed from INT to LONG as now declared" \
    "update handler of case idle_redeclare started" "case idle_redeclare: the column is converted before the handler starts"
like "$err" "committing the declared tables' schema changes, with the state unchanged" "case idle_redeclare: committed without any operation"
is "$(sql "$I/files/warehouse.db" "select type from _connector_columns where table_name = 'items' and column_name = 'i'")" LONG \
    "case idle_redeclare: the new type is recorded"
is "$(sql "$I/files/warehouse.db" "select state from _connector_state")" '{"cursor":"good"}' "case idle_redeclare: the state is unchanged"

# Primary keys.
refused upsert_no_key 1 "upsert on table 'items', column 'id', operation 2: no value for this primary key column"
refused update_null_key 1 "update on table 'items', column 'id', operation 2 (key id=NULL): this primary key column is NULL"
refused delete_no_key 1 "delete on table 'items', column 'id', operation 2: no value for this primary key column"
refused update_keyless 1 "update on table 'log', operation 2: the table has no primary key"
refused delete_keyless 1 "delete on table 'log', operation 2: the table has no primary key"

# Calls without a table or a row.
refused upsert_no_table 1 "upsert, operation 2: no table name"
refused update_empty_table 1 "update, operation 2: no table name"
refused truncate_no_table 1 "truncate, operation 2: no table name"
refused no_row 1 "upsert on table 'items', operation 2: the row is NULL"

# After the first failure every operation and checkpoint is refused; the first reason is kept.
refused two_errors 1 "$U 'i', $K: LONG value 3000000000 does not convert exactly to INT"
unlike "$out" "no table name" "case two_errors: the later failure is not the reason"
refused fail 1 "source said 418"

# ---- state --------------------------------------------------------------------------------
refused state_null 1 "ch_state_set needs a key and a value"
refused state_utf8 1 "state key 'cursor': not valid UTF-8"
refused state_json_syntax 1 "state:1:12: unallowed token at this point in JSON text"
refused state_json_array 1 "state: state must be a JSON object"
refused state_json_empty 1 "state: empty file, expected JSON"
refused state_json_null 1 "ch_state_set_json needs a JSON object"

# The warehouse's copy of the state, damaged.
D=$(newdir state)
badops "$D" good
DDB="$D/files/warehouse.db"
sql "$DDB" "update _connector_state set state = '[\"cursor\"]'"
keep "$D"
badops "$D" good
is "$rc" 1 "warehouse state not an object: exit 1"
like "$out" "SYNC FAILED: warehouse state: state must be a JSON object" "warehouse state not an object: said"
unchanged "warehouse state not an object"
sql "$DDB" "update _connector_state set state = '{\"cursor\":'"
keep "$D"
badops "$D" good
is "$rc" 1 "warehouse state not JSON: exit 1"
like "$out" "SYNC FAILED: warehouse state:1:11: premature EOF" "warehouse state not JSON: position said"
unchanged "warehouse state not JSON"
sql "$DDB" "drop table _connector_state; create table _connector_state (connector text)"
keep "$D"
badops "$D" good
is "$rc" 1 "state table unreadable: exit 1"
like "$out" "SYNC FAILED: sqlite:$DDB: reading the state: no such column: state" "state table unreadable: said"
unchanged "state table unreadable"

# files/state.json cannot be written (its temporary file cannot be created: iofault).
D=$(newdir statefile)
badops "$D" good
DDB="$D/files/warehouse.db"
echo '{"cursor":"edited"}' >"$D/files/state.json"
keep "$D"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
IOFAULT_PATH=state.json IOFAULT_OPEN_ERRNO=21 LD_PRELOAD="$IOFAULT" badops "$D" good
is "$rc" 1 "state.json cannot be rewritten: exit 1"
like "$err" "differs from the state committed in the warehouse" "state.json cannot be rewritten: the difference is noticed"
like "$out" "SYNC FAILED: cannot write $D/files/state.json: Is a directory" "state.json cannot be rewritten: said"
unchanged "state.json cannot be rewritten"
printf '{"cursor":"good"}' >"$D/files/state.json"
IOFAULT_PATH=state.json IOFAULT_OPEN_ERRNO=21 LD_PRELOAD="$IOFAULT" badops "$D" upsert_new
is "$rc" 1 "state.json not written after a commit: exit 1"
like "$out" "SYNC FAILED: checkpoint committed, but cannot write $D/files/state.json: Is a directory" \
    "state.json not written after a commit: said"
is "$(sql "$DDB" "select state from _connector_state")" '{"cursor":"upsert_new"}' \
    "state.json not written after a commit: the warehouse has the new state"
is "$(sql "$DDB" "select count(*) from items where id = 3")" 1 "state.json not written after a commit: the rows are committed"
badops "$D" good
is "$rc" 0 "state.json not written after a commit: the next sync succeeds"
like "$err" "state {\"cursor\":\"upsert_new\"}" "state.json not written after a commit: the next sync starts from the warehouse's state"

# ---- destination --------------------------------------------------------------------------
D=$(newdir dest)
badops "$D" good
DDB="$D/files/warehouse.db"
keep "$D"
badops "$D" good --destination "sqlite:"
is "$rc" 2 "sqlite without a path: exit 2"
like "$err" "SEVERE  [host] destination 'sqlite:': the sqlite destination needs a file path" "sqlite without a path: said"
is "$out" "" "sqlite without a path: no sync summary"
badops "$D" good --destination "postgres://user@localhost/warehouse?schema=s&nosuch=1"
is "$rc" 2 "malformed postgres: destination: exit 2"
like "$err" "destination 'postgres://user@localhost/warehouse?schema=s&nosuch=1': invalid URI query parameter: \"nosuch\"" "malformed postgres: destination: said"
badops "$D" good --destination "sqlite:$TMP/no/such/dir/w.db"
is "$rc" 1 "warehouse cannot be opened: exit 1"
like "$out" "SYNC FAILED: cannot open warehouse $TMP/no/such/dir/w.db: unable to open database file" "warehouse cannot be opened: said"
echo "this text file is not an SQLite database, whatever its name says; it is long enough." >"$TMP/text.db"
badops "$D" good --destination "sqlite:$TMP/text.db"
is "$rc" 1 "warehouse not a database: exit 1"
like "$out" "SYNC FAILED: cannot open warehouse $TMP/text.db: file is not a database" "warehouse not a database: said"
unchanged "bad destinations"

# dest_refused LABEL CASE SQL MESSAGE UNDO: SQL makes the warehouse refuse what CASE does.
dest_refused() {
    sql "$DDB" "$3"
    keep "$D"
    badops "$D" "$2"
    is "$rc" 1 "$1: exit 1"
    like "$out" "SYNC FAILED: $4" "$1: said"
    unchanged "$1"
    sql "$DDB" "$5"
}
X="sqlite:$DDB"
dest_refused "warehouse refuses an insert" upsert_new \
    "create trigger t before insert on items begin select raise(abort, 'insert refused by a trigger'); end" \
    "upsert on table 'items', operation 2 (key id=3): $X: upsert: insert refused by a trigger" "drop trigger t"
dest_refused "warehouse refuses an update" update \
    "create trigger t before update on items when new._fivetran_deleted = 0 begin select raise(abort, 'change refused by a trigger'); end" \
    "update on table 'items', $K: $X: update: change refused by a trigger" "drop trigger t"
dest_refused "warehouse refuses a delete" delete \
    "create trigger t before update on items when new._fivetran_deleted = 1 begin select raise(abort, 'delete refused by a trigger'); end" \
    "delete on table 'items', $K: $X: delete: delete refused by a trigger" "drop trigger t"
dest_refused "warehouse refuses a truncate" truncate \
    "create trigger t before update on items when new._fivetran_deleted = 1 begin select raise(abort, 'delete refused by a trigger'); end" \
    "truncate on table 'items', operation 2: $X: truncate: delete refused by a trigger" "drop trigger t"
dest_refused "warehouse refuses the state" upsert_new \
    "create trigger t before update on _connector_state begin select raise(abort, 'state refused by a trigger'); end" \
    "checkpoint: $X: storing the state: state refused by a trigger" "drop trigger t"
dest_refused "warehouse cannot create a table" new_table "create index fresh on items (name)" \
    "table 'fresh': $X: CREATE TABLE \"fresh\" (" "drop index fresh"
like "$out" "): there is already an index named fresh" "warehouse cannot create a table: SQLite's reason"
dest_refused "warehouse refuses a column conversion" widen \
    "create trigger t before update on loose begin select raise(abort, 'conversion refused by a trigger'); end" \
    "upsert on table 'loose', column 'n', operation 2 (key k=2): cannot widen from LONG to STRING: $X: converting a column: conversion refused by a trigger" "drop trigger t"
dest_refused "warehouse refuses a column type record" new_table \
    "create trigger t before insert on _connector_columns begin select raise(abort, 'type refused by a trigger'); end" \
    "table 'fresh': $X: recording a column type: type refused by a trigger" "drop trigger t"
dest_refused "column types unreadable" upsert_new \
    "alter table _connector_columns rename to saved_columns; create table _connector_columns (table_name text, column_name text)" \
    "table 'items': $X: reading column types: no such column: type" \
    "drop table _connector_columns; alter table saved_columns rename to _connector_columns"
dest_refused "column type record damaged" upsert_new \
    "update _connector_columns set type = 'BOGUS' where table_name = 'other' and column_name = 'k'" \
    "table 'other': $X: unreadable type 'BOGUS' of column k in _connector_columns" \
    "update _connector_columns set type = 'STRING' where table_name = 'other' and column_name = 'k'"
keys=$(for i in $(seq 10 74); do printf 'k%s, ' "$i"; done)
dest_refused "warehouse table with 65 key columns" wide_table \
    "create table wide (${keys%, }, primary key (${keys%, }))" \
    "table 'wide': the warehouse table has more than 64 primary key columns" "drop table wide"
# A column added by hand under a name not in normal form is used under its own name.
sql "$DDB" "alter table items add column \"a \"\"b\"\"\" text"
badops "$D" upsert_new
is "$rc" 0 "warehouse column not in normal form: the sync succeeds"
is "$(sql "$DDB" "select count(*) from items where \"a \"\"b\"\"\" is null")" "$(sql "$DDB" 'select count(*) from items')" "warehouse column not in normal form: upserts set it to NULL"
sql "$DDB" "alter table items drop column \"a \"\"b\"\"\""
keep "$D"
keep "$D"
badops "$D" pkchange
is "$rc" 1 "warehouse key differs from the schema: exit 1"
like "$out" "table 'items': the warehouse table items has another primary key than the schema's (\"name\"); run \`connector-host reset\` to start over" \
    "warehouse key differs from the schema: said"
unchanged "warehouse key differs from the schema"
unlike "$out" "table 'items': table 'items'" "warehouse key differs from the schema: table named once"
unlike "$err" "update handler of case pkchange started" "warehouse key differs from the schema: found before the update handler starts"

# Another writer holds the warehouse: the host waits 5 s (busy timeout), then fails.
mkfifo "$TMP/sqlin"
"$SQLITE3" -batch "$DDB" <"$TMP/sqlin" >/dev/null 2>&1 &
writer=$!
exec 8>"$TMP/sqlin"
echo "begin immediate;" >&8
for i in $(seq 50); do
    "$SQLITE3" -batch "$DDB" "begin immediate; rollback;" >/dev/null 2>&1 || break
    sleep 0.1
done
keep "$D"
badops "$D" upsert_new
is "$rc" 1 "warehouse locked by another writer: exit 1"
like "$out" "SYNC FAILED: table 'items': $X: BEGIN IMMEDIATE: database is locked" "warehouse locked by another writer: said"
echo "rollback;" >&8
exec 8>&-
wait "$writer"
unchanged "warehouse locked by another writer"

# The disk fails under the warehouse at the commit (tests/faults/iofault.c, as in faults.sh).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" # see faults.sh
if [ -n "${IOFAULT:-}" ] && [ -f "$IOFAULT" ]; then
    keep "$D"
    IOFAULT_PATH=warehouse.db IOFAULT_SYNC_ERRNO=5 LD_PRELOAD="$IOFAULT" badops "$D" upsert_new
    is "$rc" 1 "warehouse fsync fails at the commit: exit 1"
    like "$out" "SYNC FAILED: checkpoint: $X: COMMIT: disk I/O error" "warehouse fsync fails at the commit: said"
    unchanged "warehouse fsync fails at the commit"
    IOFAULT_PATH=warehouse.db IOFAULT_WRITE_BUDGET=1000 LD_PRELOAD="$IOFAULT" badops "$D" upsert_new
    is "$rc" 1 "disk full at the commit: exit 1"
    like "$out" "SYNC FAILED: checkpoint: $X: COMMIT: database or disk is full" "disk full at the commit: said"
    unchanged "disk full at the commit"
else
    for d in "warehouse fsync fails at the commit" "disk full at the commit"; do
        for c in "exit 1" said "warehouse and state.json unchanged"; do pass "$d: $c # SKIP no I/O fault library"; done
    done
fi

# ---- signals --------------------------------------------------------------------------------
# badops case sleep upserts into `other`, waits 2 s, then upserts into `items`.
# in_background CASE: starts badops CASE in $W in the background ($pid), once its sync has begun.
in_background() {
    printf '{"case": "%s"}\n' "$1" >"$TMP/case.json"
    : >"$TMP/err"
    "$HOST" run badops --working-dir "$W" $P --configuration "$TMP/case.json" >"$TMP/out" 2>"$TMP/err" &
    pid=$!
    for _ in $(seq 1 100); do
        grep -q "sync of connector 'badops'" "$TMP/err" && break
        sleep 0.05
    done
    sleep 0.3 # the signal handlers are installed just after that log line
}
finished() {
    wait "$pid"
    rc=$?
    out=$(cat "$TMP/out")
    err=$(cat "$TMP/err")
}
keep "$W"
in_background sleep
kill -TERM "$pid"
finished
is "$rc" 1 "one SIGTERM: exit 1"
like "$out" "SYNC FAILED: interrupted by SIGTERM; stopped at the last checkpoint" "one SIGTERM: said"
like "$err" "rolling back 1 operation after the last checkpoint" "one SIGTERM: the operation before it is rolled back"
like "$err" "connector-host: stopping at the connector's next operation; the warehouse keeps the last checkpoint (interrupt again to stop at once)" "one SIGTERM: said at once, before the connector's next operation"
unchanged "one SIGTERM"
in_background sleep
kill -INT "$pid"
sleep 0.3
kill -INT "$pid"
finished
is "$rc" 130 "a second SIGINT: the host dies of SIGINT (130)"
like "$err" "connector-host: stopping at once; the warehouse keeps the last checkpoint" "a second SIGINT: said"
unlike "$out" "SYNC SUCCEEDED" "a second SIGINT: no success claimed"
unchanged "a second SIGINT"

# A connector that crashes the host: the report names connector, plugin and signal.
crashed() { # CASE SIGNAL EXIT DESCRIPTION
    badops "$W" "$1" 2>/dev/null # the shell's own note of the death, not the host's
    is "$rc" "$3" "case $1: the host dies of $2 ($3)"
    like "$err" "connector-host: SYNC FAILED: connector 'badops' ($TEST_PLUGINS/badops) crashed with $2 ($4); nothing after the last checkpoint was committed" "case $1: report"
    unchanged "case $1"
}
crashed crash_fpe SIGFPE 136 "arithmetic error"
crashed crash_ill SIGILL 132 "illegal instruction"
crashed crash_bus SIGBUS 135 "bus error"

# ---- working directory and lock -----------------------------------------------------------
F=$(newdir filesfile)
touch "$F/files"
host run three --working-dir "$F"
is "$rc" 1 "files is not a directory: exit 1"
like "$out" "SYNC FAILED: cannot open lock file $F/files/.connector-host.lock: Not a directory" "files is not a directory: said"
host reset --working-dir "$F"
is "$rc" 1 "reset, files is not a directory: exit 1"
like "$err" "connector-host reset: cannot open lock file $F/files/.connector-host.lock: Not a directory" \
    "reset, files is not a directory: said"
if [ -d /proc/self ]; then
    host run three --working-dir /proc/self
    is "$rc" 2 "files cannot be created: exit 2"
    like "$err" "SEVERE  [host] cannot create /proc/self/files: " "files cannot be created: said"
else
    pass "files cannot be created: exit 2 # SKIP no /proc"
    pass "files cannot be created: said # SKIP no /proc"
fi
host reset --working-dir "$TMP/does-not-exist"
is "$rc" 1 "reset, missing working directory: exit 1"
like "$err" "connector-host reset: working directory '$TMP/does-not-exist' does not exist or is not a directory" \
    "reset, missing working directory: said"
RD=$(newdir resetdir)
mkdir -p "$RD/files/warehouse.db/inside"
echo '{}' >"$RD/files/state.json"
host reset --working-dir "$RD"
is "$rc" 1 "reset cannot remove: exit 1"
like "$err" "connector-host reset: cannot remove $RD/files/warehouse.db: Is a directory" "reset cannot remove: said"
like "$out" "removed $RD/files/state.json" "reset cannot remove: the other files are still removed"
if command -v flock >/dev/null; then
    exec 9>>"$W/files/.connector-host.lock"
    flock -n 9
    host reset --working-dir "$W"
    is "$rc" 75 "reset during a sync: exit 75"
    like "$err" "connector-host reset: another connector-host is already working in '$W' (lock $W/files/.connector-host.lock is held); wait for it to finish" \
        "reset during a sync: said"
    exec 9>&-
else
    pass "reset during a sync: exit 75 # SKIP flock(1) not installed"
    pass "reset during a sync: said # SKIP flock(1) not installed"
fi

# ---- warnings: the sync goes on ----------------------------------------------------------
V=$(newdir warnings)
badops "$V" good
badops "$V" update_missing
is "$rc" 0 "update of a missing row: exit 0"
like "$err" "WARNING [host] update on table 'items', operation 2 (key id=404): no row with that primary key; nothing changed" "update of a missing row: warned"
matches "$out" '^items +0 +1 +0 +0 +0 +1$' "update of a missing row: counted as a warning"
is "$(sql "$V/files/warehouse.db" 'select count(*) from items where id = 404')" 0 "update of a missing row: the row stays absent"
badops "$V" delete_missing
is "$rc" 0 "delete of a missing row: exit 0"
like "$err" "WARNING [host] delete on table 'items', operation 2 (key id=404): no row with that primary key; ignored" "delete of a missing row: warned"
matches "$out" '^items +0 +0 +1 +0 +0 +1$' "delete of a missing row: counted as a warning"
badops "$V" new_table
is "$rc" 0 "undeclared table: exit 0"
like "$err" "INFO    [host] table 'fresh' was not declared; creating it" "undeclared table: said"
is "$(sql "$V/files/warehouse.db" 'select note from fresh')" "undeclared" "undeclared table: created with its row"

done_testing

# names.sh - names normalised for the destination, shown both ways; collisions refused.
. "$TESTS_SRCDIR/lib.sh"

P="--plugin-dir $TEST_PLUGINS"
W=$(newdir w)
DB="$W/files/warehouse.db"

host run names --working-dir "$W" $P
is "$rc" 0 "names sync succeeds"
is "$(sql "$DB" "select name from sqlite_master where type = 'table' and name not like '\\_connector\\_%' escape '\\' order by name" | tr '\n' ' ')" "2024_sales order_items " "table names normalised; a leading digit is a word character, kept as it is"
is "$(sql "$DB" "select group_concat(name) from pragma_table_info('order_items')")" "order_id,unit_price,grosse,_fivetran_synced,_fivetran_deleted" "column names: lower case, '_' for spaces, letters transliterated"
is "$(sql "$DB" "select group_concat(name) from pragma_table_info('2024_sales')")" "q_1_total,9_lives,_fivetran_id,_fivetran_synced,_fivetran_deleted" "inferred column names normalised too"
is "$(sql "$DB" 'select order_id, unit_price, grosse from order_items')" "A-1|9.50|XL" "values land under the normalised names"
is "$(sql "$DB" "select type from pragma_table_info('order_items') where pk = 1")" TEXT "the key 'Order ID' is order_id"
matches "$out" '^Order Items \(as order_items\) +1 ' "the summary shows both table names"
matches "$out" '^2024 Sales \(as 2024_sales\) +1 ' "an undeclared table shows both names"
like "$err" "table '2024 Sales' was not declared; creating it as 2024_sales" "the log shows the destination table name"
like "$err" "table '2024 Sales' (as '2024_sales'): new column 'Q1-Total' (as 'q_1_total') of type STRING" "the log shows both column names"
host run names --working-dir "$W" $P --log-format json
like "$out" '"table":"Order Items","destination_table":"order_items"' "the JSON summary has both names"
host schema names $P
like "$(echo "$out" | tr -d ' \n')" '{"name":"Größe","destination_name":"grosse","type":"STRING"}' "schema shows both column names"

before=$(snapshot "$W")
check_refused() { # CASE MESSAGE DESCRIPTION
    host run names --working-dir "$W" $P --configuration "$(conf "{\"case\":\"$1\"}")"
    is "$rc" 1 "$3: exit 1"
    like "$err" "$2" "$3: message"
    is "$(snapshot "$W")" "$before" "$3: warehouse and state unchanged"
}
check_refused tables "invalid schema (1 error): tables 'Foo' and 'foo' both become 'foo' in the destination" "two tables colliding"
check_refused columns "table 'Order Items': columns 'Unit Price' and 'unit-price' both become 'unit_price' in the destination" "two declared columns colliding"
check_refused system "table 'Order Items': column '_Fivetran_Synced' collides with the system column '_fivetran_synced'" "a column named like a system column"
check_refused manykeys "table 'wide': more than 64 primary key columns" "a key of 65 columns"
check_refused reservedcolumn "table 'Order Items': column '_Connector_New_Type': names starting with _connector_ are reserved for the host" "a column named like the host's working columns"
check_refused row "table '2024 Sales': columns 'Q1-Total' and 'q1 total' both become 'q_1_total' in the destination" "two columns of a row colliding"

# A table's leading '_' goes, so no table name of a connector's is one of the host's.
host run names --working-dir "$W" $P --configuration "$(conf '{"case":"reserved"}')"
is "$rc" 0 "a table named _connector_state: the sync succeeds"
is "$(sql "$DB" "select x from connector_state")" 1 "its row lands in the table connector_state"
is "$(sql "$DB" "select count(*) from _connector_state where state = '{}'")" 1 "and the host's own _connector_state holds the state as before"

# ---- --naming source: names as written, still checked --------------------------------------
S=$(newdir source)
SDB="$S/files/warehouse.db"
host run names --working-dir "$S" $P --naming source
is "$rc" 0 "--naming source: the sync succeeds"
is "$(sql "$SDB" "select name from sqlite_master where type = 'table' and name not like '\\_connector\\_%' escape '\\' order by name" | tr '\n' '|')" "2024 Sales|Order Items|" "--naming source: tables keep their names"
is "$(sql "$SDB" "select group_concat(name) from pragma_table_info('Order Items')")" "Order ID,Unit Price,Größe,_fivetran_synced,_fivetran_deleted" "--naming source: declared columns keep their names"
is "$(sql "$SDB" "select group_concat(name) from pragma_table_info('2024 Sales')")" "Q1-Total,9lives,_fivetran_id,_fivetran_synced,_fivetran_deleted" "--naming source: inferred columns keep their names"
is "$(sql "$SDB" 'select "Order ID", "Unit Price", "Größe" from "Order Items"')" "A-1|9.50|XL" "--naming source: values land under the names as written"
matches "$out" '^Order Items +1 ' "--naming source: the summary shows one name, the destination's"
unlike "$err" "creating it as" "--naming source: no second name in the log"
host run names --working-dir "$S" $P --naming SOURCE
is "$rc" 0 "--naming takes any letter case, as Fivetran's tester does"
is "$(sql "$SDB" 'select count(*) from "Order Items"')" 1 "--naming source again: the same row, in the same table"
host schema names $P --naming source
like "$(echo "$out" | tr -d ' \n')" '{"name":"Größe","destination_name":"Größe","type":"STRING"}' "schema --naming source shows the names as written"
host run names --working-dir "$S" $P --naming snake
is "$rc" 2 "an unknown naming: exit 2"
like "$err" "connector-host run: unknown naming 'snake' (fivetran or source)" "an unknown naming is named, with the two there are"

before=$(snapshot "$S")
check_source_refused() { # CASE MESSAGE DESCRIPTION
    host run names --working-dir "$S" $P --naming source --configuration "$(conf "{\"case\":\"$1\"}")"
    is "$rc" 1 "--naming source, $3: exit 1"
    like "$err" "$2" "--naming source, $3: message"
    is "$(snapshot "$S")" "$before" "--naming source, $3: warehouse and state unchanged"
}
check_source_refused tables "invalid schema (1 error): tables 'Foo' and 'foo' differ only in letter case, which SQLite does not tell apart (--naming source)" "two tables differing in case"
check_source_refused system "table 'Order Items': column '_Fivetran_Synced' collides with the system column '_fivetran_synced'" "a column named like a system column but for case"
check_source_refused reserved "table '_connector_state': names starting with _connector_ are reserved for the host" "a table named like the host's own"
check_source_refused reservedcolumn "table 'Order Items': column '_Connector_New_Type': names starting with _connector_ are reserved for the host" "a column named like the host's working columns"
check_source_refused casecolumns "table 'Order Items': columns 'Unit Price' and 'unit price' differ only in letter case, which SQLite does not tell apart (--naming source)" "two columns differing in case"

done_testing

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

# ---- a warehouse named by the host's first rule -------------------------------------------
# Before it followed Fivetran's naming, the host lowercased names, wrote a '_' for every other
# character and put one before a leading digit. This is what it wrote for names and three
# (sqlite3 .dump of a warehouse it made, times fixed); its tables and columns are used still.
old_warehouse() { # DIR
    mkdir -p "$1/files"
    sql "$1/files/warehouse.db" "
CREATE TABLE \"order_items\" (\"order_id\" TEXT NOT NULL, \"unit_price\" TEXT, \"gr__e\" TEXT, \"_fivetran_synced\" TEXT NOT NULL, \"_fivetran_deleted\" INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (\"order_id\"));
INSERT INTO order_items VALUES('A-1','9.50','XL','2026-01-01T00:00:00.000000Z',0);
CREATE TABLE _connector_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, type TEXT NOT NULL, PRIMARY KEY (table_name, column_name));
INSERT INTO _connector_columns VALUES('order_items','order_id','STRING');
INSERT INTO _connector_columns VALUES('order_items','unit_price','DECIMAL(10,2)');
INSERT INTO _connector_columns VALUES('order_items','gr__e','STRING');
INSERT INTO _connector_columns VALUES('_2024_sales','q1_total','STRING');
INSERT INTO _connector_columns VALUES('_2024_sales','_9lives','LONG');
INSERT INTO _connector_columns VALUES('three','id','STRING');
INSERT INTO _connector_columns VALUES('three','val1','STRING');
INSERT INTO _connector_columns VALUES('three','val2','INT');
CREATE TABLE \"_2024_sales\" (\"q1_total\" TEXT, \"_9lives\" INTEGER, \"_fivetran_id\" TEXT NOT NULL, \"_fivetran_synced\" TEXT NOT NULL, \"_fivetran_deleted\" INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (\"_fivetran_id\"));
INSERT INTO _2024_sales VALUES('100',9,'5b2086bd712b1fa71dd0faab4f04c991','2026-01-01T00:00:00.000000Z',0);
CREATE TABLE _connector_state (connector TEXT PRIMARY KEY, state TEXT NOT NULL, updated_at TEXT NOT NULL);
INSERT INTO _connector_state VALUES('names','{}','2026-01-01T00:00:00.000000Z');
INSERT INTO _connector_state VALUES('three','{\"last_id\":\"41d9dc2a-bea7-47d3-8c4d-543d7923f796\"}','2026-01-01T00:00:00.000000Z');
CREATE TABLE \"three\" (\"id\" TEXT NOT NULL, \"val1\" TEXT, \"val2\" INTEGER, \"_fivetran_synced\" TEXT NOT NULL, \"_fivetran_deleted\" INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (\"id\"));
INSERT INTO three VALUES('41d9dc2a-bea7-47d3-8c4d-543d7923f796','41d9dc2a-bea7-47d3-8c4d-543d7923f796',0,'2026-01-01T00:00:00.000000Z',0);
INSERT INTO three VALUES('ba5aec10-80af-4bac-86ab-20a65a8c042d','abc',1,'2026-01-01T00:00:00.000000Z',0);
INSERT INTO three VALUES('ee4edf69-223b-45de-b389-b5e8b5f84cae','ee4edf69-223b-45de-b389-b5e8b5f84cae',2,'2026-01-01T00:00:00.000000Z',1);"
}
tables() { sql "$1" "select group_concat(name, ' ') from (select name from sqlite_master where type = 'table' order by name)"; }
columns() { sql "$1" "select group_concat(name) from pragma_table_info('$2')"; }
KEPT="using the names the warehouse has from before the host followed Fivetran's naming"

O=$(newdir old)
ODB="$O/files/warehouse.db"
old_warehouse "$O"
host run names --working-dir "$O" $P
is "$rc" 0 "first-rule warehouse: names syncs"
is "$(tables "$ODB")" "_2024_sales _connector_columns _connector_formats _connector_state order_items three" "first-rule warehouse: no table added but the host's record of formats, the undeclared one kept as _2024_sales"
is "$(columns "$ODB" order_items)" "order_id,unit_price,gr__e,_fivetran_synced,_fivetran_deleted" "first-rule warehouse: the declared Größe is still gr__e, no grosse added"
is "$(columns "$ODB" _2024_sales)" "q1_total,_9lives,_fivetran_id,_fivetran_synced,_fivetran_deleted" "first-rule warehouse: the inferred columns are still q1_total and _9lives"
is "$(sql "$ODB" "select order_id, unit_price, gr__e, _fivetran_synced > '2026-01-01T00:00:00.000000Z' from order_items")" "A-1|9.50|XL|1" "first-rule warehouse: the row lands in the old columns, written again"
is "$(sql "$ODB" "select count(*), group_concat(q1_total || ':' || _9lives), max(_fivetran_synced) > '2026-01-01T00:00:00.000000Z' from _2024_sales")" "1|100:9|1" "first-rule warehouse: the keyless row keeps its _fivetran_id: written again, not twice"
is "$(sql "$ODB" "select count(*) from _connector_columns where table_name = '2024_sales' or column_name in ('grosse', 'q_1_total', '9_lives')")" 0 "first-rule warehouse: no type recorded under a new name"
matches "$out" '^2024 Sales \(as _2024_sales\) +1 ' "first-rule warehouse: the summary shows the table's name in the warehouse"
matches "$out" '^total +2 +0 +0 +0 +1 +0 +0$' "first-rule warehouse: no schema change"
like "$err" "INFO    [host] table 'Order Items': $KEPT: column gr__e for grosse" "first-rule warehouse: one INFO line says which declared column keeps its name"
like "$err" "INFO    [host] table '2024 Sales': $KEPT: table _2024_sales for 2024_sales, column q1_total for q_1_total, column _9lives for 9_lives" "first-rule warehouse: one INFO line for the table and its columns"
is "$(printf '%s\n' "$err" | grep -c "$KEPT")" 2 "first-rule warehouse: one line per table, nothing else"
is "$(printf '%s\n' "$err" | grep WARNING | grep -vc 'state.json is missing')" 0 "first-rule warehouse: no warning (but that it has no state.json)"
before=$(snapshot "$O" | grep -v "INSERT INTO \(order_items\|_2024_sales\|_connector_state\)")
host run names --working-dir "$O" $P
is "$rc" 0 "first-rule warehouse: a second sync succeeds"
is "$(snapshot "$O" | grep -v "INSERT INTO \(order_items\|_2024_sales\|_connector_state\)")" "$before" "first-rule warehouse: the second sync changes no table, column or type record"
is "$(sql "$ODB" "select (select count(*) from order_items) || '|' || (select count(*) from _2024_sales)")" "1|1" "first-rule warehouse: still one row each"
host run three --working-dir "$O"
is "$rc" 0 "first-rule warehouse: three syncs"
is "$(columns "$ODB" three)" "id,val1,val2,_fivetran_synced,_fivetran_deleted" "first-rule warehouse: three's val1 and val2 are not doubled as val_1 and val_2"
is "$(sql "$ODB" "select count(*), sum(val1 = 'abc'), sum(_fivetran_deleted) from three")" "6|2|2" "first-rule warehouse: three's rows land in val1 and val2"

# A column of the first row only: the others come once the table is ready, and find theirs too.
O=$(newdir old_later)
old_warehouse "$O"
host run names --working-dir "$O" $P --configuration "$(conf '{"case":"later"}')"
is "$rc" 0 "first-rule warehouse, a column that comes later: the sync succeeds"
is "$(columns "$O/files/warehouse.db" _2024_sales)" "q1_total,_9lives,_fivetran_id,_fivetran_synced,_fivetran_deleted" "first-rule warehouse, a column that comes later: it is still _9lives"
is "$(sql "$O/files/warehouse.db" "select group_concat(q1_total || ':' || coalesce(_9lives, 'null'), ' ') from (select * from _2024_sales order by _9lives)")" "100:null 100:9" "first-rule warehouse, a column that comes later: its value lands there"

# A warehouse holding a column under both names: the name of now wins.
O=$(newdir old_both)
old_warehouse "$O"
sql "$O/files/warehouse.db" "alter table order_items add column grosse text"
host run names --working-dir "$O" $P
is "$rc" 0 "first-rule warehouse with both names: the sync succeeds"
is "$(sql "$O/files/warehouse.db" "select coalesce(gr__e, 'null'), grosse from order_items")" "null|XL" "first-rule warehouse with both names: the value goes to grosse"
unlike "$err" "column gr__e for grosse" "first-rule warehouse with both names: gr__e is not used"

# Names as written are the connector's own: a first-rule warehouse is not searched.
O=$(newdir old_source)
old_warehouse "$O"
host run names --working-dir "$O" $P --naming source
is "$rc" 0 "first-rule warehouse, --naming source: the sync succeeds"
is "$(tables "$O/files/warehouse.db")" "2024 Sales Order Items _2024_sales _connector_columns _connector_formats _connector_state order_items three" "first-rule warehouse, --naming source: new tables under the names as written"
is "$(sql "$O/files/warehouse.db" "select _fivetran_synced from order_items")" "2026-01-01T00:00:00.000000Z" "first-rule warehouse, --naming source: the old table is left alone"
unlike "$err" "$KEPT" "first-rule warehouse, --naming source: no name kept"

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

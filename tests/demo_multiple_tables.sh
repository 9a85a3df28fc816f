# demo_multiple_tables.sh - the multiple_tables demo: customers and orders (composite key),
# one cursor per table in a JSON state object.
. "$TESTS_SRCDIR/lib.sh"

W=$(newdir w)
DB="$W/files/warehouse.db"
customers() { sql "$DB" 'select customer_id, name, signed_up_at from customers order by customer_id'; }
orders() { sql "$DB" 'select customer_id, order_no, placed_at, amount from orders order by placed_at'; }
state() { cat "$W/files/state.json"; }

# Hour 6 (the default): customers 1 and 2, orders placed at hours 1-6.
host run multiple_tables --working-dir "$W"
is "$rc" 0 "first sync exits 0"
matches "$out" '^customers +2 +0 +0 +0 +1 +0$' "2 customers"
matches "$out" '^orders +6 +0 +0 +0 +1 +0$' "6 orders"
matches "$out" '^total +8 +0 +0 +0 +2 +2 +0$' "2 checkpoints: after customers, after orders"
is "$(customers)" "1|customer 1|2024-01-01T01:00:00.000000Z
2|customer 2|2024-01-01T04:00:00.000000Z" "customers sign up at hours 1 and 4"
is "$(orders)" "1|1|2024-01-01T01:00:00.000000Z|11.25
1|2|2024-01-01T02:00:00.000000Z|12.50
1|3|2024-01-01T03:00:00.000000Z|13.75
2|1|2024-01-01T04:00:00.000000Z|14.00
2|2|2024-01-01T05:00:00.000000Z|15.25
2|3|2024-01-01T06:00:00.000000Z|16.50" "one order an hour, numbered per customer"
is "$(sql "$DB" "select group_concat(name || ':' || pk) from pragma_table_info('orders') where pk > 0")" \
    "customer_id:1,order_no:2" "orders has the composite key (customer_id, order_no)"
is "$(sql "$DB" "select group_concat(name || ':' || pk) from pragma_table_info('customers') where pk > 0")" \
    "customer_id:1" "customers is keyed by customer_id"
is "$(sql "$DB" "select group_concat(column_name || ' ' || type, ', ') from (select * from _connector_columns where table_name = 'orders' order by column_name)")" \
    "amount DECIMAL(10,2), customer_id LONG, order_no INT, placed_at UTC_DATETIME" "orders' declared types"
is "$(sql "$DB" 'select count(*) from orders o left join customers c using (customer_id) where c.customer_id is null')" \
    0 "every order's customer is in the warehouse"
is "$(state)" '{"customers":4,"orders":6}' "one cursor per table: the hour of its newest record"

# Nothing new at the same hour.
host run multiple_tables --working-dir "$W"
is "$rc" 0 "second sync exits 0"
like "$err" "hour 6; cursors: customers 4, orders 6" "the cursors are read back from state"
matches "$out" '^total +0 +0 +0 +0 +2 +0 +0$' "no upserts"
is "$(state)" '{"customers":4,"orders":6}' "cursors unchanged"

# Hour 8: customer 3 (hour 7) and orders 7-8, which are customer 3's.
host run multiple_tables --working-dir "$W" --configuration "$(conf '{"hours": "8"}')"
is "$rc" 0 "sync at hour 8 exits 0"
matches "$out" '^customers +1 +0 +0 +0 +0 +0$' "1 new customer"
matches "$out" '^orders +2 +0 +0 +0 +0 +0$' "2 new orders"
is "$(customers | tail -n 1)" "3|customer 3|2024-01-01T07:00:00.000000Z" "customer 3 added"
is "$(orders | tail -n 2)" "3|1|2024-01-01T07:00:00.000000Z|17.75
3|2|2024-01-01T08:00:00.000000Z|18.00" "orders 7 and 8 added for customer 3"
is "$(state)" '{"customers":7,"orders":8}' "each cursor moved to its own table's newest record"

# Hour 9: no new customer, one new order: the cursors move independently.
host run multiple_tables --working-dir "$W" --configuration "$(conf '{"hours": "9"}')"
matches "$out" '^customers +0 +0 +0 +0 +0 +0$' "hour 9: no customer"
matches "$out" '^orders +1 +0 +0 +0 +0 +0$' "hour 9: 1 order"
is "$(state)" '{"customers":7,"orders":9}' "only the orders cursor moved"
is "$(sql "$DB" 'select count(*) from customers') $(sql "$DB" 'select count(*) from orders')" "3 9" "3 customers, 9 orders"

host run multiple_tables --working-dir "$W" --configuration "$(conf '{"hours": "-1"}')"
is "$rc" 1 "a negative hour: exit 1"
like "$out" "SYNC FAILED: configuration: hours must be a whole number from 0 to 100000, not '-1'" "named in the failure"

# Two syncs through the jsonl destination, one stream each, against a reviewed golden file.
W=$(newdir jsonl)
host run multiple_tables --working-dir "$W" --destination "jsonl:$TMP/1.jsonl"
is "$rc" 0 "jsonl: sync at hour 6 exits 0"
host run multiple_tables --working-dir "$W" --configuration "$(conf '{"hours": "8"}')" --destination "jsonl:$TMP/2.jsonl"
is "$rc" 0 "jsonl: sync at hour 8 exits 0"
cat "$TMP/1.jsonl" "$TMP/2.jsonl" >"$TMP/multiple_tables.jsonl"
golden "$TMP/multiple_tables.jsonl" "$TESTS_SRCDIR/golden/multiple_tables.jsonl" "the streams match tests/golden/multiple_tables.jsonl"

done_testing

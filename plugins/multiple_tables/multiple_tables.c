/*
 * multiple_tables.c - a parent and a child table, each with its own cursor.
 *
 * The source is an emulated shop that has been open for "hours" hours (a
 * configuration key, default 6). Customer c signs up at hour 3c-2; one order
 * is placed every hour, by the newest customer, so each customer places up to
 * three orders. Orders are keyed by (customer_id, order_no): a composite key
 * whose customer_id refers to a row of customers.
 *
 * Real sources advance each endpoint at its own pace, so the state keeps one
 * cursor per table, as one JSON object: {"customers":4,"orders":6} (the hour
 * of the newest record synced). It is read key by key with ch_state_get and
 * written whole with ch_state_set_json. Customers are synced and checkpointed
 * before orders, so the warehouse never holds an order without its customer.
 */
#include <connector-host.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static const ch_config_key keys[] = {
    {"hours", "how many hours the emulated shop has been open (default 6)", 0},
    {NULL, NULL, 0},
};

/* ---- The emulated source ------------------------------------------------- */

/* UTC_DATETIME text of hour h after 2024-01-01T00:00:00Z. */
static void hour_text(long h, char *text, size_t size)
{
    time_t t = 1704067200 + (time_t)h * 3600;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(text, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static long customer_signup_hour(long customer)
{
    return 3 * customer - 2;
}

/* The order placed at hour h: by customer (h + 2) / 3, its order 1, 2 or 3. */
static long order_customer(long h)
{
    return (h + 2) / 3;
}

static long order_number(long h)
{
    return h - 3 * (order_customer(h) - 1);
}

/* ---- The connector --------------------------------------------------------- */

static int multiple_tables_schema(ch_schema *schema, const ch_config *config)
{
    (void)config;
    ch_table *customers = ch_schema_table(schema, "customers");
    ch_table_primary_key(customers, "customer_id");
    ch_table_column(customers, "customer_id", "LONG");
    ch_table_column(customers, "name", "STRING");
    ch_table_column(customers, "signed_up_at", "UTC_DATETIME");

    ch_table *orders = ch_schema_table(schema, "orders");
    /* A composite key: columns in key order. */
    ch_table_primary_key(orders, "customer_id");
    ch_table_primary_key(orders, "order_no");
    ch_table_column(orders, "customer_id", "LONG"); /* refers to customers */
    ch_table_column(orders, "order_no", "INT");
    ch_table_column(orders, "placed_at", "UTC_DATETIME");
    ch_table_column(orders, "amount", "DECIMAL(10,2)");
    return CH_OK;
}

/* The cursor of one table: a number in the state object, 0 when absent. */
static int read_cursor(ch_sync *sync, const char *table, long *cursor)
{
    /* For a non-string value ch_state_get gives its JSON text: "4". */
    const char *text = ch_state_get(sync, table);
    *cursor = 0;
    if (text == NULL)
        return CH_OK;
    char *end;
    errno = 0;
    *cursor = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || *cursor < 0)
        return ch_fail(sync, "state: the cursor of %s is not an hour: %s", table, text);
    return CH_OK;
}

/* Both cursors at once: the state is replaced whole, then committed with the rows. */
static int checkpoint(ch_sync *sync, long customers, long orders)
{
    char json[96];
    snprintf(json, sizeof json, "{\"customers\":%ld,\"orders\":%ld}", customers, orders);
    if (ch_state_set_json(sync, json) != CH_OK)
        return CH_ERROR;
    return ch_checkpoint(sync);
}

static int sync_customers(ch_sync *sync, ch_row *row, long hours, long *cursor)
{
    char when[32], name[32];
    for (long c = 1; customer_signup_hour(c) <= hours; c++) {
        long h = customer_signup_hour(c);
        if (h <= *cursor)
            continue; /* synced before */
        hour_text(h, when, sizeof when);
        snprintf(name, sizeof name, "customer %ld", c);
        ch_row_clear(row);
        ch_row_set_long(row, "customer_id", c);
        ch_row_set_string(row, "name", name);
        ch_row_set_utc_datetime(row, "signed_up_at", when);
        if (ch_upsert(sync, "customers", row) != CH_OK)
            return CH_ERROR;
        *cursor = h;
    }
    return CH_OK;
}

static int sync_orders(ch_sync *sync, ch_row *row, long hours, long *cursor)
{
    char when[32], amount[32];
    for (long h = *cursor + 1; h <= hours; h++) {
        hour_text(h, when, sizeof when);
        snprintf(amount, sizeof amount, "%ld.%02ld", 10 + h, h * 25 % 100);
        ch_row_clear(row);
        ch_row_set_long(row, "customer_id", order_customer(h));
        ch_row_set_int(row, "order_no", (int32_t)order_number(h));
        ch_row_set_utc_datetime(row, "placed_at", when);
        ch_row_set_decimal(row, "amount", amount);
        if (ch_upsert(sync, "orders", row) != CH_OK)
            return CH_ERROR;
        *cursor = h;
    }
    return CH_OK;
}

static int multiple_tables_update(ch_sync *sync, const ch_config *config)
{
    const char *text = ch_config_get(config, "hours");
    char *end = NULL;
    long hours = text ? strtol(text, &end, 10) : 6;
    if (text != NULL && (end == text || *end != '\0' || hours < 0 || hours > 100000))
        return ch_fail(
            sync, "configuration: hours must be a whole number from 0 to 100000, not '%s'", text);

    long customers, orders;
    if (read_cursor(sync, "customers", &customers) != CH_OK ||
        read_cursor(sync, "orders", &orders) != CH_OK)
        return CH_ERROR;
    ch_log_info(sync, "hour %ld; cursors: customers %ld, orders %ld", hours, customers, orders);

    ch_row *row = ch_row_new();
    if (row == NULL)
        return ch_fail(sync, "out of memory");
    /* Parents first, committed before any child that refers to them. */
    int rc = sync_customers(sync, row, hours, &customers);
    if (rc == CH_OK)
        rc = checkpoint(sync, customers, orders);
    if (rc == CH_OK)
        rc = sync_orders(sync, row, hours, &orders);
    if (rc == CH_OK)
        rc = checkpoint(sync, customers, orders);
    ch_row_free(row);
    return rc;
}

static const ch_connector multiple_tables = {
    .name = "multiple_tables",
    .description = "Customers and their orders, with one cursor per table in state",
    .schema = multiple_tables_schema,
    .update = multiple_tables_update,
    .config_keys = keys,
};

int connector_plugin_init(ch_registry *registry)
{
    return CH_REGISTER(registry, &multiple_tables);
}

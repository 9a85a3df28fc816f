/*
 * @NAME@.c - the @NAME@ connector, made by `connector-host new @NAME@`.
 *
 * It syncs a pretend source: items numbered 1, 2, 3, ... Each run upserts the
 * next `batch` items (configuration.json, default 5) into table `items` and
 * remembers the last number in the state, so the next run continues from
 * there. Replace fetch_item() with calls to your real source.
 */
#include <connector-host.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* The tables, their primary keys and typed columns: the warehouse is built from this. */
static int declare_schema(ch_schema *schema, const ch_config *config)
{
    ch_table *items = ch_schema_table(schema, "items");
    (void)config;
    ch_table_primary_key(items, "id");
    ch_table_column(items, "id", "LONG");
    ch_table_column(items, "name", "STRING");
    ch_table_column(items, "price", "DECIMAL(10,2)");
    ch_table_column(items, "fetched_at", "UTC_DATETIME");
    return CH_OK; /* the host reports any mistake in the declarations above */
}

/* Your source goes here: one item by number. */
static void fetch_item(long id, char *name, size_t name_size, char *price, size_t price_size)
{
    snprintf(name, name_size, "item %ld", id);
    snprintf(price, price_size, "%ld.%02ld", id * 3, id * 7 % 100);
}

/* One sync: read the cursor from the state, emit operations, checkpoint. */
static int sync_items(ch_sync *sync, const ch_config *config)
{
    const char *batch_text = ch_config_get(config, "batch");
    const char *cursor = ch_state_get(sync, "last_id"); /* NULL on the first run */
    long batch = batch_text ? atol(batch_text) : 5;
    long last = cursor ? atol(cursor) : 0;
    char name[64], price[32], text[32], fetched_at[32];
    time_t now = time(NULL);
    struct tm *utc = gmtime(&now);
    ch_row *row;
    int rc = CH_OK;
    /* When this batch was fetched: it differs every run, so `make check` masks it (Makefile). */
    if (utc == NULL || strftime(fetched_at, sizeof fetched_at, "%Y-%m-%dT%H:%M:%SZ", utc) == 0)
        return ch_fail(sync, "cannot read the clock");
    if ((row = ch_row_new()) == NULL)
        return ch_fail(sync, "out of memory");
    if (batch <= 0) {
        ch_row_free(row);
        return ch_fail(sync, "configuration 'batch' must be a positive number, not '%s'",
                       batch_text);
    }
    ch_log_info(sync, "syncing items %ld to %ld", last + 1, last + batch);
    for (long id = last + 1; id <= last + batch && rc == CH_OK; id++) {
        fetch_item(id, name, sizeof name, price, sizeof price);
        ch_row_clear(row); /* one row, reused: no allocation per item */
        ch_row_set_long(row, "id", id);
        ch_row_set_string(row, "name", name);
        ch_row_set_decimal(row, "price", price);
        ch_row_set_utc_datetime(row, "fetched_at", fetched_at);
        rc = ch_upsert(sync, "items", row);
    }
    ch_row_free(row);
    if (rc != CH_OK)
        return rc; /* the host already knows why, and rolls back to the last checkpoint */
    /* The state and the rows become durable together, so a crash never skips items. */
    snprintf(text, sizeof text, "%ld", last + batch);
    if (ch_state_set(sync, "last_id", text) != CH_OK || ch_checkpoint(sync) != CH_OK)
        return CH_ERROR;
    ch_log_info(sync, "checkpointed at item %ld", last + batch);
    return CH_OK;
}

/* The configuration keys `connector-host schema @NAME@` lists. */
static const ch_config_key config_keys[] = {
    {"batch", "how many items one sync adds (default 5)", 0},
    {NULL, NULL, 0},
};

static const ch_connector connector = {
    .name = "@NAME@",
    .description = "Syncs numbered items from a pretend source, a batch per run",
    .schema = declare_schema,
    .update = sync_items,
    .config_keys = config_keys,
};

/* The one symbol the host looks for in the plugin. */
int connector_plugin_init(ch_registry *registry)
{
    return CH_REGISTER(registry, &connector);
}

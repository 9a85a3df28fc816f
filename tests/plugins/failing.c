/*
 * failing.c - connectors whose update handler fails after a checkpoint:
 * `failing` with a reason (ch_fail), `failing_silent` by returning CH_ERROR,
 * and `tail` which succeeds with operations after its last checkpoint.
 */
#include <connector-host.h>

static int emit(ch_sync *sync, long from, long to)
{
    ch_row *row = ch_row_new();
    int rc = CH_OK;
    for (long i = from; i <= to && rc == CH_OK; i++) {
        ch_row_clear(row);
        ch_row_set_long(row, "n", i);
        rc = ch_upsert(sync, "numbers", row);
    }
    ch_row_free(row);
    return rc;
}

static int schema(ch_schema *s, const ch_config *config)
{
    ch_table *t = ch_schema_table(s, "numbers");
    (void)config;
    ch_table_primary_key(t, "n");
    ch_table_column(t, "n", "LONG");
    return CH_OK;
}

static int begin(ch_sync *sync)
{
    const char *done = ch_state_get(sync, "done");
    int rc = emit(sync, 1, 3);
    (void)done;
    if (rc == CH_OK)
        rc = ch_state_set(sync, "done", "3");
    if (rc == CH_OK)
        rc = ch_checkpoint(sync);
    if (rc == CH_OK)
        rc = emit(sync, 4, 6);
    if (rc == CH_OK)
        rc = ch_state_set(sync, "done", "6");
    return rc;
}

static int failing(ch_sync *sync, const ch_config *config)
{
    (void)config;
    if (begin(sync) != CH_OK)
        return CH_ERROR;
    return ch_fail(sync, "source API answered 503 after row %d", 6);
}

static int failing_silent(ch_sync *sync, const ch_config *config)
{
    (void)config;
    begin(sync);
    return CH_ERROR;
}

static int tail(ch_sync *sync, const ch_config *config)
{
    (void)config;
    return begin(sync);
}

static const ch_connector connectors[] = {
    {.name = "failing", .description = "Fails with a reason", .schema = schema, .update = failing},
    {.name = "failing_silent",
     .description = "Returns an error",
     .schema = schema,
     .update = failing_silent},
    {.name = "tail",
     .description = "Ends with uncheckpointed operations",
     .schema = schema,
     .update = tail},
};

int connector_plugin_init(ch_registry *registry)
{
    for (unsigned i = 0; i < sizeof connectors / sizeof connectors[0]; i++)
        if (CH_REGISTER(registry, &connectors[i]) != CH_OK)
            return CH_ERROR;
    return CH_OK;
}

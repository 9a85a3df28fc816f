/*
 * misuse.c - a connector that calls the public functions wrongly, chosen by
 * the configuration key "case": null_upsert, null_update, null_delete,
 * null_truncate, null_checkpoint and null_state pass a NULL sync (after one
 * good upsert, which must then be rolled back); atexit keeps its sync and
 * calls ch_upsert, ch_checkpoint, ch_fail and ch_log with it when the
 * process exits, after the sync has ended.
 */
#include <connector-host.h>
#include <stdlib.h>
#include <string.h>

static ch_sync *kept;

static int schema(ch_schema *s, const ch_config *config)
{
    ch_table *t = ch_schema_table(s, "m");
    (void)config;
    ch_table_primary_key(t, "id");
    ch_table_column(t, "id", "LONG");
    return CH_OK;
}

static void late(void)
{
    ch_row *row = ch_row_new();
    ch_row_set_long(row, "id", 99);
    ch_upsert(kept, "m", row);
    ch_checkpoint(kept);
    ch_log(kept, CH_LOG_INFO, "too late");
    ch_fail(kept, "too late");
    ch_row_free(row);
}

static int update(ch_sync *sync, const ch_config *config)
{
    const char *c = ch_config_get(config, "case");
    ch_row *row = ch_row_new();
    int rc = CH_OK;
    ch_row_set_long(row, "id", 1);
    if (c && strcmp(c, "atexit") == 0) {
        kept = sync;
        atexit(late);
        rc = ch_upsert(sync, "m", row);
        if (rc == CH_OK)
            rc = ch_checkpoint(sync);
    } else if (c) {
        ch_upsert(sync, "m", row);
        if (strcmp(c, "null_upsert") == 0)
            ch_upsert(NULL, "m", row);
        else if (strcmp(c, "null_update") == 0)
            ch_update(NULL, "m", row);
        else if (strcmp(c, "null_delete") == 0)
            ch_delete(NULL, "m", row);
        else if (strcmp(c, "null_truncate") == 0)
            ch_truncate(NULL, "m");
        else if (strcmp(c, "null_checkpoint") == 0)
            ch_checkpoint(NULL);
        else if (strcmp(c, "null_state") == 0)
            ch_state_set(NULL, "k", "v");
        rc = ch_checkpoint(sync); /* ignoring the result: the host alone must notice */
        rc = CH_OK;
    }
    ch_row_free(row);
    return rc;
}

static const ch_connector misuse = {
    .name = "misuse",
    .description = "Calls the API with a NULL sync, or after its sync ended",
    .schema = schema,
    .update = update,
};

int connector_plugin_init(ch_registry *registry)
{
    return CH_REGISTER(registry, &misuse);
}

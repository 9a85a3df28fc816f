/*
 * badpk.c - commits one good row, then upserts two more and one without its
 * primary key value: the sync must fail and keep only the committed row.
 */
#include <connector-host.h>

static int schema(ch_schema *s, const ch_config *config)
{
    ch_table *t = ch_schema_table(s, "items");
    (void)config;
    ch_table_primary_key(t, "id");
    ch_table_column(t, "id", "LONG");
    ch_table_column(t, "name", "STRING");
    return CH_OK;
}

static int update(ch_sync *sync, const ch_config *config)
{
    ch_row *row = ch_row_new();
    const char *mode = ch_config_get(config, "mode");
    int rc;
    (void)config;
    ch_row_set_long(row, "id", 1);
    ch_row_set_string(row, "name", "committed");
    rc = ch_upsert(sync, "items", row);
    if (rc == CH_OK)
        rc = ch_state_set(sync, "cursor", "1");
    if (rc == CH_OK)
        rc = ch_checkpoint(sync);
    ch_row_clear(row);
    ch_row_set_long(row, "id", 2);
    ch_row_set_string(row, "name", "not committed");
    if (rc == CH_OK)
        rc = ch_upsert(sync, "items", row);
    if (rc == CH_OK)
        rc = ch_state_set(sync, "cursor", "2");
    ch_row_clear(row);
    if (mode && mode[0] == 'n')
        ch_row_set_null(row, "id"); /* "null": the key column given as NULL */
    ch_row_set_string(row, "name", "no key");
    if (rc == CH_OK)
        rc = ch_upsert(sync, "items", row);
    ch_row_free(row);
    if (rc == CH_OK)
        rc = ch_checkpoint(sync);
    return rc;
}

static const ch_connector badpk = {
    .name = "badpk",
    .description = "Fails on an upsert without a primary key value",
    .schema = schema,
    .update = update,
};

int connector_plugin_init(ch_registry *registry)
{
    return CH_REGISTER(registry, &badpk);
}

/*
 * three.c - the seed connector: upserts three rows with fresh UUIDs, updates
 * the second, deletes the third, and checkpoints. Each run adds three rows.
 */
#include <connector-host.h>
#include <uuid/uuid.h>

static int three_schema(ch_schema *schema, const ch_config *config)
{
    ch_table *t = ch_schema_table(schema, "three");
    (void)config;
    ch_table_primary_key(t, "id");
    ch_table_column(t, "id", "STRING");
    ch_table_column(t, "val1", "STRING");
    ch_table_column(t, "val2", "INT");
    return CH_OK;
}

static int three_update(ch_sync *sync, const ch_config *config)
{
    char ids[3][37];
    ch_row *row = ch_row_new();
    int rc = CH_OK;
    (void)config;
    if (row == NULL)
        return ch_fail(sync, "out of memory");
    for (int i = 0; i < 3 && rc == CH_OK; i++) {
        uuid_t uuid;
        uuid_generate_random(uuid);
        uuid_unparse_lower(uuid, ids[i]);
        ch_row_clear(row);
        ch_row_set_string(row, "id", ids[i]);
        ch_row_set_string(row, "val1", ids[i]);
        ch_row_set_int(row, "val2", i);
        rc = ch_upsert(sync, "three", row);
        if (rc == CH_OK)
            ch_log_info(sync, "upserted row %d with id %s", i + 1, ids[i]);
    }
    if (rc == CH_OK) {
        ch_row_clear(row);
        ch_row_set_string(row, "id", ids[1]);
        ch_row_set_string(row, "val1", "abc");
        rc = ch_update(sync, "three", row);
        if (rc == CH_OK)
            ch_log_info(sync, "updated val1 of row 2 (%s) to \"abc\"", ids[1]);
    }
    if (rc == CH_OK) {
        ch_row_clear(row);
        ch_row_set_string(row, "id", ids[2]);
        rc = ch_delete(sync, "three", row);
        if (rc == CH_OK)
            ch_log_info(sync, "deleted row 3 (%s)", ids[2]);
    }
    ch_row_free(row);
    if (rc == CH_OK && ch_state_set(sync, "last_id", ids[0]) == CH_OK)
        rc = ch_checkpoint(sync);
    if (rc == CH_OK)
        ch_log_info(sync, "checkpointed");
    return rc;
}

static const ch_connector three = {
    .name = "three",
    .description = "Upserts three rows with UUID ids, updates one, deletes one",
    .schema = three_schema,
    .update = three_update,
};

int connector_plugin_init(ch_registry *registry)
{
    return CH_REGISTER(registry, &three);
}

/*
 * truncate.c - soft truncate: which rows it deletes, and that a failed sync keeps them.
 *
 * The configuration key "case" picks what one sync does: "load" (default)
 * upserts rows 1-3; "truncate" upserts row 4, truncates, then upserts rows 5
 * and 2; "fail" truncates and then fails; "fresh" truncates a table that was
 * never written.
 */
#include <connector-host.h>
#include <string.h>

static int upsert(ch_sync *sync, ch_row *row, int id, const char *val)
{
    ch_row_clear(row);
    ch_row_set_int(row, "id", id);
    ch_row_set_string(row, "val", val);
    return ch_upsert(sync, "t", row);
}

static int update(ch_sync *sync, const ch_config *config)
{
    const char *c = ch_config_get(config, "case");
    ch_row *row = ch_row_new();
    int rc = CH_ERROR;
    if (row == NULL)
        return CH_ERROR;
    if (c == NULL || strcmp(c, "load") == 0) {
        rc = upsert(sync, row, 1, "one") || upsert(sync, row, 2, "two") ||
                     upsert(sync, row, 3, "three")
                 ? CH_ERROR
                 : CH_OK;
    } else if (strcmp(c, "truncate") == 0) {
        rc = upsert(sync, row, 4, "four") || ch_truncate(sync, "t") ||
                     upsert(sync, row, 5, "five") || upsert(sync, row, 2, "two again")
                 ? CH_ERROR
                 : CH_OK;
    } else if (strcmp(c, "fail") == 0) {
        if (ch_truncate(sync, "t") == CH_OK)
            ch_fail(sync, "failing after the truncate");
    } else if (strcmp(c, "fresh") == 0) {
        rc = ch_truncate(sync, "never_written");
    }
    ch_row_free(row);
    return rc == CH_OK ? ch_checkpoint(sync) : rc;
}

static int schema(ch_schema *s, const ch_config *config)
{
    ch_table *t = ch_schema_table(s, "t");
    ch_table_primary_key(t, "id");
    ch_table_column(t, "id", "INT");
    ch_table_column(t, "val", "STRING");
    return CH_OK;
}

static const ch_connector truncate_connector = {
    .name = "truncate",
    .description = "Soft truncate",
    .schema = schema,
    .update = update,
};

int connector_plugin_init(ch_registry *registry)
{
    return CH_REGISTER(registry, &truncate_connector);
}

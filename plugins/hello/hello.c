/*
 * hello.c - the smallest useful connector: one table, one row, no schema.
 *
 * A plugin exports connector_plugin_init(), which registers connectors. A
 * connector needs only a name and an update handler: with no schema handler
 * the host creates the table "hello" when it is first written to, and types
 * its columns from the values (here, message becomes STRING).
 *
 * The table has no primary key, so the host keys each row by _fivetran_id, a
 * hash of the row's values. The same values always hash to the same key: a
 * second run replaces the row rather than adding a copy.
 */
#include <connector-host.h>

static int hello_update(ch_sync *sync, const ch_config *config)
{
    (void)config; /* hello needs no configuration */

    ch_row *row = ch_row_new();
    if (row == NULL)
        return ch_fail(sync, "out of memory");
    ch_row_set_string(row, "message", "hello, world");
    /* Any failure is remembered by the host; we only pass CH_ERROR on. */
    int rc = ch_upsert(sync, "hello", row);
    ch_row_free(row);
    if (rc != CH_OK)
        return rc;

    ch_log_info(sync, "said hello");
    /* Commit the row. The state is still {}: hello has nothing to remember. */
    return ch_checkpoint(sync);
}

static const ch_connector hello = {
    .name = "hello",
    .description = "The smallest connector: upserts one row into a keyless table",
    .update = hello_update,
};

int connector_plugin_init(ch_registry *registry)
{
    return CH_REGISTER(registry, &hello);
}

/*
 * abi10.c - a plugin as built against ABI 1.0, before ch_connector grew: it
 * lays out the five 1.0 fields itself and registers with ch_register, as
 * such plugins do. A host that read a 1.1-sized structure from it would
 * read past the end of this one.
 */
#include <connector-host.h>

typedef struct connector_v10 {
    const char *name;
    const char *description;
    ch_schema_fn schema;
    ch_update_fn update;
    const ch_config_key *config_keys;
} connector_v10;

static int update(ch_sync *sync, const ch_config *config)
{
    ch_row *row = ch_row_new();
    int rc;
    (void)config;
    ch_row_set_int(row, "id", 1);
    ch_row_set_string(row, "built", "abi 1.0");
    rc = ch_upsert(sync, "t", row);
    ch_row_free(row);
    return rc == CH_OK ? ch_checkpoint(sync) : rc;
}

/* The last field, then bytes a 1.1 host must not take for user_data and shutdown. */
static const struct {
    connector_v10 def;
    const char *poison[2];
} abi10 = {{"abi10", "Built against ABI 1.0", NULL, update, NULL}, {"poison", "poison"}};

int connector_plugin_init(ch_registry *registry)
{
    return ch_register(registry, 1, (const ch_connector *)&abi10.def);
}

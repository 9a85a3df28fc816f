/* needsconfig.c - requires configuration keys; records only that it saw them. */
#include <connector-host.h>
#include <string.h>

static const ch_config_key keys[] = {
    {"api_key", "secret token for the source API", 1},
    {"region", "source region", 1},
    {"page_size", "rows per request", 0},
    {NULL, NULL, 0},
};

static int update(ch_sync *sync, const ch_config *config)
{
    ch_row *row = ch_row_new();
    int rc;
    ch_row_set_string(row, "region", ch_config_get(config, "region"));
    ch_row_set_long(row, "key_length", (int64_t)strlen(ch_config_get(config, "api_key")));
    rc = ch_upsert(sync, "seen", row);
    ch_row_free(row);
    ch_log_info(sync, "synced region %s", ch_config_get(config, "region"));
    return rc == CH_OK ? ch_checkpoint(sync) : rc;
}

static const ch_connector needsconfig = {
    .name = "needsconfig",
    .description = "Needs api_key and region",
    .update = update,
    .config_keys = keys,
};

int connector_plugin_init(ch_registry *registry)
{
    return CH_REGISTER(registry, &needsconfig);
}

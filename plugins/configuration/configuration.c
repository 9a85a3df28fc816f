/*
 * configuration.c - reading configuration.json, including a secret.
 *
 * The connector declares the keys it knows in .config_keys. The host refuses
 * to start a sync when a required key is missing, and lists the keys in
 * `connector-host schema configuration`, so the update handler can rely on
 * required keys being present and only has to check their values.
 *
 * Pretend source: an HTTP API with one base URL per region, authenticated by
 * api_key. The connector records which endpoints it would read, one row per
 * resource. The API key is a secret: it is checked, used, and never written
 * to a log, an error message, the state or the warehouse.
 */
#include <connector-host.h>
#include <stdio.h>
#include <string.h>

/* Ended by an entry whose name is NULL. required = 1: `run` refuses without it. */
static const ch_config_key keys[] = {
    {"api_key", "secret API token, starts with sk_; never logged", 1},
    {"region", "API region: us, eu or ap", 1},
    {"base_url", "overrides the region's URL, e.g. for a test server", 0},
    {NULL, NULL, 0},
};

/* The longest base_url accepted; the URLs built from it fit their buffers. */
#define MAX_URL 500

static const char *const regions[] = {"us", "eu", "ap"};
static const char *const resources[] = {"customers", "orders", "invoices"};

static int configuration_schema(ch_schema *schema, const ch_config *config)
{
    (void)config;
    ch_table *t = ch_schema_table(schema, "endpoints");
    ch_table_primary_key(t, "resource");
    ch_table_column(t, "resource", "STRING");
    ch_table_column(t, "region", "STRING");
    ch_table_column(t, "url", "STRING");
    ch_table_column(t, "authenticated", "BOOLEAN");
    return CH_OK;
}

/* The check a real client would make before sending the key anywhere. */
static int api_key_valid(const char *key)
{
    return strncmp(key, "sk_", 3) == 0 && strlen(key) > 3;
}

static int configuration_update(ch_sync *sync, const ch_config *config)
{
    /* Required keys are never NULL here: the host checked them before the sync. */
    const char *api_key = ch_config_get(config, "api_key");
    const char *region = ch_config_get(config, "region");
    const char *base_url = ch_config_get(config, "base_url"); /* optional: may be NULL */

    /* Presence is the host's job; meaning is ours. Name the key, quote a
       value only when it is not secret. */
    int known = 0;
    for (size_t i = 0; i < sizeof regions / sizeof regions[0]; i++)
        known |= strcmp(region, regions[i]) == 0;
    if (!known)
        return ch_fail(sync, "configuration: region '%s' is not one of us, eu, ap", region);
    if (!api_key_valid(api_key))
        return ch_fail(sync, "configuration: api_key is malformed (it must start with sk_)");

    /* Refuse a URL too long for our buffers rather than cut it: a cut URL
       would point somewhere else. */
    if (base_url != NULL && strlen(base_url) > MAX_URL)
        return ch_fail(sync, "configuration: base_url is longer than %d characters", MAX_URL);
    char url[MAX_URL + 1];
    if (base_url == NULL) {
        snprintf(url, sizeof url, "https://api.%s.example.com/v1", region);
        base_url = url;
    }
    /* Log what helps someone debugging the sync, and say the key is set
       without showing any of it (not even a prefix or its length). */
    ch_log_info(sync, "reading region %s from %s (api_key set, not shown)", region, base_url);

    ch_row *row = ch_row_new();
    if (row == NULL)
        return ch_fail(sync, "out of memory");
    int rc = CH_OK;
    for (size_t i = 0; i < sizeof resources / sizeof resources[0] && rc == CH_OK; i++) {
        char endpoint[MAX_URL + 32]; /* the URL, '/' and a resource name */
        snprintf(endpoint, sizeof endpoint, "%s/%s", base_url, resources[i]);
        ch_row_clear(row);
        ch_row_set_string(row, "resource", resources[i]);
        ch_row_set_string(row, "region", region);
        ch_row_set_string(row, "url", endpoint);
        /* Whether a key was used, never the key itself. */
        ch_row_set_boolean(row, "authenticated", 1);
        rc = ch_upsert(sync, "endpoints", row);
    }
    ch_row_free(row);
    return rc == CH_OK ? ch_checkpoint(sync) : rc;
}

static const ch_connector configuration = {
    .name = "configuration",
    .description = "Declares required configuration keys, one of them a secret",
    .schema = configuration_schema,
    .update = configuration_update,
    .config_keys = keys,
};

int connector_plugin_init(ch_registry *registry)
{
    return CH_REGISTER(registry, &configuration);
}

/*
 * badreg.c - registration mistakes for the error catalogue (tests/catalogue.sh).
 * The environment variable BADREG_CASE picks one, because registration runs
 * before any configuration is read; unset, the plugin registers `badreg` properly.
 */
#include <connector-host.h>
#include <stdlib.h>
#include <string.h>

static int update(ch_sync *sync, const ch_config *config)
{
    (void)config;
    return ch_checkpoint(sync);
}

static const ch_connector good = {
    .name = "badreg", .description = "Registers badly on request", .update = update};
static const ch_connector bad_name = {.name = "bad name!", .update = update};
static const ch_connector no_name = {.description = "no name", .update = update};
static const ch_connector no_update = {.name = "badreg", .description = "no update handler"};

int connector_plugin_init(ch_registry *registry)
{
    const char *c = getenv("BADREG_CASE");
    if (c == NULL || *c == '\0')
        return CH_REGISTER(registry, &good);
    if (strcmp(c, "null") == 0)
        return CH_REGISTER(registry, NULL);
    if (strcmp(c, "bad_name") == 0)
        return CH_REGISTER(registry, &bad_name);
    if (strcmp(c, "no_name") == 0)
        return CH_REGISTER(registry, &no_name);
    if (strcmp(c, "no_update") == 0)
        return CH_REGISTER(registry, &no_update);
    if (strcmp(c, "duplicate") == 0) {
        CH_REGISTER(registry, &good);
        return CH_REGISTER(registry, &good);
    }
    if (strcmp(c, "init_error") == 0)
        return 7; /* fails without saying why */
    return CH_REGISTER(registry, &good);
}

/* badabi.c - registers with an ABI version this host does not provide. */
#include <connector-host.h>

static int update(ch_sync *sync, const ch_config *config)
{
    (void)config;
    return ch_checkpoint(sync);
}

static const ch_connector badabi = {
    .name = "badabi",
    .description = "Built against a future ABI",
    .update = update,
};

int connector_plugin_init(ch_registry *registry)
{
    return ch_register(registry, CH_ABI_VERSION + 41, &badabi);
}

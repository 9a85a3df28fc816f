/* abinewer.c - registers as built against a newer minor ABI and a larger ch_connector. */
#include <connector-host.h>

static int update(ch_sync *sync, const ch_config *config)
{
    (void)config;
    return ch_checkpoint(sync);
}

static const struct {
    ch_connector def;
    void *added_later[2];
} newer = {{.name = "abinewer", .update = update}, {0, 0}};

int connector_plugin_init(ch_registry *registry)
{
    return ch_register_connector(registry, CH_ABI_VERSION, CH_ABI_MINOR + 1, sizeof newer,
                                 &newer.def);
}

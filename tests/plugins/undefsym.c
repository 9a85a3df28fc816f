/*
 * undefsym.c - a connector whose update handler calls a function that no
 * library defines: bound lazily, the call would kill the host mid-sync.
 */
#include <connector-host.h>

int no_such_function_anywhere(void);

static int update(ch_sync *sync, const ch_config *config)
{
    (void)config;
    if (no_such_function_anywhere() != 0)
        return CH_ERROR;
    return ch_checkpoint(sync);
}

static const ch_connector undefsym = {
    .name = "undefsym",
    .description = "Calls a function no library defines",
    .update = update,
};

int connector_plugin_init(ch_registry *registry)
{
    return CH_REGISTER(registry, &undefsym);
}

/*
 * initmark.c - a connector whose entry point leaves a mark: it creates the
 * file named by INITMARK (when set) before it registers `initmark`, so a test
 * can tell whether the host ran a plugin at all.
 */
#include <connector-host.h>
#include <stdio.h>
#include <stdlib.h>

static int update(ch_sync *sync, const ch_config *config)
{
    (void)config;
    return ch_checkpoint(sync);
}

static const ch_connector initmark = {
    .name = "initmark",
    .description = "Marks INITMARK when its plugin is initialised",
    .update = update,
};

int connector_plugin_init(ch_registry *registry)
{
    const char *mark = getenv("INITMARK");
    FILE *f = mark ? fopen(mark, "w") : NULL;
    if (f)
        fclose(f);
    return CH_REGISTER(registry, &initmark);
}

/* initexit.c - a plugin whose entry point ends the process (exit(0)), for the plugin scans. */
#include <connector-host.h>
#include <stdlib.h>

int connector_plugin_init(ch_registry *registry)
{
    (void)registry;
    exit(0);
}

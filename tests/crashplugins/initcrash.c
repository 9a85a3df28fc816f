/* initcrash.c - a plugin whose entry point crashes (SIGSEGV), for the plugin scans. */
#include <connector-host.h>
#include <signal.h>

int connector_plugin_init(ch_registry *registry)
{
    (void)registry;
    raise(SIGSEGV);
    return CH_ERROR;
}

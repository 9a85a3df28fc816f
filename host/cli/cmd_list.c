/* cmd_list.c - `connector-host list`: every connector found, and its plugin. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "plugin/loader.h"

static const char usage[] = "connector-host list [--plugin-dir DIR]... [--verbose]";

int cmd_list(int argc, char **argv)
{
    options opts;
    search_path sp;
    registry *reg = NULL;
    ch_error err;
    int status = options_parse(&opts, argc, argv, OPT_PLUGIN_DIR | OPT_VERBOSE | OPT_LOG, 0, usage);
    if (status != EXIT_OK || opts.help) {
        if (opts.help)
            printf("Usage: %s\n\nLists every connector in the plugin search path with its plugin "
                   "file and\ndescription; --verbose adds its configuration keys. Then the "
                   "runtimes, which\nbuild connectors from files (`connector-host run PATH`). "
                   "Plugins that cannot be\nloaded are reported as warnings on standard error.\n",
                   usage);
        options_free(&opts);
        return status;
    }
    err_clear(&err);
    if (loader_init(&err) != CH_OK || (reg = registry_new()) == NULL ||
        search_path_build(&sp, opts.req.plugin_dirs, opts.req.nplugin_dirs, &err) != CH_OK) {
        fprintf(stderr, "connector-host list: %s\n", err.msg[0] ? err.msg : "out of memory");
        registry_free(reg);
        options_free(&opts);
        return EXIT_USAGE;
    }
    loader_load_all(reg, &sp, &opts.req.log);
    if (reg->count == 0 && reg->nruntimes == 0)
        printf("no connectors found; searched %s\n", search_path_describe(&sp));
    for (size_t i = 0; i < reg->count; i++) {
        const registered *r = &reg->items[i];
        printf("%-20s %s\n  plugin: %s\n", r->def.name, r->def.description, r->plugin);
        for (const ch_config_key *k = r->def.config_keys; opts.verbose && k && k->name; k++)
            printf("  configuration: %s (%s)%s\n", k->name,
                   k->description ? k->description : "no description",
                   (k->required & CH_KEY_REQUIRED) ? ", required" : "");
    }
    if (reg->nruntimes)
        printf("\nruntimes (connector-host run PATH):\n");
    for (size_t i = 0; i < reg->nruntimes; i++)
        printf("%-20s %s\n  plugin: %s\n", reg->runtimes[i].def.name,
               reg->runtimes[i].def.description, reg->runtimes[i].plugin);
    search_path_free(&sp);
    registry_free(reg);
    loader_exit();
    options_free(&opts);
    return EXIT_OK;
}

/* cmd_list.c - `connector-host list`: every connector found, and its plugin. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "plugin/loader.h"

static const char usage[] = "connector-host list [--plugin-dir DIR]... [--verbose]";

/*
 * The registry keeps connectors and runtimes in the order their plugins were
 * loaded, which follows the order of directory entries on disk: list sorts
 * them by name, so that its output is the same on every machine.
 */
static int connector_order(const void *a, const void *b)
{
    const registered *const *x = a, *const *y = b;
    return strcmp((*x)->def.name, (*y)->def.name);
}

static int runtime_order(const void *a, const void *b)
{
    const registered_runtime *const *x = a, *const *y = b;
    return strcmp((*x)->def.name, (*y)->def.name);
}

int cmd_list(int argc, char **argv)
{
    options opts;
    search_path sp;
    registry *reg = NULL;
    const registered **items = NULL;
    const registered_runtime **runtimes = NULL;
    ch_error err;
    int status = options_parse(&opts, argc, argv, OPT_PLUGIN_DIR | OPT_VERBOSE | OPT_LOG, 0, usage);
    if (status != EXIT_OK || opts.help) {
        if (opts.help)
            printf("Usage: %s\n\nLists every connector in the plugin search path, sorted by "
                   "name, with its\nplugin file and description; --verbose adds its "
                   "configuration keys. Then the\nruntimes, which build connectors from files "
                   "(`connector-host run PATH`), sorted\ntoo. Plugins that cannot be loaded are "
                   "reported as warnings on standard error.\n",
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
    if ((reg->count && (items = malloc(reg->count * sizeof *items)) == NULL) ||
        (reg->nruntimes && (runtimes = malloc(reg->nruntimes * sizeof *runtimes)) == NULL)) {
        fprintf(stderr, "connector-host list: out of memory\n");
        free(items);
        search_path_free(&sp);
        registry_free(reg);
        loader_exit();
        options_free(&opts);
        return EXIT_USAGE;
    }
    for (size_t i = 0; i < reg->count; i++)
        items[i] = &reg->items[i];
    for (size_t i = 0; i < reg->nruntimes; i++)
        runtimes[i] = &reg->runtimes[i];
    if (reg->count)
        qsort(items, reg->count, sizeof *items, connector_order);
    if (reg->nruntimes)
        qsort(runtimes, reg->nruntimes, sizeof *runtimes, runtime_order);
    if (reg->count == 0 && reg->nruntimes == 0)
        printf("no connectors found; searched %s\n", search_path_describe(&sp));
    for (size_t i = 0; i < reg->count; i++) {
        const registered *r = items[i];
        printf("%-20s %s\n  plugin: %s\n", r->def.name, r->def.description, r->plugin);
        for (const ch_config_key *k = r->def.config_keys; opts.verbose && k && k->name; k++)
            printf("  configuration: %s (%s)%s\n", k->name,
                   k->description ? k->description : "no description",
                   (k->required & CH_KEY_REQUIRED) ? ", required" : "");
    }
    if (reg->nruntimes)
        printf("\nruntimes (connector-host run PATH):\n");
    for (size_t i = 0; i < reg->nruntimes; i++)
        printf("%-20s %s\n  plugin: %s\n", runtimes[i]->def.name, runtimes[i]->def.description,
               runtimes[i]->plugin);
    free(items);
    free(runtimes);
    search_path_free(&sp);
    registry_free(reg);
    loader_exit();
    options_free(&opts);
    return EXIT_OK;
}

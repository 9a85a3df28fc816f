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

/* Prints the connectors, then the runtimes, each sorted by name; CH_ERROR when out of memory. */
static int print_sorted(const registry *reg, const search_path *sp, int verbose)
{
    const registered **items = calloc(reg->count + 1, sizeof *items);
    const registered_runtime **runtimes = calloc(reg->nruntimes + 1, sizeof *runtimes);
    if (items == NULL || runtimes == NULL) {
        free(items);
        free(runtimes);
        return CH_ERROR;
    }
    for (size_t i = 0; i < reg->count; i++)
        items[i] = &reg->items[i];
    for (size_t i = 0; i < reg->nruntimes; i++)
        runtimes[i] = &reg->runtimes[i];
    qsort(items, reg->count, sizeof *items, connector_order);
    qsort(runtimes, reg->nruntimes, sizeof *runtimes, runtime_order);
    if (reg->count == 0 && reg->nruntimes == 0)
        printf("no connectors found; searched %s\n", search_path_describe(sp));
    for (size_t i = 0; i < reg->count; i++) {
        const registered *r = items[i];
        printf("%-20s %s\n  plugin: %s\n", r->def.name, r->def.description, r->plugin);
        for (const ch_config_key *k = r->def.config_keys; verbose && k && k->name; k++)
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
    return CH_OK;
}

int cmd_list(int argc, char **argv)
{
    options opts;
    search_path sp;
    registry *reg = NULL;
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
    if (print_sorted(reg, &sp, opts.verbose) != CH_OK) {
        fprintf(stderr, "connector-host list: out of memory\n");
        status = EXIT_USAGE;
    }
    search_path_free(&sp);
    registry_free(reg);
    loader_exit();
    options_free(&opts);
    return status;
}

/* main.c - connector-host: dispatches to the commands of commands.c. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void print_help(FILE *out)
{
    fprintf(out, "Usage: connector-host COMMAND [OPTIONS]\n"
                 "\n"
                 "Runs data connectors (plugins) and applies what they emit to a warehouse.\n"
                 "\n"
                 "Commands:\n");
    for (const cli_command *c = commands; c->name; c++)
        fprintf(out, "  %-20s %s\n", c->synopsis, c->summary);
    fprintf(out,
            "\n"
            "Options:\n"
            "  --help               show this help; 'connector-host COMMAND --help' for a command\n"
            "  --version            show the version\n"
            "\n"
            "Plugins are searched in each --plugin-dir, then each directory of\n"
            "CONNECTOR_PLUGIN_PATH (colon-separated), then the build tree's plugins when\n"
            "run from it, then %s.\n"
            "\n"
            "Exit status: 0 success; 1 the sync failed; 2 bad usage, configuration or plugin.\n",
            PLUGIN_DIR);
}

/* "run, list, schema, reset, new" */
static void print_names(FILE *out)
{
    for (const cli_command *c = commands; c->name; c++)
        fprintf(out, "%s%s", c == commands ? "" : ", ", c->name);
}

int main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : NULL;
    const cli_command *c;
    if (name == NULL) {
        print_help(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        print_help(stdout);
        return EXIT_OK;
    }
    if (strcmp(name, "--version") == 0) {
        printf("connector-host %s (plugin ABI version %d)\n", PACKAGE_VERSION, CH_ABI_VERSION);
        return EXIT_OK;
    }
    if ((c = command_find(name)) != NULL)
        return c->run(argc - 1, argv + 1);
    fprintf(stderr, "connector-host: unknown command '%s' (", name);
    print_names(stderr);
    fprintf(stderr, ")\nTry 'connector-host --help'.\n");
    return EXIT_USAGE;
}

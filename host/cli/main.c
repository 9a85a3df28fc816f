/* main.c - connector-host: dispatches to the commands. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void print_help(FILE *out)
{
    fprintf(out,
            "Usage: connector-host COMMAND [OPTIONS]\n"
            "\n"
            "Runs data connectors (plugins) and applies what they emit to a warehouse.\n"
            "\n"
            "Commands:\n"
            "  run NAME     run one sync of connector NAME\n"
            "  list         list every connector found, with its plugin file\n"
            "  schema NAME  print the connector's declared schema as JSON\n"
            "  reset        forget the state and drop the local warehouse\n"
            "  new NAME     write a new connector, ready to build, into ./NAME\n"
            "\n"
            "Options:\n"
            "  --help       show this help; 'connector-host COMMAND --help' for a command\n"
            "  --version    show the version\n"
            "\n"
            "Plugins are searched in each --plugin-dir, then each directory of\n"
            "CONNECTOR_PLUGIN_PATH (colon-separated), then the build tree's plugins when\n"
            "run from it, then %s.\n"
            "\n"
            "Exit status: 0 success; 1 the sync failed; 2 bad usage, configuration or plugin.\n",
            PLUGIN_DIR);
}

int main(int argc, char **argv)
{
    const char *command = argc > 1 ? argv[1] : NULL;
    if (command == NULL) {
        print_help(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(command, "--help") == 0 || strcmp(command, "-h") == 0 ||
        strcmp(command, "help") == 0) {
        print_help(stdout);
        return EXIT_OK;
    }
    if (strcmp(command, "--version") == 0) {
        printf("connector-host %s (plugin ABI version %d)\n", PACKAGE_VERSION, CH_ABI_VERSION);
        return EXIT_OK;
    }
    if (strcmp(command, "run") == 0)
        return cmd_run(argc - 1, argv + 1);
    if (strcmp(command, "list") == 0)
        return cmd_list(argc - 1, argv + 1);
    if (strcmp(command, "schema") == 0)
        return cmd_schema(argc - 1, argv + 1);
    if (strcmp(command, "reset") == 0)
        return cmd_reset(argc - 1, argv + 1);
    if (strcmp(command, "new") == 0)
        return cmd_new(argc - 1, argv + 1);
    fprintf(stderr,
            "connector-host: unknown command '%s' (run, list, schema, reset, new)\n"
            "Try 'connector-host --help'.\n",
            command);
    return EXIT_USAGE;
}

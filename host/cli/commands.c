/* commands.c - the table of commands that main(), --help and the unknown-command error read. */
#include <string.h>

#include "cli.h"

const cli_command commands[] = {
    {"run", cmd_run, "run NAME|PATH",
     "run one sync of connector NAME, or of the connector.py at PATH"},
    {"list", cmd_list, "list", "list every connector found, with its plugin file"},
    {"schema", cmd_schema, "schema NAME|PATH", "print the connector's declared schema as JSON"},
    {"state", cmd_state, "state NAME|PATH", "print the state the connector committed, as JSON"},
    {"reset", cmd_reset, "reset", "forget the state and drop the local warehouse"},
    {"new", cmd_new, "new NAME [--python]",
     "write a new connector (C, or Python with --python) into ./NAME"},
    {NULL, NULL, NULL, NULL},
};

const cli_command *command_find(const char *name)
{
    for (const cli_command *c = commands; c->name; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

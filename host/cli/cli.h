/* cli.h - command-line options shared by the commands, and the commands themselves. */
#ifndef HOST_CLI_H
#define HOST_CLI_H

#include <stddef.h>

#include "sync/request.h"

/* Which options a command accepts. */
enum {
    OPT_PLUGIN_DIR = 1 << 0,
    OPT_WORKING_DIR = 1 << 1,
    OPT_CONFIGURATION = 1 << 2,
    OPT_DESTINATION = 1 << 3,
    OPT_LOG = 1 << 4,
    OPT_VERBOSE = 1 << 5,
    OPT_DRY_RUN = 1 << 6,
    OPT_NAMING = 1 << 7,
    OPT_STATE = 1 << 8,
    OPT_FIXED_TIME = 1 << 9,
    OPT_MASK = 1 << 10,
    OPT_PROGRESS = 1 << 11
};

typedef struct options {
    sync_request req; /* what run and schema hand to the sync stage */
    int verbose;
    int help;
    int working_dir_given;
    char *project_dir; /* a runtime path's directory: the default working directory */
} options;

/*
 * Parses argv (argv[0] is the command) into opts, allowing only the given
 * options and, with wants_name, one connector name. Prints usage errors.
 */
int options_parse(options *opts, int argc, char **argv, unsigned allowed, int wants_name,
                  const char *usage);

/* Frees what options_parse allocated. */
void options_free(options *opts);

/* A command: argv[0] is its name; returns the exit status. */
typedef int (*cli_command_fn)(int argc, char **argv);

typedef struct cli_command {
    const char *name;
    cli_command_fn run;
    const char *synopsis; /* "run NAME", for the command list of --help */
    const char *summary;  /* one line */
} cli_command;

/* Every command, in the order --help lists them; NULL-named at the end (commands.c). */
extern const cli_command commands[];

/* The command of that name, or NULL. */
const cli_command *command_find(const char *name);

int cmd_run(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_schema(int argc, char **argv);
int cmd_reset(int argc, char **argv);
int cmd_state(int argc, char **argv);
int cmd_new(int argc, char **argv);

#endif

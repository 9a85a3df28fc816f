/* cli.h - command-line options shared by the commands, and the commands themselves. */
#ifndef HOST_CLI_H
#define HOST_CLI_H

#include <stddef.h>

#include "base/log.h"

enum exit_status { EXIT_OK = 0, EXIT_SYNC_FAILED = 1, EXIT_USAGE = 2 };

/* Which options a command accepts. */
enum {
    OPT_PLUGIN_DIR = 1 << 0,
    OPT_WORKING_DIR = 1 << 1,
    OPT_CONFIGURATION = 1 << 2,
    OPT_DESTINATION = 1 << 3,
    OPT_LOG = 1 << 4,
    OPT_VERBOSE = 1 << 5,
    OPT_DRY_RUN = 1 << 6
};

typedef struct options {
    char **plugin_dirs;
    size_t nplugin_dirs;
    const char *working_dir;
    const char *configuration;
    const char *destination;
    logger log;
    int verbose;
    int dry_run;
    const char *name; /* the connector, for run and schema */
    int help;
} options;

/*
 * Parses argv (argv[0] is the command) into opts, allowing only the given
 * options and, with wants_name, one connector name. Prints usage errors.
 */
int options_parse(options *opts, int argc, char **argv, unsigned allowed, int wants_name,
                  const char *usage);

/* Frees what options_parse allocated. */
void options_free(options *opts);

int cmd_run(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_schema(int argc, char **argv);
int cmd_reset(int argc, char **argv);
int cmd_new(int argc, char **argv);

#endif

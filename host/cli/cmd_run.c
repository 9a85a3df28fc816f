/* cmd_run.c - `connector-host run NAME`: its options and help; the sync itself is sync_run(). */
#include <stdio.h>

#include "cli.h"
#include "dest/dest.h"
#include "sync/sync.h"

static const char usage[] =
    "connector-host run NAME|PATH [--plugin-dir DIR]... [--working-dir DIR] "
    "[--configuration FILE] [--destination SPEC] [--state FILE] [--dry-run] "
    "[--naming fivetran|source] [--fixed-time TIME] [--mask NAME]... [--log-level LEVEL] "
    "[--log-format text|json] [--progress auto|tty|log|none] [--progress-interval SECONDS] "
    "[--quiet]";

static void print_help(void)
{
    size_t nkinds;
    const dest_kind *const *kinds = dest_kinds(&nkinds);
    printf("Usage: %s\n\n"
           "Runs one sync of connector NAME: loads the last committed state, calls the\n"
           "connector's update handler, and applies its operations to the destination,\n"
           "committing them together with the state at every checkpoint.\n"
           "A PATH instead of a NAME (it has a '/' or a '.': ., ./my_connector,\n"
           "connector.py) is a connector built from files by the runtime that claims it:\n"
           "the Python runtime runs Fivetran Connector SDK connector.py files.\n\n"
           "  --plugin-dir DIR      search DIR for plugins first (repeatable)\n"
           "  --working-dir DIR     where files/ (warehouse, state) lives; default ., or\n"
           "                        PATH's project directory when a PATH is run; each\n"
           "                        connector's state is files/state/NAME.json, and\n"
           "                        files/state.json a copy of the first one's\n"
           "  --configuration FILE  flat JSON object of strings; default\n"
           "                        WORKDIR/configuration.json if it exists, else {}\n"
           "  --destination SPEC    where the data goes, one of:\n",
           usage);
    for (size_t k = 0; k < nkinds; k++)
        fputs(kinds[k]->help, stdout);
    printf("  --state FILE          start from the state in FILE (a JSON object) instead\n"
           "                        of the committed one, with a warning; the sync's\n"
           "                        checkpoints then replace the committed state\n"
           "  --dry-run             check the schema and every operation against the\n"
           "                        warehouse, then roll back: nothing is committed, and\n"
           "                        neither the warehouse nor a state file changes\n"
           "  --naming NAMING       fivetran (default): table and column names in\n"
           "                        lower-case snake_case, as Fivetran names them;\n"
           "                        source: names exactly as the connector writes them\n"
           "  --fixed-time TIME     for tests only: _fivetran_synced from a clock that\n"
           "                        starts at TIME (UTC, from 1970 on, e.g.\n"
           "                        2000-01-01T00:00:00Z) and moves one microsecond per\n"
           "                        operation, so that a run's warehouse is the same\n"
           "                        every time\n"
           "  --mask NAME           for tests only, with a jsonl destination: writes the\n"
           "                        values of column NAME of every table (and of the\n"
           "                        state's key NAME), or of TABLE.COLUMN, as \"<masked>\",\n"
           "                        for values that vary from run to run (repeatable)\n"
           "  --log-level LEVEL     FINE, INFO (default), WARNING or SEVERE\n"
           "  --log-format FORMAT   text (default) or json, one object per line\n"
           "  --progress MODE       how a long sync shows its progress on standard error:\n"
           "                        tty: one line (operations, rate, tables, last\n"
           "                        checkpoint, elapsed) redrawn in place and erased\n"
           "                        before the summary; log: that as an INFO log line\n"
           "                        every interval; none: nothing; auto (default): tty\n"
           "                        when standard error is a terminal, else log\n"
           "  --progress-interval SECONDS\n"
           "                        between progress updates, from 0.1 to 86400;\n"
           "                        default 1 for tty, 5 for log\n"
           "  --quiet               no progress: the same as --progress none\n\n"
           "Logs and progress go to standard error, the summary to standard output: per\n"
           "table, the operations committed, those rolled back when the sync failed, and\n"
           "the rows in the warehouse afterwards (live and soft-deleted), where the\n"
           "destination can count them (sqlite, postgresql; not jsonl).\n"
           "Exit status: 0 success; 1 the sync failed; 2 bad usage, configuration or plugin;\n"
           "75 another sync of the connector holds its lock or took it over: try again later.\n");
}

int cmd_run(int argc, char **argv)
{
    options opts;
    int status = options_parse(&opts, argc, argv,
                               OPT_PLUGIN_DIR | OPT_WORKING_DIR | OPT_CONFIGURATION |
                                   OPT_DESTINATION | OPT_LOG | OPT_DRY_RUN | OPT_NAMING |
                                   OPT_STATE | OPT_FIXED_TIME | OPT_MASK | OPT_PROGRESS,
                               1, usage);
    if (status == EXIT_OK && opts.help)
        print_help();
    else if (status == EXIT_OK)
        status = sync_run(&opts.req);
    options_free(&opts);
    return status;
}

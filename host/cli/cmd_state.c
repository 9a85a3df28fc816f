/*
 * cmd_state.c - `connector-host state NAME`: the committed state of a
 * connector, the one `run` with the same working directory and destination
 * would start from, read exactly as run reads it and without writing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "dest/dest.h"
#include "plugin/registry.h"
#include "sync/session.h"
#include "sync/state.h"
#include "sync/state_policy.h"
#include "sync/workdir.h"

static const char usage[] =
    "connector-host state NAME|PATH [--working-dir DIR] [--destination SPEC] "
    "[--plugin-dir DIR]... [--log-level LEVEL] [--log-format text|json]";

static void print_help(void)
{
    printf("Usage: %s\n\n"
           "Prints the state connector NAME committed, as one line of JSON: the state\n"
           "`connector-host run NAME` with the same --working-dir and --destination\n"
           "would start from. Without --destination: from WORKDIR/files/warehouse.db\n"
           "when there is one, else from the state files a jsonl run keeps\n"
           "(WORKDIR/files/state/NAME.json). {} when there is none. Writes nothing;\n"
           "standard error says where the state came from, and of every file that\n"
           "differs from it. The output can seed a run: run NAME --state FILE.\n"
           "A PATH (with a '/' or a '.': ., ./dir, connector.py) is built by the runtime\n"
           "that claims it, as for run, which names the connector; its project directory\n"
           "is then the default working directory.\n\n"
           "  --working-dir DIR     where files/ lives; default . (or PATH's project)\n"
           "  --destination SPEC    the warehouse to read: sqlite:PATH, postgresql://...\n"
           "                        or clickhouse://...; jsonl:PATH reads what a jsonl run\n"
           "                        starts from (the file PATH is not touched)\n"
           "  --plugin-dir DIR      search DIR for plugins first, for a PATH's runtime\n"
           "  --log-level LEVEL     FINE, INFO (default), WARNING or SEVERE\n"
           "  --log-format FORMAT   text (default) or json, one object per line\n\n"
           "Exit status: 0 the state is printed; 1 it cannot be read; 2 bad usage.\n",
           usage);
}

static int fail(int status, const char *message)
{
    fprintf(stderr, "connector-host state: %s\n", message);
    return status;
}

/* The connector's name: NAME itself, or what the runtime that claims PATH names it. */
static int resolve_name(options *opts, char **name, ch_error *err)
{
    session ses;
    int status;
    if (!registry_is_path(opts->req.name)) {
        if (!registry_valid_name(opts->req.name))
            return err_set(err,
                           "connector name '%s' is not valid: 1 to 100 letters, digits, '_' or "
                           "'-'",
                           opts->req.name),
                   EXIT_USAGE;
        *name = strdup(opts->req.name);
        return *name ? EXIT_OK : (err_set(err, "out of memory"), EXIT_USAGE);
    }
    status = session_find(&ses, &opts->req, err);
    if (status == EXIT_OK && (*name = strdup(ses.connector->def.name)) == NULL)
        status = (err_set(err, "out of memory"), EXIT_USAGE);
    session_close(&ses);
    return status;
}

/* Reads the committed state into st the way a run would, writing nothing. */
static int read_state(const options *opts, const char *name, const workdir *w, state *st,
                      int *found, ch_error *err)
{
    const char *spec = opts->req.destination;
    char *default_spec = NULL;
    const dest_kind *kind;
    dest *d = NULL;
    struct stat sb;
    state_plan plan;
    int rc;
    if (spec == NULL && stat(w->warehouse, &sb) == 0) {
        if ((default_spec = workdir_warehouse_spec(w)) == NULL)
            return err_set(err, "out of memory");
        spec = default_spec;
    }
    /* no warehouse here: the files are what a run into jsonl would read */
    kind = dest_kind_of(spec ? spec : "jsonl:");
    if (strcmp(kind->name, "sqlite") == 0 && stat(strchr(spec, ':') + 1, &sb) != 0) {
        /* opening would make an empty warehouse in memory: say what is really there */
        fprintf(stderr, "connector-host state: %s does not exist, so it holds no state\n",
                strchr(spec, ':') + 1);
        free(default_spec);
        *found = -1;
        return CH_OK;
    }
    if (kind->flags & DEST_KEEPS_STATE) {
        dest_open_opts ro = {1, NULL, NULL, NULL,
                             0}; /* as a dry run: creates nothing, changes nothing */
        if (dest_open(spec, &ro, &d, err) != CH_OK) {
            free(default_spec);
            return CH_ERROR;
        }
    }
    {
        state_plan_request pr = {d,    kind, name, w, &opts->req.log, "connector-host state",
                                 NULL, NULL};
        rc = state_plan_load(&plan, &pr, st, err);
        *found = plan.found;
        /* a warehouse elsewhere (PostgreSQL) cannot be opened from NAME.store: it has no password
         */
        if (rc == CH_OK && d == NULL && plan.found && plan.file.store &&
            strcmp(plan.file.store, STATE_STORE_JSONL) != 0)
            fprintf(stderr,
                    "connector-host state: this is the working directory's copy; to read the "
                    "state in %s itself, give it as --destination\n",
                    plan.file.store);
        state_plan_close(&plan);
    }
    if (d)
        d->ops->close(d);
    free(default_spec);
    return rc;
}

int cmd_state(int argc, char **argv)
{
    options opts;
    workdir w;
    ch_error err;
    state *st = NULL;
    char *name = NULL;
    int found = 0,
        status =
            options_parse(&opts, argc, argv,
                          OPT_PLUGIN_DIR | OPT_WORKING_DIR | OPT_DESTINATION | OPT_LOG, 1, usage);
    memset(&w, 0, sizeof w);
    w.lock_fd = -1;
    if (status != EXIT_OK || opts.help) {
        if (opts.help)
            print_help();
        goto out;
    }
    if ((status = resolve_name(&opts, &name, &err)) != EXIT_OK ||
        (opts.req.destination && dest_check(opts.req.destination, &err) != CH_OK) ||
        workdir_open(&w, opts.req.working_dir, 0, &err) != CH_OK) {
        status = fail(EXIT_USAGE, err.msg);
        goto out;
    }
    if (workdir_reset_pending(&w)) {
        err_set(&err,
                "%s: a reset was interrupted, so its state is half removed; run "
                "`connector-host reset` to finish it",
                w.files);
        status = fail(EXIT_SYNC_FAILED, err.msg);
        goto out;
    }
    if ((st = state_new()) == NULL || read_state(&opts, name, &w, st, &found, &err) != CH_OK) {
        status = fail(st ? exit_status_of(&err) : EXIT_SYNC_FAILED, st ? err.msg : "out of memory");
        goto out;
    }
    if (state_json(st) == NULL) {
        status = fail(EXIT_SYNC_FAILED, "out of memory");
        goto out;
    }
    if (found == 0) {
        char others[1024];
        state_file_list(&w, others, sizeof others);
        fprintf(stderr, "connector-host state: no state committed for connector '%s' in %s%s%s\n",
                name, w.root, others[0] ? "; connectors with a state file there: " : "", others);
    }
    printf("%s\n", state_json(st));
    status = EXIT_OK;
out:
    state_free(st);
    free(name);
    workdir_close(&w);
    options_free(&opts);
    return status;
}

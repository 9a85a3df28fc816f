/* cmd_run.c - `connector-host run NAME`: one sync, from lock to summary. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "dest/dest.h"
#include "base/json.h"
#include "sync/session.h"
#include "sync/signals.h"
#include "sync/sink.h"
#include "sync/state.h"
#include "sync/summary.h"
#include "sync/workdir.h"

static const char usage[] =
    "connector-host run NAME [--plugin-dir DIR]... [--working-dir DIR] "
    "[--configuration FILE] [--destination SPEC] [--dry-run] [--log-level LEVEL] "
    "[--log-format text|json]";

static void print_help(void)
{
    printf("Usage: %s\n\n"
           "Runs one sync of connector NAME: loads the last committed state, calls the\n"
           "connector's update handler, and applies its operations to the destination,\n"
           "committing them together with the state at every checkpoint.\n\n"
           "  --plugin-dir DIR      search DIR for plugins first (repeatable)\n"
           "  --working-dir DIR     where files/ (warehouse, state) lives; default .\n"
           "  --configuration FILE  flat JSON object of strings; default\n"
           "                        WORKDIR/configuration.json if it exists, else {}\n"
           "  --destination SPEC    sqlite:PATH (default sqlite:WORKDIR/files/warehouse.db);\n"
           "                        postgresql://USER@HOST/DB?schema=NAME; or jsonl:PATH,\n"
           "                        the operation stream as JSON lines (jsonl:- for\n"
           "                        standard output; the summary then goes to standard\n"
           "                        error; state stays in WORKDIR/files/state.json)\n"
           "  --dry-run             check the schema and every operation against the\n"
           "                        warehouse, then roll back: nothing is committed, and\n"
           "                        neither the warehouse nor state.json changes\n"
           "  --log-level LEVEL     FINE, INFO (default), WARNING or SEVERE\n"
           "  --log-format FORMAT   text (default) or json, one object per line\n\n"
           "Logs go to standard error, the summary to standard output.\n"
           "Exit status: 0 success; 1 the sync failed; 2 bad usage, configuration or plugin.\n",
           usage);
}

static int write_state_file(void *ctx, const char *json, ch_error *err)
{
    const char *path = ctx;
    return write_file_atomic(path, json, strlen(json), err);
}

/* jsonl:- owns standard output, even before the destination is open: reports go to stderr. */
static int stream_on_stdout(const options *opts)
{
    return opts->destination && strcmp(opts->destination, "jsonl:-") == 0;
}

static int exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* For a destination that keeps no state (jsonl): state.json is the state. */
static int load_state_file(const workdir *w, const char *connector, const logger *lg, state *st,
                           ch_error *err)
{
    char *text = NULL;
    size_t len = 0;
    int rc;
    if (!exists(w->state)) {
        log_msg(lg, CH_LOG_INFO, "host", "no %s for connector '%s': starting fresh", w->state,
                connector);
        return CH_OK;
    }
    if (file_read_all(w->state, &text, &len, err) != CH_OK)
        return CH_ERROR;
    rc = state_replace(st, text, len, w->state, err);
    free(text);
    return rc;
}

/* Loads the warehouse's state; the warehouse wins over files/state.json, which is rewritten. */
static int load_state(dest *d, const char *connector, const workdir *w, const logger *lg,
                      int dry_run, state *st, ch_error *err)
{
    char *stored = NULL, *file = NULL;
    size_t file_len = 0;
    ch_error ignored;
    int rc;
    if (d->ops->load_state == NULL)
        return load_state_file(w, connector, lg, st, err);
    if (d->ops->load_state(d, connector, &stored, err) != CH_OK)
        return CH_ERROR;
    if (stored == NULL) {
        log_msg(lg, CH_LOG_INFO, "host", "no state stored for connector '%s': starting fresh",
                connector);
        return CH_OK;
    }
    rc = state_replace(st, stored, strlen(stored), "warehouse state", err);
    if (rc == CH_OK) {
        const char *canonical = state_json(st);
        if (file_read_all(w->state, &file, &file_len, &ignored) != CH_OK ||
            strcmp(file, canonical) != 0) {
            log_msg(lg, CH_LOG_WARNING, "host",
                    "%s is missing or differs from the state committed in the warehouse; "
                    "using the warehouse's and %s",
                    w->state, dry_run ? "leaving the file alone (dry run)" : "rewriting the file");
            if (!dry_run)
                rc = write_file_atomic(w->state, canonical, strlen(canonical), err);
        }
    }
    free(file);
    free(stored);
    return rc;
}

/*
 * The destination to open: the option, else the working directory's
 * warehouse. A dry run never creates a warehouse: with none yet, it checks
 * against an empty one in memory.
 */
static char *destination_spec(const options *opts, const workdir *w)
{
    const char *path = w->warehouse;
    char *spec;
    if (opts->destination) {
        if (!opts->dry_run || strncmp(opts->destination, "sqlite:", 7) != 0)
            return strdup(opts->destination);
        path = opts->destination + 7;
    }
    if (opts->dry_run && !exists(path)) {
        log_msg(&opts->log, CH_LOG_INFO, "host",
                "dry run: %s does not exist yet, so checking against an empty warehouse in memory",
                path);
        path = ":memory:";
    }
    if ((spec = malloc(strlen(path) + 8)) != NULL)
        sprintf(spec, "sqlite:%s", path);
    return spec;
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

int cmd_run(int argc, char **argv)
{
    options opts;
    session ses;
    workdir w;
    dest *d = NULL;
    state *st = NULL;
    sink s;
    ch_error err;
    char *spec = NULL;
    struct timespec start;
    int status, sink_ready = 0;
    const char *failure = NULL;
    FILE *report;

    clock_gettime(CLOCK_MONOTONIC, &start);
    status = options_parse(&opts, argc, argv,
                           OPT_PLUGIN_DIR | OPT_WORKING_DIR | OPT_CONFIGURATION | OPT_DESTINATION |
                               OPT_LOG | OPT_DRY_RUN,
                           1, usage);
    if (status != EXIT_OK || opts.help) {
        if (opts.help)
            print_help();
        options_free(&opts);
        return status;
    }
    memset(&w, 0, sizeof w);
    w.lock_fd = -1;
    status = session_open(&ses, &opts, 1, &err);
    if (status != EXIT_OK)
        goto early;
    /* a destination or working directory that cannot be used is bad usage, not a failed sync */
    status = EXIT_USAGE;
    if ((opts.destination && dest_check(opts.destination, &err) != CH_OK) ||
        workdir_open(&w, opts.working_dir, !opts.dry_run, &err) != CH_OK)
        goto early;
    if (opts.dry_run && opts.destination && strncmp(opts.destination, "jsonl:", 6) == 0) {
        err_set(&err, "--dry-run does not apply to a jsonl destination, which commits nothing "
                      "but its own stream; use a scratch --working-dir to leave state.json alone");
        goto early;
    }
    status = EXIT_SYNC_FAILED;
    /* a dry run creates nothing, not even files/ for the lock */
    if ((!opts.dry_run || exists(w.files)) && workdir_lock(&w, &err) != CH_OK)
        goto early;
    spec = destination_spec(&opts, &w);
    if (spec == NULL || (st = state_new()) == NULL) {
        err_set(&err, "out of memory");
        goto early;
    }
    if (dest_open(spec, opts.dry_run, &d, &err) != CH_OK)
        goto early;
    if (load_state(d, opts.name, &w, &opts.log, opts.dry_run, st, &err) != CH_OK ||
        sink_init(&s, opts.name, ses.schema, ses.config, d, st, &opts.log, &err) != CH_OK)
        goto early;
    sink_ready = 1;
    if (!opts.dry_run) {
        s.on_commit = write_state_file;
        s.on_commit_ctx = w.state;
    }

    log_msg(&opts.log, CH_LOG_INFO, "host", "sync of connector '%s' (%s) into %s, state %s",
            opts.name, ses.connector->plugin, d->description, state_json(st));
    s.stop = &signals_stop;
    signals_install(opts.name, ses.connector->plugin);
    if (ses.connector->def.update(&s, ses.config) != CH_OK && !s.failed)
        ch_fail(&s, "the update handler returned an error");
    if (!s.failed)
        sink_finish(&s);
    if (s.failed) {
        failure = s.error.msg;
        sink_abort(&s);
        log_msg(&opts.log, CH_LOG_SEVERE, "host", "sync of connector '%s' failed: %s", opts.name,
                failure);
    }
    status = failure ? EXIT_SYNC_FAILED : EXIT_OK;
    report = stream_on_stdout(&opts) ? stderr : stdout;
    summary_print(report, &s, opts.log.json, seconds_since(&start), failure);
    if (opts.dry_run && !opts.log.json)
        fprintf(report, "DRY RUN: nothing was committed; the warehouse and state.json are "
                        "unchanged\n");
    signals_restore();
    goto done;

early:
    log_msg(&opts.log, CH_LOG_SEVERE, "host", "%s", err.msg);
    if (status == EXIT_SYNC_FAILED)
        summary_print_failure(stream_on_stdout(&opts) ? stderr : stdout, opts.name, opts.log.json,
                              err.msg);
done:
    if (sink_ready)
        sink_free(&s);
    if (d)
        d->ops->close(d);
    state_free(st);
    free(spec);
    workdir_close(&w);
    session_close(&ses);
    options_free(&opts);
    return status;
}

/*
 * sync.c - one sync, from loading the connector to the summary; where its
 * state comes from and goes to is state_policy.c's: a dry run writes none.
 */
#include "sync.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/json.h"
#include "base/utf8.h"
#include "dest/dest.h"
#include "progress.h"
#include "rows.h"
#include "session.h"
#include "signals.h"
#include "sink.h"
#include "state.h"
#include "state_file.h"
#include "state_policy.h"
#include "summary.h"
#include "workdir.h"

/* A state up to this many bytes is shown at INFO when the sync starts; a longer one at FINE. */
#define STATE_INFO_MAX 200

static int write_state_file(void *ctx, const char *json, ch_error *err)
{
    state_plan *plan = ctx;
    return state_file_write(&plan->file, json, err);
}

/* Destination notices are the host's log lines. */
static void log_notice(void *ctx, const char *message)
{
    const logger *lg = ctx;
    log_msg(lg, CH_LOG_INFO, "host", "%s", message);
}

static int exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/*
 * Warns of configuration keys that a connector which declares its keys does
 * not declare: most are typos of a declared one, which then stays unset.
 */
static void warn_unknown_keys(const session *ses, const logger *lg)
{
    const ch_config_key *keys = ses->connector->def.config_keys;
    char declared[512];
    size_t off = 0;
    if (keys == NULL)
        return; /* a connector that declares nothing takes any key */
    declared[0] = '\0';
    for (const ch_config_key *k = keys; k->name && off < sizeof declared; k++)
        off += (size_t)snprintf(declared + off, sizeof declared - off, "%s%s",
                                k == keys ? "" : ", ", k->name);
    for (size_t i = 0; i < ses->config->count; i++)
        if (config_key_find(keys, ses->config->keys[i]) == NULL)
            log_msg(lg, CH_LOG_WARNING, "host",
                    "configuration key '%s' is not one that connector '%s' declares (%s); it is "
                    "passed on, but check its spelling",
                    ses->config->keys[i], ses->connector->def.name,
                    declared[0] ? declared : "none");
}

/* Without --destination, the working directory's warehouse: files/warehouse.db in SQLite. */
#define DEFAULT_SCHEME "sqlite:"

/* The destination to open: the request's, else the working directory's warehouse. */
static char *destination_spec(const sync_request *req, const workdir *w)
{
    if (req->destination)
        return strdup(req->destination);
    return workdir_warehouse_spec(w);
}

int exit_status_of(const ch_error *err)
{
    return err->kind == ERR_BUSY ? EXIT_BUSY : EXIT_SYNC_FAILED;
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

int sync_run(const sync_request *req)
{
    session ses;
    workdir w;
    dest *d = NULL;
    const dest_kind *kind;
    state *st = NULL;
    sink s;
    ch_error err;
    char *spec = NULL;
    struct timespec start;
    int status, rc, sink_ready = 0;
    const char *failure = NULL, *name = req->name, *origin = NULL;
    /* jsonl:- owns standard output, even before the destination is open: reports go to stderr */
    FILE *report = dest_uses_stdout(req->destination) ? stderr : stdout;
    /* the request's logger, which learns the secret configuration values once they are read */
    logger lg = req->log;
    state_plan plan = {0};
    char *seed = NULL;
    dest_open_opts open_opts = {req->dry_run, log_notice, (void *)&lg, req->masks, req->nmasks};
    char *scrubbed = NULL, *scrubbed_where = NULL;
    progress *prog = NULL;
    warehouse_rows rows = {0};

    clock_gettime(CLOCK_MONOTONIC, &start);
    memset(&w, 0, sizeof w);
    w.lock_fd = -1;
    status = session_open(&ses, req, 1, &err);
    /* the session learnt the secrets with the configuration: a schema handler's error may quote one
     */
    lg = ses.log;
    if (status != EXIT_OK)
        goto early;
    /* a path's connector is named by its runtime */
    name = ses.connector->def.name;
    origin = ses.connector->path ? ses.connector->path : ses.connector->plugin;
    session_set_logger(&lg, name);
    /* now, not when the handler starts: a stop while the state is read (or state.json is
       rewritten from the warehouse) is a stop at the first operation, not the default death */
    signals_install(name, origin, lg.json);
    warn_unknown_keys(&ses, &lg);
    /* a destination or working directory that cannot be used is bad usage, not a failed sync */
    status = EXIT_USAGE;
    if ((req->destination && dest_check(req->destination, &err) != CH_OK) ||
        (req->state && state_seed_read(req->state, &seed, &err) != CH_OK) ||
        workdir_open(&w, req->working_dir, !req->dry_run, &err) != CH_OK)
        goto early;
    kind = dest_kind_of(req->destination ? req->destination : DEFAULT_SCHEME);
    if (req->dry_run && (kind->flags & DEST_STREAM)) {
        err_set(&err,
                "--dry-run does not apply to a %s destination, which commits nothing "
                "but its own stream; use a scratch --working-dir to leave state.json alone",
                kind->name);
        goto early;
    }
    if (req->nmasks && !(kind->flags & DEST_MASKS)) {
        err_set(&err,
                "--mask applies to a jsonl destination only: a %s warehouse keeps every value as "
                "it is",
                kind->name);
        goto early;
    }
    status = EXIT_SYNC_FAILED;
    /* a dry run creates nothing, not even files/ for the lock */
    if ((!req->dry_run || exists(w.files)) && workdir_lock(&w, &err) != CH_OK)
        goto early;
    if (req->dry_run && workdir_reset_pending(&w)) {
        err_set(&err, "%s: a reset was interrupted; run `connector-host reset` to finish it",
                w.files);
        goto early;
    } else if (!req->dry_run) {
        int finished;
        if (workdir_finish_reset(&w, &finished, &err) != CH_OK)
            goto early;
        if (finished)
            log_msg(&lg, CH_LOG_WARNING, "host",
                    "a reset of %s was interrupted; finished it: the warehouse and the state "
                    "files are removed, and the sync starts fresh",
                    w.files);
    }
    if ((spec = destination_spec(req, &w)) == NULL) {
        err_set(&err, "out of memory");
        goto early;
    }
    if ((st = state_new()) == NULL) {
        err_set(&err, "out of memory");
        goto early;
    }
    if (dest_open(spec, &open_opts, &d, &err) != CH_OK)
        goto early;
    {
        state_plan_request pr = {d,          kind, name, &w, &lg, req->dry_run ? "dry run" : NULL,
                                 req->state, seed};
        if (state_plan_load(&plan, &pr, st, &err) != CH_OK ||
            /* before the writer thread starts: it hooks the logger that thread uses */
            progress_new(&prog, req->progress, req->progress_interval, name, &lg, &err) != CH_OK ||
            sink_init(&s, name, ses.schema, ses.config, d, st, &lg, &err) != CH_OK)
            goto early;
    }
    sink_ready = 1;
    s.user_data = ses.connector->def.user_data;
    if (req->fixed_time)
        sink_fix_clock(&s, req->fixed_time_us);
    if (req->dry_run)
        s.dry_run = 1; /* checkpoints apply what waits but commit nothing */
    /* a stream's state is only in the state files: a checkpoint writes them before it returns */
    s.commit_waits = !(kind->flags & DEST_KEEPS_STATE);
    if (plan.write) {
        s.on_commit = write_state_file;
        s.on_commit_ctx = &plan;
    }

    {
        /* a state can be megabytes: a short one is shown, a long one only at FINE and cut */
        char cut[STATE_LOG_MAX + 64];
        const char *json = state_json(st);
        size_t len = strlen(json);
        if (len <= STATE_INFO_MAX)
            log_msg(&lg, CH_LOG_INFO, "host", "sync of connector '%s' (%s) into %s, state %s", name,
                    origin, d->description, json);
        else {
            log_msg(&lg, CH_LOG_INFO, "host",
                    "sync of connector '%s' (%s) into %s, state of %zu bytes", name, origin,
                    d->description, len);
            log_msg(&lg, CH_LOG_FINE, "host", "state %s",
                    text_cut(json, STATE_LOG_MAX, cut, sizeof cut));
        }
    }
    s.stop = &signals_stop;
    /* a sync without a progress line is still a sync */
    if (progress_start(prog, &s.live, &start, &err) != CH_OK)
        log_msg(&lg, CH_LOG_WARNING, "host", "no progress is shown: %s", err.msg);
    /* a declaration the warehouse conflicts with fails the sync before the handler starts */
    rc = sink_prepare_declared(&s);
    if (rc == CH_OK) {
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        rc = ses.connector->def.update(&s, ses.config);
        clock_gettime(CLOCK_MONOTONIC, &b);
        sink_handler_returned(&s, (int64_t)(b.tv_sec - a.tv_sec) * 1000000000 +
                                      (b.tv_nsec - a.tv_nsec));
    }
    sink_close(&s); /* from here on the connector's threads are refused, and s is ours alone */
    if (rc != CH_OK && !s.failed)
        sink_fail(&s, "the update handler returned an error");
    if (!s.failed)
        sink_finish(&s);
    if (s.failed) {
        failure = s.error.msg;
        sink_abort(&s);
        log_msg(&lg, CH_LOG_SEVERE, "host", "sync of connector '%s' failed: %s", name, failure);
    }
    status = failure ? exit_status_of(&s.error) : EXIT_OK;
    progress_phase(&s.live, PROGRESS_COUNTING);
    if (req->dry_run)
        d->ops->rollback(d); /* the warehouse as it was, which is what the summary shows */
    sink_end_writes(&s);
    /* the rows are extra: a destination that cannot count them changes no result */
    if (warehouse_rows_count(&rows, d, ses.schema, &err) != CH_OK)
        log_msg(&lg, CH_LOG_WARNING, "host",
                "cannot count the rows in the warehouse (the summary shows - instead): %s",
                err.msg);
    if (rows.where)
        rows.where = log_scrub(&lg, rows.where, &scrubbed_where); /* a path may hold a secret */
    progress_stop(prog); /* erases the terminal's line, so the summary starts on a clean one */
    summary_print(report, &s, &rows, lg.json, seconds_since(&start),
                  failure ? log_scrub(&lg, failure, &scrubbed) : NULL, status);
    if (req->dry_run && !lg.json)
        fprintf(report, "DRY RUN: nothing was committed; the warehouse and state.json are "
                        "unchanged\n");
    signals_restore();
    goto done;

early:
    if (ses.connector)
        name = ses.connector->def.name;
    if (status == EXIT_SYNC_FAILED)
        status = exit_status_of(&err); /* a lock another worker holds: try again later */
    log_msg(&lg, status == EXIT_BUSY ? CH_LOG_WARNING : CH_LOG_SEVERE, "host", "%s", err.msg);
    if (status != EXIT_USAGE)
        summary_print_failure(report, name, lg.json, log_scrub(&lg, err.msg, &scrubbed), status);
    signals_restore();
done:
    if (sink_ready)
        sink_free(&s);
    if (d)
        d->ops->close(d);
    state_free(st);
    free(spec);
    workdir_close(&w);
    session_close(&ses);
    state_plan_close(&plan);
    free(seed);
    free(scrubbed);
    free(scrubbed_where);
    warehouse_rows_free(&rows);
    progress_free(prog); /* last: a thread may log through lg, and its hook, until the end */
    return status;
}

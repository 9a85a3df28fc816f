/* state_policy.c - where a sync's state comes from and where it goes (state_policy.h). */
#include "state_policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/json.h"
#include "base/utf8.h"

/* At most this much of a file the sync does not use is quoted: the warning keeps what it held. */
#define QUOTE_MAX STATE_LOG_MAX

/* Where the state came from, for the --state warning. */
typedef struct origin {
    char text[4400];
} origin;

/* A file's text for a log line, in buf: cut when long, without the line end an editor adds. */
static const char *quote(const char *text, char *buf, size_t size)
{
    size_t len = strlen(text);
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' '))
        len--;
    if (len > QUOTE_MAX || len >= size)
        return text_cut(text, QUOTE_MAX, buf, size);
    memcpy(buf, text, len);
    buf[len] = '\0';
    return buf;
}

/* The store a state file names, for messages: a warehouse, or the jsonl runs. */
static const char *store_name(const state_file *f)
{
    if (f->store == NULL)
        return "a sync of an earlier connector-host, or a hand";
    if (strcmp(f->store, STATE_STORE_JSONL) == 0)
        return "jsonl runs";
    return f->store;
}

/* Compares modification times: > 0 when a is newer than b, 0 when the clock cannot tell. */
static int newer(const struct stat *a, const struct stat *b)
{
    if (a->st_mtim.tv_sec != b->st_mtim.tv_sec)
        return a->st_mtim.tv_sec > b->st_mtim.tv_sec ? 1 : -1;
    if (a->st_mtim.tv_nsec != b->st_mtim.tv_nsec)
        return a->st_mtim.tv_nsec > b->st_mtim.tv_nsec ? 1 : -1;
    return 0;
}

/*
 * Says that state.json is not this connector's. Another connector's copy is
 * expected (the first connector keeps it) and said at FINE; one that names
 * nobody may be a hand-made one the user meant this connector to use.
 */
static void log_copy_not_ours(const state_file *f, const state_plan_request *r,
                              const char *consequence)
{
    if (!f->copy_exists || f->owned)
        return;
    if (f->owner)
        log_msg(r->log, CH_LOG_FINE, "host",
                "%s is a copy of connector '%s''s state; '%s' keeps its own in %s", f->copy_path,
                f->owner, f->connector, f->path);
    else
        log_msg(r->log, CH_LOG_WARNING, "host",
                "%s names no connector in %s (an older connector-host or a hand wrote it), so it "
                "may be another connector's: %s; to have '%s' start from it, run it with --state "
                "%s",
                f->copy_path, f->owner_path, consequence, f->connector, f->copy_path);
}

/* Says that state.json of the layout before files/state/ moves into the connector's own file. */
static void log_moved(const state_file *f, const state_plan_request *r)
{
    if (r->read_only)
        log_msg(r->log, CH_LOG_INFO, "host",
                "%s is connector '%s''s state in the layout of an earlier connector-host, "
                "without %s; not moved (%s)",
                f->copy_path, f->connector, f->path, r->read_only);
    else
        log_msg(r->log, CH_LOG_INFO, "host",
                "%s is connector '%s''s state in the layout of an earlier connector-host: moving "
                "it to %s, where its state is kept from now on; %s stays a copy of it",
                f->copy_path, f->connector, f->path, f->copy_path);
}

/* One of the connector's files against the committed state; sets *stale when it must be rewritten.
 */
static void check_against(const state_plan_request *r, const char *path, const char *text,
                          const char *canonical, int *stale)
{
    char cut[QUOTE_MAX + 64];
    if (text == NULL) {
        log_msg(r->log, CH_LOG_INFO, "host",
                "%s is missing: %s the state committed in the warehouse", path,
                r->read_only ? "leaving it so" : "writing into it");
        *stale = 1;
    } else if (strcmp(text, canonical) != 0) {
        log_msg(r->log, CH_LOG_WARNING, "host",
                "%s differs from the state committed in the warehouse (it was edited, or a sync "
                "was killed before rewriting it): not used; using the warehouse's and %s%s%s; it "
                "held: %s; to start a sync from a state of your own, run it with --state FILE",
                path, r->read_only ? "leaving the file alone (" : "rewriting the file",
                r->read_only ? r->read_only : "", r->read_only ? ")" : "",
                quote(text, cut, sizeof cut));
        *stale = 1;
    }
}

/* A destination that keeps state: its committed state wins, and the files follow it. */
static int load_from_warehouse(state_plan *p, const state_plan_request *r, state *st, origin *from,
                               ch_error *err)
{
    state_file *f = &p->file;
    char *stored = NULL, *own = NULL, *copy = NULL;
    int rc = CH_OK, stale = 0;
    f->store_now = r->dest->description;
    p->write = r->read_only == NULL;
    if (r->dest->ops->load_state(r->dest, r->connector, &stored, err) != CH_OK)
        return CH_ERROR;
    if (state_file_read(f->path, &own, NULL, err) != CH_OK ||
        (f->owned && state_file_read(f->copy_path, &copy, NULL, err) != CH_OK))
        goto done;
    if (stored == NULL) {
        const char *file = own ? f->path : copy ? f->copy_path : NULL;
        log_msg(r->log, CH_LOG_INFO, "host", "no state stored for connector '%s': starting fresh",
                r->connector);
        snprintf(from->text, sizeof from->text, "the empty state (%s has none for '%s')",
                 r->dest->description, r->connector);
        if (file && r->seed_json == NULL)
            log_msg(r->log, CH_LOG_WARNING, "host",
                    "%s holds a state of connector '%s' (written by %s), but %s has none: not "
                    "used, since the warehouse holds none of the data it stands for; to start "
                    "from it anyway, run with --state %s",
                    file, r->connector, own ? store_name(f) : "an earlier connector-host",
                    r->dest->description, file);
        log_copy_not_ours(f, r,
                          r->read_only ? "not used, and left alone"
                                       : "not used, and replaced by this connector's copy when "
                                         "it next commits a state");
        goto done;
    }
    if ((rc = state_replace(st, stored, strlen(stored), "warehouse state", err)) != CH_OK)
        goto done;
    p->found = 1;
    snprintf(from->text, sizeof from->text, "the state committed in %s", r->dest->description);
    {
        const char *canonical = state_json(st);
        if (canonical == NULL) {
            rc = err_set(err, "out of memory");
            goto done;
        }
        if (own == NULL && copy != NULL) {
            log_moved(f, r);
            stale = 1;
        } else {
            check_against(r, f->path, own, canonical, &stale);
        }
        if (f->owned)
            check_against(r, f->copy_path, copy, canonical, &stale);
        else if (f->owner == NULL)
            stale = 1; /* nobody's state.json, or none: this connector's copy from now on */
        log_copy_not_ours(f, r,
                          r->read_only ? "not used, and left alone"
                                       : "not used, and replaced by this connector's copy");
        if (f->store == NULL || strcmp(f->store, f->store_now) != 0)
            stale = 1;
        if (stale && r->read_only == NULL)
            rc = state_file_write(f, canonical, err);
    }
done:
    free(stored);
    free(own);
    free(copy);
    return rc;
}

/* The default warehouse's state of the connector, when the working directory has a warehouse. */
static int default_warehouse_state(const state_plan_request *r, char **json, char **where,
                                   ch_error *err)
{
    struct stat sb;
    /* read only: creates nothing, changes nothing */
    dest_open_opts opts = {1, NULL, NULL, NULL, 0};
    dest *d = NULL;
    char *spec;
    int rc;
    *json = *where = NULL;
    if (stat(r->w->warehouse, &sb) != 0)
        return CH_OK;
    if ((spec = malloc(strlen(r->w->warehouse) + 8)) == NULL)
        return err_set(err, "out of memory");
    sprintf(spec, "sqlite:%s", r->w->warehouse);
    rc = dest_open(spec, &opts, &d, err);
    free(spec);
    if (rc == CH_OK)
        rc = d->ops->load_state(d, r->connector, json, err);
    if (rc == CH_OK && *json && (*where = strdup(d->description)) == NULL)
        rc = err_set(err, "out of memory");
    if (d)
        d->ops->close(d);
    return rc;
}

/*
 * The files as the only store (jsonl runs): state/NAME.json, or the older
 * layout's state.json. When both are there and differ, the newer wins, and
 * state.json when their times are equal: the host writes state.json first,
 * so a kill between the two writes leaves state.json ahead, and a file
 * edited since is the newer.
 */
static int load_from_files(state_plan *p, const state_plan_request *r, state *st, origin *from,
                           ch_error *err)
{
    state_file *f = &p->file;
    char *own = NULL, *copy = NULL, cut[QUOTE_MAX + 64];
    struct stat own_sb, copy_sb;
    const char *used = NULL, *text = NULL;
    int rc = CH_ERROR, rewrite = 0;
    if (state_file_read(f->path, &own, &own_sb, err) != CH_OK ||
        (f->owned && state_file_read(f->copy_path, &copy, &copy_sb, err) != CH_OK))
        goto done;
    if (own && copy && strcmp(own, copy) != 0) {
        int copy_newer = newer(&copy_sb, &own_sb) >= 0;
        used = copy_newer ? f->copy_path : f->path;
        text = copy_newer ? copy : own;
        log_msg(r->log, CH_LOG_WARNING, "host",
                "%s and %s differ; %s is the newer (edited since, or left by a sync killed "
                "between the two writes), so this sync starts from it, and %s %s; "
                "the other held: %s",
                f->path, f->copy_path, used, copy_newer ? f->path : f->copy_path,
                r->read_only ? "is left alone" : "is rewritten to match",
                quote(copy_newer ? own : copy, cut, sizeof cut));
        rewrite = 1;
    } else if (own) {
        used = f->path;
        text = own;
        rewrite = f->owned && copy == NULL;
    } else if (copy) {
        used = f->copy_path;
        text = copy;
        log_moved(f, r);
        rewrite = 1;
    }
    if (used == NULL) {
        log_msg(r->log, CH_LOG_INFO, "host", "no %s for connector '%s': starting fresh", f->path,
                r->connector);
        snprintf(from->text, sizeof from->text, "the empty state (no %s)", f->path);
    } else if (state_replace(st, text, strlen(text), used, err) != CH_OK) {
        goto done;
    }
    log_copy_not_ours(f, r,
                      r->read_only ? "not used, and left alone"
                                   : "not used, and replaced by this connector's copy when it "
                                     "next commits a state");
    if (used == NULL) {
        rc = CH_OK;
        goto done;
    }
    snprintf(from->text, sizeof from->text, "the state in %s", used);
    p->found = 1;
    rc = CH_OK;
    if (rewrite && r->read_only == NULL) {
        const char *canonical = state_json(st);
        rc = canonical ? state_file_write(f, canonical, err) : err_set(err, "out of memory");
    }
done:
    free(own);
    free(copy);
    return rc;
}

/* A destination that keeps no state: the directory's committed state, written only by its own runs.
 */
static int load_without_store(state_plan *p, const state_plan_request *r, state *st, origin *from,
                              ch_error *err)
{
    state_file *f = &p->file;
    char *stored = NULL, *where = NULL, *own = NULL;
    int rc;
    if (default_warehouse_state(r, &stored, &where, err) != CH_OK)
        return CH_ERROR;
    if (stored) {
        rc = state_replace(st, stored, strlen(stored), "warehouse state", err);
        if (rc == CH_OK) {
            p->found = 1;
            log_msg(r->log, CH_LOG_INFO, "host",
                    "connector '%s''s state in %s is the one committed in %s: a %s run "
                    "starts from it and does not advance it (its files stay as they are)",
                    r->connector, r->w->root, where, r->kind->name);
            snprintf(from->text, sizeof from->text, "the state committed in %s", where);
        }
        free(stored);
        free(where);
        return rc;
    }
    if (f->store && strcmp(f->store, STATE_STORE_JSONL) != 0) {
        /* a warehouse elsewhere (PostgreSQL) committed it: its copy is all there is here */
        if (state_file_read(f->path, &own, NULL, err) != CH_OK)
            return CH_ERROR;
        rc = own ? state_replace(st, own, strlen(own), f->path, err) : CH_OK;
        if (rc == CH_OK) {
            p->found = own != NULL;
            log_msg(r->log, CH_LOG_INFO, "host",
                    "connector '%s''s state in %s was committed in %s: a %s run starts from "
                    "%s and does not advance it",
                    r->connector, r->w->root, f->store, r->kind->name,
                    own ? f->path : "the empty state (its copy is missing)");
            snprintf(from->text, sizeof from->text, "the copy in %s of the state committed in %s",
                     f->path, f->store);
        }
        free(own);
        return rc;
    }
    f->store_now = STATE_STORE_JSONL;
    p->write = r->read_only == NULL;
    return load_from_files(p, r, st, from, err);
}

int state_plan_load(state_plan *p, const state_plan_request *r, state *st, ch_error *err)
{
    origin from;
    int rc;
    memset(p, 0, sizeof *p);
    from.text[0] = '\0';
    if (state_file_open(&p->file, r->w, r->connector, err) != CH_OK)
        return CH_ERROR;
    if (r->kind->flags & DEST_KEEPS_STATE)
        rc = load_from_warehouse(p, r, st, &from, err);
    else
        rc = load_without_store(p, r, st, &from, err);
    if (rc != CH_OK || r->seed_json == NULL)
        return rc;
    {
        char cut[QUOTE_MAX + 64];
        char *committed = state_json(st) ? strdup(state_json(st)) : NULL;
        int shown = committed && strcmp(committed, "{}") != 0;
        if (committed == NULL)
            return err_set(err, "out of memory");
        rc = state_replace(st, r->seed_json, strlen(r->seed_json), r->seed_path, err);
        if (rc == CH_OK)
            log_msg(r->log, CH_LOG_WARNING, "host",
                    "starting from the state in %s (--state), not from %s%s%s; %s%s%s",
                    r->seed_path, from.text, shown ? ", which is " : "",
                    shown ? quote(committed, cut, sizeof cut) : "",
                    r->read_only ? "nothing is committed (" : "",
                    r->read_only ? r->read_only
                    : p->write   ? "its first checkpoint replaces the committed state"
                                 : "this run commits no state in the working directory",
                    r->read_only ? ")" : "");
        free(committed);
    }
    return rc;
}

void state_plan_close(state_plan *p)
{
    state_file_close(&p->file);
}

int state_seed_read(const char *path, char **json, ch_error *err)
{
    char *text = NULL;
    size_t len = 0;
    state *st;
    const char *canonical;
    int rc;
    *json = NULL;
    if (file_read_all(path, &text, &len, err) != CH_OK)
        return err_prefix(err, "--state");
    if ((st = state_new()) == NULL) {
        free(text);
        return err_set(err, "out of memory");
    }
    rc = state_replace(st, text, len, path, err);
    free(text);
    if (rc == CH_OK &&
        ((canonical = state_json(st)) == NULL || (*json = strdup(canonical)) == NULL))
        rc = err_set(err, "out of memory");
    state_free(st);
    return rc == CH_OK ? CH_OK : err_prefix(err, "--state");
}

/*
 * dest_dry_run.c - `run --dry-run`: every operation goes to the real
 * destination, so it is checked against the warehouse as it is (stored
 * types, keys, conversions), but the one transaction is never committed.
 */
#include <stdlib.h>
#include <string.h>

#include "dest.h"

typedef struct dry_dest {
    dest base;
    dest *inner;
} dry_dest;

static dest *inner(dest *base)
{
    return ((dry_dest *)base)->inner;
}

/* The inner destination's late "no row" counts too. */
static int forward_missing(void *ctx, table_def *t, int kind, long count)
{
    dest *outer = ctx;
    return outer->missing ? outer->missing(outer->missing_ctx, t, kind, count) : CH_OK;
}

/* The inner destination's notices go to whoever listens to the wrapper. */
static void forward_notice(void *ctx, const char *message)
{
    dest *outer = ctx;
    if (outer->notice)
        outer->notice(outer->notice_ctx, message);
}

static int load_state(dest *base, const char *connector, char **json, ch_error *err)
{
    return inner(base)->ops->load_state(inner(base), connector, json, err);
}

static int prepare_table(dest *base, table_def *t, int *schema_changes, ch_error *err)
{
    return inner(base)->ops->prepare_table(inner(base), t, schema_changes, err);
}

static int add_column(dest *base, table_def *t, size_t col, ch_error *err)
{
    return inner(base)->ops->add_column(inner(base), t, col, err);
}

static int change_type(dest *base, table_def *t, size_t col, type_spec from, type_spec to,
                       int *lossy, ch_error *err)
{
    return inner(base)->ops->change_type(inner(base), t, col, from, to, lossy, err);
}

static int upsert(dest *base, table_def *t, const value *vals, const char *id, const char *synced,
                  ch_error *err)
{
    return inner(base)->ops->upsert(inner(base), t, vals, id, synced, err);
}

static int update(dest *base, table_def *t, const value *vals, const unsigned char *present,
                  const char *synced, int *found, ch_error *err)
{
    return inner(base)->ops->update(inner(base), t, vals, present, synced, found, err);
}

static int remove_row(dest *base, table_def *t, const value *vals, const char *synced, int *found,
                      ch_error *err)
{
    return inner(base)->ops->remove(inner(base), t, vals, synced, found, err);
}

static int truncate_table(dest *base, table_def *t, const char *synced, long *rows, ch_error *err)
{
    return inner(base)->ops->truncate(inner(base), t, synced, rows, err);
}

static int flush(dest *base, ch_error *err)
{
    dest *in = inner(base);
    return in->ops->flush ? in->ops->flush(in, err) : CH_OK;
}

static int commit(dest *base, const char *connector, const char *state_json, const char *synced,
                  ch_error *err)
{
    /* the transaction stays open, so later operations see earlier ones; what waits is applied */
    return flush(base, err);
}

static void rollback(dest *base)
{
    inner(base)->ops->rollback(inner(base));
}

static void close_dest(dest *base)
{
    dry_dest *d = (dry_dest *)base;
    d->inner->ops->rollback(d->inner);
    d->inner->ops->close(d->inner);
    free(d->base.description);
    free(d);
}

static const dest_ops dry_ops = {
    load_state, prepare_table,  add_column, change_type, upsert,     update,
    remove_row, truncate_table, commit,     rollback,    close_dest, flush,
};

int dest_dry_run_wrap(dest *in, dest **out, ch_error *err)
{
    dry_dest *d = calloc(1, sizeof *d);
    if (d == NULL || (d->base.description = strdup(in->description)) == NULL) {
        free(d);
        in->ops->close(in);
        return err_set(err, "out of memory");
    }
    d->base.ops = &dry_ops;
    d->inner = in;
    in->notice = forward_notice;
    in->notice_ctx = &d->base;
    in->missing = forward_missing;
    in->missing_ctx = &d->base;
    *out = &d->base;
    return CH_OK;
}

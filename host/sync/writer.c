/*
 * writer.c - the destination writer thread and its bounded queue.
 *
 * The queue is a ring of records whose value buffers are reused from one lap
 * to the next, so a steady stream allocates nothing. The writer takes every
 * record queued so far in one go and applies them without the lock; the lock
 * guards only the ring's indexes and the failure.
 */
#include "writer.h"

#include "signals.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define RING  1024 /* records; enough to keep the writer busy, small enough to stay in cache */
#define BATCH 64   /* records queued before a sleeping writer is woken: one wake-up per batch */

typedef struct wop {
    wop_kind kind;
    table_def *t;
    value *vals;
    unsigned char *present;
    size_t cap; /* entries of vals and present */
    int has_id;
    char id[40];
    char synced[40];
    long number; /* the operation's number in the sync, for its messages */
} wop;

struct writer {
    dest *d;
    const logger *log;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t work;  /* signalled when records arrive or the end is asked */
    pthread_cond_t space; /* signalled when records are done */
    wop ring[RING];
    size_t head, tail; /* records [tail, head) are queued; both only grow */
    int ending;
    int writer_waiting;   /* the writer sleeps on `work` */
    int others_waiting;   /* the producer or a drain sleeps on `space` */
    int failed;           /* set by the writer; read under the lock */
    ch_error error;       /* the first failure */
    dest_reports reports; /* what the destination reported, under the lock */
    int reports_failed;   /* out of memory while moving them */
};

/* The operation's key values, from its converted values; NULL for a truncate. */
static const value *const *op_keys(const table_def *t, const value *vals,
                                   const value *keys[MAX_KEY_COLUMNS])
{
    if (vals == NULL)
        return NULL;
    for (size_t k = 0; k < t->nkey; k++)
        keys[k] = &vals[t->key[k]];
    return keys;
}

int writer_apply_now(dest *d, const logger *lg, wop_kind kind, table_def *t, const value *vals,
                     const unsigned char *present, const char *id, const char *synced, long number,
                     ch_error *err)
{
    static const char *const names[] = {"upsert", "update", "delete", "truncate"};
    const value *keys[MAX_KEY_COLUMNS];
    char text[DEST_REPORT_ROWS_TEXT];
    int found = 1, rc;
    long rows = 0;
    switch (kind) {
    case WOP_UPSERT:
        rc = d->ops->upsert(d, t, vals, id, synced, err);
        break;
    case WOP_UPDATE:
        rc = d->ops->update(d, t, vals, present, synced, number, &found, err);
        break;
    case WOP_DELETE:
        rc = d->ops->remove(d, t, vals, synced, number, &found, err);
        break;
    default:
        rc = d->ops->truncate(d, t, synced, &rows, err);
        break;
    }
    if (rc != CH_OK) /* the row is named only now, on the way out */
        return err_prefix(err, "%s",
                          table_op_context(names[kind], t->name, NULL, number, t,
                                           op_keys(t, vals, keys), text, sizeof text));
    if (kind == WOP_TRUNCATE)
        log_msg(lg, CH_LOG_FINE, "host", "truncate on table '%s' soft-deleted %ld rows", t->name,
                rows);
    /* -1: held back; the destination reports it when it applies it */
    if (found == 0 &&
        dest_reports_add(&d->missing, t, kind == WOP_UPDATE ? DEST_UPDATE : DEST_DELETE, 1, 0,
                         table_op_row(number, t, op_keys(t, vals, keys), text, sizeof text),
                         1) != CH_OK)
        return err_set(err, "out of memory");
    return CH_OK;
}

/* Applies one queued record. */
static int apply(writer *w, wop *op, ch_error *err)
{
    return writer_apply_now(w->d, w->log, op->kind, op->t,
                            op->kind == WOP_TRUNCATE ? NULL : op->vals, op->present,
                            op->has_id ? op->id : NULL, op->synced, op->number, err);
}

static void *run(void *arg)
{
    writer *w = arg;
    ch_error err;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        size_t from, to;
        int failed;
        while (w->tail == w->head && !w->ending) {
            w->writer_waiting = 1;
            pthread_cond_wait(&w->work, &w->lock);
            w->writer_waiting = 0;
        }
        if (w->tail == w->head)
            break; /* ending, and nothing left */
        from = w->tail;
        to = w->head;
        failed = w->failed;
        pthread_mutex_unlock(&w->lock);
        for (size_t i = from; i < to && !failed; i++)
            failed = apply(w, &w->ring[i % RING], &err) != CH_OK;
        pthread_mutex_lock(&w->lock);
        /* the destination is this thread's until the batch is done: its reports go back */
        if (w->d->missing.count && dest_reports_move(&w->reports, &w->d->missing) != CH_OK)
            w->reports_failed = 1;
        if (failed && !w->failed) {
            w->failed = 1;
            w->error = err;
        }
        w->tail = to; /* a failed writer still consumes, so nobody waits forever */
        if (w->others_waiting)
            pthread_cond_broadcast(&w->space);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

writer *writer_start(dest *d, const logger *lg)
{
    writer *w = calloc(1, sizeof *w);
    int rc;
    if (w == NULL)
        return NULL;
    w->d = d;
    w->log = lg;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->work, NULL);
    pthread_cond_init(&w->space, NULL);
    rc = signals_thread_create(&w->thread, run, w);
    if (rc != 0) {
        pthread_cond_destroy(&w->space);
        pthread_cond_destroy(&w->work);
        pthread_mutex_destroy(&w->lock);
        free(w);
        return NULL;
    }
    return w;
}

/* Copies a converted value into a record's own buffer (text and bytes), reusing it. */
static int copy_value(value *to, const value *from)
{
    if (from->type == T_NONE) {
        value_set_null(to);
        return CH_OK;
    }
    if (type_storage(from->type) == S_TEXT || type_storage(from->type) == S_BLOB)
        return value_set_bytes(to, from->type, from->ptr ? from->ptr : "", from->len);
    to->type = from->type;
    to->i = from->i;
    to->d = from->d;
    to->ptr = NULL;
    to->len = 0;
    return CH_OK;
}

/* A bounded strcpy, without printf's parsing on this hot path. */
static void copy_text(char *to, size_t size, const char *from)
{
    size_t n = strlen(from);
    if (n >= size)
        n = size - 1;
    memcpy(to, from, n);
    to[n] = '\0';
}

static int fit(wop *op, size_t n)
{
    value *vals;
    unsigned char *present;
    if (n <= op->cap)
        return CH_OK;
    if ((vals = realloc(op->vals, n * sizeof *vals)) == NULL)
        return CH_ERROR;
    memset(vals + op->cap, 0, (n - op->cap) * sizeof *vals);
    op->vals = vals;
    if ((present = realloc(op->present, n)) == NULL)
        return CH_ERROR;
    op->present = present;
    op->cap = n;
    return CH_OK;
}

int writer_put(writer *w, wop_kind kind, table_def *t, const value *vals,
               const unsigned char *present, const char *id, const char *synced, long number,
               int *reports, ch_error *err)
{
    wop *op;
    size_t slot;
    pthread_mutex_lock(&w->lock);
    while (w->head - w->tail == RING && !w->failed) {
        w->others_waiting = 1;
        pthread_cond_signal(&w->work); /* a full ring is worth waking the writer for */
        pthread_cond_wait(&w->space, &w->lock);
        w->others_waiting = 0;
    }
    if (w->failed) {
        *err = w->error;
        pthread_mutex_unlock(&w->lock);
        return CH_ERROR;
    }
    slot = w->head;
    *reports = w->reports.count > 0 || w->reports_failed;
    pthread_mutex_unlock(&w->lock);
    /* The slot is ours: the writer reads only records below head. */
    op = &w->ring[slot % RING];
    op->kind = kind;
    op->t = t;
    if (vals != NULL) {
        if (fit(op, t->ncols) != CH_OK)
            return err_set(err, "out of memory");
        for (size_t c = 0; c < t->ncols; c++)
            if (copy_value(&op->vals[c], &vals[c]) != CH_OK)
                return err_set(err, "out of memory");
        if (present != NULL)
            memcpy(op->present, present, t->ncols);
    }
    op->has_id = id != NULL;
    if (id != NULL)
        copy_text(op->id, sizeof op->id, id);
    copy_text(op->synced, sizeof op->synced, synced);
    op->number = number;
    pthread_mutex_lock(&w->lock);
    w->head++;
    if (w->writer_waiting && w->head - w->tail >= BATCH)
        pthread_cond_signal(&w->work);
    pthread_mutex_unlock(&w->lock);
    return CH_OK;
}

int writer_drain(writer *w, ch_error *err)
{
    int failed;
    pthread_mutex_lock(&w->lock);
    while (w->tail != w->head) {
        w->others_waiting = 1;
        pthread_cond_signal(&w->work); /* whatever is queued, however little */
        pthread_cond_wait(&w->space, &w->lock);
    }
    w->others_waiting = 0;
    failed = w->failed;
    if (failed)
        *err = w->error;
    pthread_mutex_unlock(&w->lock);
    return failed ? CH_ERROR : CH_OK;
}

int writer_take_reports(writer *w, dest_reports *into)
{
    int rc;
    pthread_mutex_lock(&w->lock);
    rc = w->reports_failed ? CH_ERROR : dest_reports_move(into, &w->reports);
    w->reports_failed = 0;
    pthread_mutex_unlock(&w->lock);
    return rc;
}

void writer_stop(writer *w)
{
    if (w == NULL)
        return;
    pthread_mutex_lock(&w->lock);
    w->ending = 1;
    pthread_cond_signal(&w->work);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    for (size_t i = 0; i < RING; i++) {
        for (size_t c = 0; c < w->ring[i].cap; c++)
            value_free(&w->ring[i].vals[c]);
        free(w->ring[i].vals);
        free(w->ring[i].present);
    }
    dest_reports_free(&w->reports);
    pthread_cond_destroy(&w->space);
    pthread_cond_destroy(&w->work);
    pthread_mutex_destroy(&w->lock);
    free(w);
}

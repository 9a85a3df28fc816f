/*
 * pg_flight.c - running the PostgreSQL destination's plans, and the commit
 * in flight.
 *
 * A commit's plan (its merges, the state row and COMMIT) runs on a thread of
 * its own, so that the server merges and syncs a checkpoint while the
 * connector makes, and the destination folds, the next operations: the two
 * no longer take turns. The plan owns everything it reads (SQL text built
 * beforehand, the rows handed over), so the other threads may change the
 * tables' definitions meanwhile. Everything that uses the connection lands
 * the flight first (pg_land): it waits for it, reports what its merges found
 * missing, and fails with its failure, which thus surfaces at the next
 * write, commit, settle or close. One commit at most is in flight. Opening
 * a transaction (pg_begin) lands it too, and the landing reports what the
 * merges' changes found missing.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "pg.h"

/* COPY data is sent in pieces of about this size. */
#define COPY_CHUNK (256u << 10)

/*
 * Looked up first: CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege
 * even when the schema exists.
 */
static int ensure_schema(pg_dest *d, ch_error *err)
{
    const char *params[1] = {d->schema};
    PGresult *res;
    pg_sql b = {0};
    if (pg_exec_params(d, "SELECT 1 FROM pg_namespace WHERE nspname = $1", 1, params, NULL, NULL,
                       &res, "looking up the schema", err) != CH_OK)
        return CH_ERROR;
    d->schema_ok = PQntuples(res) > 0;
    PQclear(res);
    if (d->schema_ok)
        return CH_OK;
    pg_sql_add(&b, "CREATE SCHEMA ");
    sql_ident(&b, d->schema);
    return pg_exec_sql(d, &b, "creating the schema", err);
}

int pg_begin(pg_dest *d, ch_error *err)
{
    if (pg_land(d, err) != CH_OK)
        return CH_ERROR;
    if (d->in_tx)
        return CH_OK;
    if (pg_exec(d, "BEGIN", "starting a transaction", err) != CH_OK)
        return CH_ERROR;
    d->in_tx = 1;
    return d->schema_ok ? CH_OK : ensure_schema(d, err);
}

/*
 * Reports the changes of a kind that found no row, naming the first of them
 * (by their first operation of the kind) from the naming query's answer. A
 * key the server's text does not give back is left out of the message, never
 * a reason to fail.
 */
static int report_kind(pg_dest *d, pg_step *st, int kind, ch_error *err)
{
    table_def *t = st->t;
    value vals[MAX_KEY_COLUMNS] = {{0}};
    const value *keys[MAX_KEY_COLUMNS];
    char rows[DEST_REPORT_ROWS_TEXT] = "", one[DEST_REPORT_ROWS_TEXT];
    PGresult *res = st->named;
    int pick[DEST_REPORT_ROWS];
    long first[DEST_REPORT_ROWS], named = 0;
    int npick = 0;
    /* the answer's rows of this kind with the first operations, in their order */
    for (int r = 0; res && r < PQntuples(res); r++) {
        long ord = atol(PQgetvalue(res, r, 0)), op;
        const pg_row *row;
        int at;
        if (ord < 0 || (size_t)ord >= st->norder)
            continue;
        row = st->order[ord];
        if ((kind == DEST_UPDATE ? row->updates : row->deletes) == 0)
            continue;
        op = kind == DEST_UPDATE ? row->first_update : row->first_delete;
        for (at = npick; at > 0 && first[at - 1] > op; at--)
            ;
        if (at == DEST_REPORT_ROWS)
            continue;
        if (npick < DEST_REPORT_ROWS)
            npick++;
        memmove(&first[at + 1], &first[at], (size_t)(npick - 1 - at) * sizeof first[0]);
        memmove(&pick[at + 1], &pick[at], (size_t)(npick - 1 - at) * sizeof pick[0]);
        first[at] = op;
        pick[at] = r;
    }
    for (int i = 0; i < npick; i++) {
        size_t used = strlen(rows);
        for (size_t k = 0; k < t->nkey; k++) {
            ch_error ignored;
            const char *text = PQgetvalue(res, pick[i], (int)k + 1);
            value_free(&vals[k]);
            keys[k] = PQgetisnull(res, pick[i], (int)k + 1) ||
                              pg_value_parse(text, strlen(text), t->cols[t->key[k]].type, &vals[k],
                                             &ignored) != CH_OK
                          ? NULL
                          : &vals[k];
        }
        table_op_row(first[i], t, keys, one, sizeof one);
        if (used + strlen(one) + 3 > sizeof rows)
            break; /* the rest are counted, not named */
        snprintf(rows + used, sizeof rows - used, "%s%s", used ? ", " : "", one);
        named++;
    }
    for (size_t k = 0; k < t->nkey; k++)
        value_free(&vals[k]);
    return dest_report_missing(&d->base, t, kind, st->missing[kind], rows, named, err);
}

int pg_report_missing(pg_dest *d, pg_step *st, ch_error *err)
{
    for (int kind = DEST_UPDATE; kind <= DEST_DELETE; kind++)
        if (st->missing[kind] > 0 && report_kind(d, st, kind, err) != CH_OK)
            return CH_ERROR;
    return CH_OK;
}

pg_step *pg_plan_add(pg_plan *p, pg_step_kind kind, pg_sql *b, const char *what)
{
    pg_step *st;
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 8;
        pg_step *steps = realloc(p->steps, cap * sizeof *steps);
        if (steps == NULL)
            p->oom = 1;
        else {
            p->steps = steps;
            p->cap = cap;
        }
    }
    if (p->oom || b->oom) {
        free(b->s);
        memset(b, 0, sizeof *b);
        p->oom = 1;
        return NULL;
    }
    st = &p->steps[p->n++];
    memset(st, 0, sizeof *st);
    st->kind = kind;
    st->sql = b->s;
    st->what = what;
    memset(b, 0, sizeof *b);
    return st;
}

/* A buffer of COPY text, flushed to the connection in COPY_CHUNK pieces. */
typedef struct copy_buf {
    char *s;
    size_t len, cap;
} copy_buf;

/* Room for n more bytes; CH_ERROR when out of memory. */
static int room(copy_buf *b, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : COPY_CHUNK + 4096;
        char *s;
        while (cap < b->len + n)
            cap *= 2;
        if ((s = realloc(b->s, cap)) == NULL)
            return CH_ERROR;
        b->s = s;
        b->cap = cap;
    }
    return CH_OK;
}

/* Appends a decimal number. */
static void put_long(copy_buf *b, long v)
{
    char tmp[24];
    int n = 0;
    unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;
    do
        tmp[n++] = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (v < 0)
        b->s[b->len++] = '-';
    while (n > 0)
        b->s[b->len++] = tmp[--n];
}

/* Appends one pending row's COPY line: its fields are COPY text already. */
static int put_row(copy_buf *b, const pg_row *row)
{
    for (size_t f = 0; f < row->nfields; f++) {
        const char *text = row->fields[f] ? row->fields[f] : "\\N";
        size_t n = strlen(text);
        if (room(b, n + 1) != CH_OK)
            return CH_ERROR;
        memcpy(b->s + b->len, text, n);
        b->len += n;
        b->s[b->len++] = '\t';
    }
    if (room(b, 2) != CH_OK)
        return CH_ERROR;
    b->s[b->len++] = row->deleted ? 't' : 'f';
    b->s[b->len++] = '\n';
    return CH_OK;
}

/* Appends a change's COPY line, ordinal ord: the fields and columns the step sends. */
static int put_change(copy_buf *b, const pg_step *st, const pg_row *row, size_t ord)
{
    for (size_t f = 0; f < row->nfields; f++) {
        const char *text = row->fields[f] ? row->fields[f] : "\\N";
        size_t n;
        if (!st->send[f])
            continue;
        n = strlen(text);
        if (room(b, n + 1) != CH_OK)
            return CH_ERROR;
        memcpy(b->s + b->len, text, n);
        b->len += n;
        b->s[b->len++] = '\t';
    }
    if (room(b, 26 + (st->send_mask ? strlen(row->mask) + 1 : 0)) != CH_OK)
        return CH_ERROR;
    if (st->send_deleted) {
        b->s[b->len++] = row->deleted ? 't' : 'f';
        b->s[b->len++] = '\t';
    }
    if (st->send_mask) {
        size_t n = strlen(row->mask);
        memcpy(b->s + b->len, row->mask, n);
        b->len += n;
        b->s[b->len++] = '\t';
    }
    put_long(b, (long)ord);
    b->s[b->len++] = '\n';
    return CH_OK;
}

/* Sends what b holds once it reaches a piece's size (all of it when `all`). */
static int flush_copy(pg_dest *d, copy_buf *b, int all, ch_error *err)
{
    if (b->len == 0 || (!all && b->len < COPY_CHUNK))
        return CH_OK;
    if (PQputCopyData(d->conn, b->s, (int)b->len) != 1)
        return pg_fail(d, NULL, "sending rows with COPY", err);
    b->len = 0;
    return CH_OK;
}

/*
 * Runs a COPY: the statement sql, the rows of st (the pending rows of a
 * COPY step, or the changes of a CHANGES step, in their order), the end, and
 * its result; `what` names it in an error.
 */
static int run_copy(pg_dest *d, pg_step *st, const char *sql, const char *what, ch_error *err)
{
    PGresult *res = PQexec(d->conn, sql);
    copy_buf b = {0};
    int rc = CH_OK;
    if (PQresultStatus(res) != PGRES_COPY_IN) {
        rc = pg_fail(d, res, "starting a COPY", err);
        PQclear(res);
        return rc;
    }
    PQclear(res);
    if (st->kind == PG_STEP_CHANGES) {
        for (size_t i = 0; rc == CH_OK && i < st->norder; i++)
            rc = put_change(&b, st, st->order[i], i) != CH_OK ? err_set(err, "out of memory")
                                                              : flush_copy(d, &b, 0, err);
    } else {
        for (pg_row *row = pg_rows_first(&st->rows); rc == CH_OK && row; row = pg_rows_next(row))
            rc = put_row(&b, row) != CH_OK ? err_set(err, "out of memory")
                                           : flush_copy(d, &b, 0, err);
    }
    if (rc == CH_OK)
        rc = flush_copy(d, &b, 1, err);
    free(b.s);
    /* an error message here aborts the COPY, so the server discards what it received */
    if (PQputCopyEnd(d->conn, rc == CH_OK ? NULL : "connector-host stopped the COPY") != 1 &&
        rc == CH_OK)
        rc = pg_fail(d, NULL, "ending a COPY", err);
    while ((res = PQgetResult(d->conn)) != NULL) {
        if (rc == CH_OK && PQresultStatus(res) != PGRES_COMMAND_OK)
            rc = pg_fail(d, res, what, err);
        PQclear(res);
    }
    return rc;
}

/* Frees a CHANGES step's changes: once nothing is missing, or the plan lands. */
static void drop_changes(pg_step *st)
{
    pg_rows_free(&st->rows);
    free(st->order);
    st->order = NULL;
    st->norder = 0;
}

/*
 * Runs a CHANGES step: the COPY of the changes, the UPDATE, and when fewer
 * rows changed than there are changes, the query naming those that found
 * none, whose operations are counted here and named by the landing.
 */
static int run_changes(pg_dest *d, pg_step *st, ch_error *err)
{
    PGresult *res;
    long found;
    if (run_copy(d, st, st->copy_sql, "update or delete (COPY into the staging table)", err) !=
            CH_OK ||
        pg_exec_params(d, st->sql, 0, NULL, NULL, NULL, &res, st->what, err) != CH_OK)
        return CH_ERROR;
    found = atol(PQcmdTuples(res));
    PQclear(res);
    if ((size_t)found >= st->norder) {
        drop_changes(st); /* all found: nothing to name */
        return CH_OK;
    }
    if (pg_exec_params(d, st->name_sql[0], 0, NULL, NULL, NULL, &st->named,
                       "naming the changes that found no row", err) != CH_OK)
        return CH_ERROR;
    for (int r = 0; r < PQntuples(st->named); r++) {
        long ord = atol(PQgetvalue(st->named, r, 0));
        if (ord >= 0 && (size_t)ord < st->norder) {
            st->missing[DEST_UPDATE] += st->order[ord]->updates;
            st->missing[DEST_DELETE] += st->order[ord]->deletes;
        }
    }
    return CH_OK;
}

/*
 * A fenced write (PG_STEP_STATE): it must change exactly one row; none
 * means another worker moved the row's generation on, and the failure says
 * which generation it found (name_sql[0] reads it).
 */
static int run_fenced(pg_dest *d, pg_step *st, ch_error *err)
{
    PGresult *res;
    int stored;
    long long now = -1;
    if (pg_exec_params(d, st->sql, 5, (const char *const *)st->params, NULL, NULL, &res, st->what,
                       err) != CH_OK)
        return CH_ERROR;
    stored = strcmp(PQcmdTuples(res), "1") == 0;
    PQclear(res);
    if (stored)
        return CH_OK;
    if (pg_exec_params(d, st->name_sql[0], 1, (const char *const *)st->params, NULL, NULL, &res,
                       "reading the generation", err) == CH_OK) {
        if (PQntuples(res) > 0)
            now = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        PQclear(res);
    }
    return err_busy(err,
                    "%s (generation %lld > %s, the one this sync started from or last committed); "
                    "nothing of this checkpoint is committed, and the next run resumes from that "
                    "worker's state",
                    st->busy, now, st->params[4]);
}

int pg_plan_run(pg_dest *d, pg_plan *p)
{
    ch_error *err = &p->err;
    if (p->oom) {
        p->failed = 1;
        return err_set(err, "out of memory");
    }
    for (size_t i = 0; i < p->n; i++) {
        pg_step *st = &p->steps[i];
        int rc;
        switch (st->kind) {
        case PG_STEP_COPY:
            rc = run_copy(d, st, st->sql, st->what, err);
            pg_rows_free(&st->rows); /* sent: freed while the server works on them */
            break;
        case PG_STEP_CHANGES:
            rc = run_changes(d, st, err);
            break;
        case PG_STEP_STATE:
            rc = run_fenced(d, st, err);
            break;
        case PG_STEP_COMMIT:
            rc = pg_commit(d, err);
            p->committed = rc == CH_OK;
            break;
        default:
            rc = pg_exec(d, st->sql, st->what, err);
            break;
        }
        if (rc != CH_OK) {
            p->failed = 1;
            return CH_ERROR;
        }
    }
    return CH_OK;
}

int pg_plan_land(pg_dest *d, pg_plan *p, ch_error *err)
{
    int rc = CH_OK;
    for (size_t i = 0; i < p->n; i++) {
        pg_step *st = &p->steps[i];
        if (rc == CH_OK && !p->failed && st->kind == PG_STEP_CHANGES)
            rc = pg_report_missing(d, st, err);
        free(st->sql);
        free(st->copy_sql);
        free(st->send);
        drop_changes(st);
        PQclear(st->named);
        for (int k = 0; k < 2; k++)
            free(st->name_sql[k]);
        for (int k = 0; k < 5; k++)
            free(st->params[k]);
        free(st->busy);
    }
    free(p->steps);
    p->steps = NULL;
    p->n = p->cap = 0;
    return rc;
}

int pg_plan_now(pg_dest *d, pg_plan *p, ch_error *err)
{
    ch_error ignored;
    if (pg_plan_run(d, p) != CH_OK) {
        *err = p->err;
        pg_plan_land(d, p, &ignored);
        return CH_ERROR;
    }
    return pg_plan_land(d, p, err);
}

/*
 * The flight's thread: one per destination, started with the first commit
 * and kept, running the plans posted to it in order (an early merge, then
 * the commit queued behind it). A thread woken from its wait gets a core at
 * once; a new thread per commit queued behind the busy writer and connector
 * for up to a scheduler slice, with the server idle. After a plan fails, the
 * ones queued behind it, of the same transaction, are not run.
 */
static void *fly(void *arg)
{
    pg_dest *d = arg;
    pthread_mutex_lock(&d->flight_lock);
    for (;;) {
        pg_plan *p;
        int broken;
        while (d->flight_next == NULL && !d->flight_quit)
            pthread_cond_wait(&d->flight_wake, &d->flight_lock);
        if ((p = d->flight_next) == NULL)
            break; /* quit, with nothing posted */
        broken = d->flight_broken;
        pthread_mutex_unlock(&d->flight_lock);
        if (broken) {
            p->failed = 1;
            err_set(&p->err, "not run: an earlier merge of its transaction failed");
        } else {
            pg_plan_run(d, p);
        }
        pthread_mutex_lock(&d->flight_lock);
        if (p->failed)
            d->flight_broken = 1;
        p->done = 1;
        d->flight_next = p->next;
        pthread_cond_broadcast(&d->flight_wake);
    }
    pthread_mutex_unlock(&d->flight_lock);
    return NULL;
}

/* Starts the flight's thread unless it runs; CH_ERROR when it cannot. */
static int flight_thread(pg_dest *d)
{
    sigset_t all, old;
    int rc;
    if (d->flight_started)
        return CH_OK;
    if (pthread_mutex_init(&d->flight_lock, NULL) != 0)
        return CH_ERROR;
    if (pthread_cond_init(&d->flight_wake, NULL) != 0) {
        pthread_mutex_destroy(&d->flight_lock);
        return CH_ERROR;
    }
    d->flight_next = NULL;
    d->flight_broken = d->flight_quit = 0;
    /* the host's signals go to its own threads, never to this one */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    rc = pthread_create(&d->flight_thread, NULL, fly, d);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        pthread_cond_destroy(&d->flight_wake);
        pthread_mutex_destroy(&d->flight_lock);
        return CH_ERROR;
    }
    d->flight_started = 1;
    return CH_OK;
}

/*
 * Posts p to the flight's thread, behind what is in flight; early: merges
 * ahead of a checkpoint, in its transaction.
 */
static int post(pg_dest *d, pg_plan *p, int early, ch_error *err)
{
    pg_plan *flight = malloc(sizeof *flight);
    if (flight == NULL || flight_thread(d) != CH_OK) { /* run here instead: slower, not wrong */
        ch_error ignored;
        int ok = pg_land(d, err); /* what is in flight first: one statement at a time */
        if (ok == CH_OK)
            ok = pg_plan_now(d, p, err);
        else
            pg_plan_land(d, p, &ignored);
        free(flight);
        d->in_tx = ok == CH_OK && !early ? 0 : 1;
        return ok;
    }
    p->early = early;
    *flight = *p;
    memset(p, 0, sizeof *p);
    flight->next = NULL;
    flight->done = 0;
    pthread_mutex_lock(&d->flight_lock);
    if (d->flight_last)
        d->flight_last->next = flight;
    else
        d->flight = flight;
    d->flight_last = flight;
    if (d->flight_next == NULL)
        d->flight_next = flight;
    pthread_cond_broadcast(&d->flight_wake);
    pthread_mutex_unlock(&d->flight_lock);
    /* a commit's transaction is the flight's: it ends in COMMIT, or fails */
    d->in_tx = early;
    return CH_OK;
}

int pg_flight_behind_early(const pg_dest *d)
{
    return d->flight != NULL && d->flight_last->early && !d->flight_failed;
}

int pg_flight_start(pg_dest *d, pg_plan *p, ch_error *err)
{
    return post(d, p, 0, err);
}

int pg_flight_early(pg_dest *d, pg_plan *p, ch_error *err)
{
    return post(d, p, 1, err);
}

void pg_flight_stop(pg_dest *d)
{
    if (!d->flight_started)
        return;
    pthread_mutex_lock(&d->flight_lock);
    d->flight_quit = 1;
    pthread_cond_broadcast(&d->flight_wake);
    pthread_mutex_unlock(&d->flight_lock);
    pthread_join(d->flight_thread, NULL);
    pthread_cond_destroy(&d->flight_wake);
    pthread_mutex_destroy(&d->flight_lock);
    d->flight_started = 0;
}

int pg_land(pg_dest *d, ch_error *err)
{
    pg_plan *p = d->flight, *next;
    int rc = CH_OK;
    if (p == NULL && d->flight_failed) { /* landed by another call, which failed with it */
        *err = d->flight_err;
        return CH_ERROR;
    }
    if (p == NULL)
        return CH_OK;
    pthread_mutex_lock(&d->flight_lock);
    while (!d->flight_last->done) /* the plans run in order: the last is the last done */
        pthread_cond_wait(&d->flight_wake, &d->flight_lock);
    d->flight_broken = 0;
    pthread_mutex_unlock(&d->flight_lock);
    d->flight = d->flight_last = NULL;
    for (; p; p = next) {
        ch_error ignored;
        next = p->next;
        if (p->failed && rc == CH_OK) {
            *err = p->err;
            err_prefix(err, p->early ? "merging the rows of this checkpoint ahead of it failed"
                                     : "the previous checkpoint's commit, still in flight, failed");
            d->flight_failed = 1;
            d->flight_err = *err;
            d->in_tx = 1; /* whatever the server holds of it, the rollback ends */
            rc = CH_ERROR;
        }
        if (!p->failed && p->committed) {
            d->schema_ok = d->state_table_ok = d->state_generation_ok = 1;
            d->generation = p->generation; /* the state row's now */
        }
        if (rc == CH_OK)
            rc = pg_plan_land(d, p, err);
        else
            pg_plan_land(d, p, &ignored);
        free(p);
    }
    return rc;
}

/*
 * writer.c - the destination writer thread and its bounded queue.
 *
 * The queue is a ring of records with one producer (the sink) and one
 * consumer (the writer), whose value buffers are reused from one lap to the
 * next, so a steady stream allocates nothing. The two threads share only
 * the ring's indexes, as atomics: the producer publishes records in groups
 * and never takes a lock while the ring has room; the writer takes every
 * record published so far in one go. A mutex and two condition variables
 * exist only for sleeping: each side says it sleeps before it looks a last
 * time (sequentially consistent), so a wake-up is never lost.
 */
#include "writer.h"
#include "writer_ring.h"

#include "base/hot.h"
#include "signals.h"

#include <pthread.h>
#include <sys/mman.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Asks for huge pages for the memory: a hint, without which it has ordinary ones. */
static void advise_huge(void *p, size_t size)
{
#ifdef MADV_HUGEPAGE
    madvise(p, size, MADV_HUGEPAGE);
#else
    (void)p;
    (void)size;
#endif
}

/*
 * size bytes of zeroed memory aligned to SLAB_BYTES, where huge pages fit.
 * They are asked for (advise_huge) only once a sync has filled a slab: a
 * small sync would pay to clear a 2 MiB page at its first touch.
 */
static void *huge_alloc(size_t size)
{
    size_t span = size + SLAB_BYTES;
    char *p = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), *at;
    if (p == MAP_FAILED)
        return NULL;
    at = (char *)(((uintptr_t)p + SLAB_BYTES - 1) & ~(uintptr_t)(SLAB_BYTES - 1));
    if (at > p)
        munmap(p, (size_t)(at - p));
    if (at + size < p + span)
        munmap(at + size, (size_t)(p + span - (at + size)));
    return at;
}

static void huge_free(void *p, size_t size)
{
    if (p != NULL)
        munmap(p, size);
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

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

/*
 * What writer_apply_now() does after the destination answered, when there is
 * more to do than return: a failure to name, a truncate to log, a report to
 * make. Apart, so that the common case carries none of its buffers.
 */
static int applied(dest *d, const logger *lg, wop_kind kind, table_def *t, const value *vals,
                   long number, int rc, int found, long rows, ch_error *err)
{
    static const char *const names[] = {"upsert", "update", "delete", "truncate"};
    const value *keys[MAX_KEY_COLUMNS];
    char text[DEST_REPORT_ROWS_TEXT];
    if (rc != CH_OK) /* the row is named only now, on the way out */
        return err_prefix(err, "%s",
                          table_op_context(names[kind], t->name, NULL, number, t,
                                           op_keys(t, vals, keys), text, sizeof text));
    if (kind == WOP_TRUNCATE)
        log_msg(lg, CH_LOG_FINE, "host", "truncate on table '%s' soft-deleted %ld rows", t->name,
                rows);
    /* -1: held back; the destination reports it when it applies it */
    if (found == 0) {
        if (dest_reports_add(&d->missing, t, kind == WOP_UPDATE ? DEST_UPDATE : DEST_DELETE, 1, 0,
                             table_op_row(number, t, op_keys(t, vals, keys), text, sizeof text),
                             1) != CH_OK)
            return err_set(err, "out of memory");
        d->missing.items[d->missing.count - 1].number = number;
    }
    return CH_OK;
}

/* writer_apply_now(), inline where the writer applies its records. */
HOT int apply_op(dest *d, const logger *lg, wop_kind kind, table_def *t, const value *vals,
                 const unsigned char *present, const char *id, const char *synced, long number,
                 ch_error *err)
{
    int found = 1, rc;
    long rows = 0;
    /* each case returns at once when all went well: nothing left to look at */
    switch (kind) {
    case WOP_UPSERT:
        if ((rc = d->ops->upsert(d, t, vals, id, synced, err)) == CH_OK)
            return CH_OK;
        break;
    case WOP_UPDATE:
        if ((rc = d->ops->update(d, t, vals, present, synced, number, &found, err)) == CH_OK &&
            found != 0)
            return CH_OK;
        break;
    case WOP_DELETE:
        if ((rc = d->ops->remove(d, t, vals, synced, number, &found, err)) == CH_OK && found != 0)
            return CH_OK;
        break;
    case WOP_TRUNCATE:
        rc = d->ops->truncate(d, t, synced, &rows, err);
        break;
    default:
        return err_set(err, "internal error: a commit is not a data operation");
    }
    return applied(d, lg, kind, t, vals, number, rc, found, rows, err);
}

int writer_apply_now(dest *d, const logger *lg, wop_kind kind, table_def *t, const value *vals,
                     const unsigned char *present, const char *id, const char *synced, long number,
                     ch_error *err)
{
    return apply_op(d, lg, kind, t, vals, present, id, synced, number, err);
}

/* ---- the writer's side ------------------------------------------------------- */

/* The writer's thread, which a crash must not wait for. */
static _Thread_local int on_writer_thread;

static int is_data(wop_kind kind)
{
    return kind == WOP_UPSERT || kind == WOP_UPDATE || kind == WOP_DELETE;
}

/*
 * The leading bits of a value as an unsigned number that orders like the
 * value: integers and reals by their number, text and bytes by their first
 * eight bytes, as SQLite's BINARY collation does.
 */
HOT uint64_t leading_bits(const value *v)
{
    uint64_t x = 0;
    double d;
    switch (type_storage(v->type)) {
    case S_INTEGER:
        return (uint64_t)v->i ^ (UINT64_C(1) << 63);
    case S_REAL:
        /* -0.0 is 0.0 to the warehouse, so one key: it must sort with it */
        d = v->d == 0 ? 0.0 : v->d;
        memcpy(&x, &d, sizeof x);
        return (x >> 63) ? ~x : x | (UINT64_C(1) << 63);
    default:
        if (v->len >= 8) {
            memcpy(&x, v->ptr, 8);
            return __builtin_bswap64(x);
        }
        for (size_t k = 0; k < 8; k++)
            x = x << 8 | (k < v->len ? (unsigned char)v->ptr[k] : 0);
        return x;
    }
}

/* The record's sort key: its first key column's (or _fivetran_id's) leading bits. */
HOT uint64_t sort_key(const wop *op)
{
    if (op->t->nkey > 0)
        return leading_bits(&op->vals[op->t->key[0]]);
    {
        value id = {.type = T_STRING, .ptr = op->id, .len = op->has_id ? strlen(op->id) : 0};
        return leading_bits(&id);
    }
}

/* Turns counts into the first position of each digit value; false when one value has them all. */
static int positions(size_t *at, size_t size, size_t n)
{
    size_t sum = 0;
    for (size_t k = 0; k < size; k++) {
        size_t c = at[k];
        if (c == n)
            return 0; /* the pass would keep the order it has */
        at[k] = sum;
        sum += c;
    }
    return 1;
}

/* One stable counting pass of from into to, by the digit of the key at `shift`. */
static void digit_pass(const sort_item *from, sort_item *to, size_t n, int shift, size_t *at)
{
    for (size_t i = 0; i < n; i++)
        to[at[(from[i].key >> shift) & DIGIT_MASK]++] = from[i];
}

/* One stable counting pass of from into to, by the table (its index, below 256). */
static void table_pass(const sort_item *from, sort_item *to, size_t n)
{
    size_t at[256] = {0};
    for (size_t i = 0; i < n; i++)
        at[from[i].op->t->index]++;
    positions(at, 256, n + 1);
    for (size_t i = 0; i < n; i++)
        to[at[from[i].op->t->index]++] = from[i];
}

/*
 * Orders the run by table, then by the SORT_BITS leading bits of the key
 * that vary within it: a stable least-significant-first radix sort, so the
 * operations on one key keep their order (they share the bits), and keys
 * that share them keep theirs. That is not the exact key order, but close
 * enough that SQLite finds each page it needs still in its cache, which is
 * what the order is for. differ: the bits in which the keys differ from the
 * first's; max_table: the largest table index. *items ends up holding the
 * sorted run.
 */
static void sort_run(writer *w, size_t n, uint64_t differ, size_t max_table)
{
    sort_item *a = w->items, *b = w->spare, *swap;
    int passes = 0;
    if (differ != 0) {
        int top = 63 - __builtin_clzll(differ),
            low = top - SORT_BITS + 1 < 0 ? 0 : top - SORT_BITS + 1;
        /* every digit's counts in one read of the run */
        memset(w->counts, 0, sizeof w->counts);
        for (size_t i = 0; i < n; i++) {
            uint64_t k = a[i].key >> low;
            w->counts[0][k & DIGIT_MASK]++;
            w->counts[1][(k >> DIGIT_BITS) & DIGIT_MASK]++;
            w->counts[2][(k >> 2 * DIGIT_BITS) & DIGIT_MASK]++;
        }
        for (int d = 0; d < DIGITS; d++) {
            if (!positions(w->counts[d], DIGIT_MASK + 1, n))
                continue;
            digit_pass(a, b, n, low + d * DIGIT_BITS, w->counts[d]);
            swap = a, a = b, b = swap;
            passes++;
        }
    }
    /* the table last, as the most significant; a schema of 256 tables or more is not grouped */
    if (max_table > 0 && max_table < 256) {
        table_pass(a, b, n);
        swap = a, a = b, b = swap;
        passes++;
    }
    if (passes % 2) { /* the sorted run is in spare: swap the buffers' roles */
        w->spare = w->items;
        w->items = a;
    }
}

static int by_number(const void *pa, const void *pb)
{
    const dest_report *a = pa, *b = pb;
    return (a->number > b->number) - (a->number < b->number);
}

/* Wakes the producer if it sleeps (it looks again before it sleeps, so none is lost). */
static void wake_producer(writer *w)
{
    if (atomic_load(&w->producer_sleeping)) {
        pthread_mutex_lock(&w->lock);
        pthread_cond_broadcast(&w->space);
        pthread_mutex_unlock(&w->lock);
    }
}

/*
 * Hands what the destination reported to the sink, in the order of the
 * operations (a sorted run applies them out of it).
 */
static void pass_reports(writer *w)
{
    dest_reports *m = &w->d->missing;
    if (m->count == 0)
        return;
    if (w->sorts && m->count > 1)
        qsort(m->items, m->count, sizeof *m->items, by_number);
    pthread_mutex_lock(&w->lock);
    if (dest_reports_move(&w->reports, m) != CH_OK)
        w->reports_failed = 1;
    atomic_store(&w->has_reports, 1);
    pthread_mutex_unlock(&w->lock);
}

/* A commit is durable: the sink may count it (after taking its reports). */
static void commit_done(writer *w)
{
    pass_reports(w); /* the sink takes a commit's reports before it sees it done */
    atomic_fetch_add(&w->commits_done, 1);
    wake_producer(w);
}

static void fail(writer *w, const ch_error *err)
{
    w->error = *err;
    atomic_store(&w->failed, 1);
    wake_producer(w);
}

/* Waits for the destination's commit in flight, if any: only then is it durable. */
static void settle(writer *w)
{
    ch_error err;
    int64_t t0;
    int rc;
    if (!w->unsettled)
        return;
    w->unsettled = 0;
    if (atomic_load(&w->failed))
        return; /* never counted, and the destination is the sink's again */
    t0 = now_ns();
    rc = w->d->ops->settle(w->d, &err);
    /* counted first: once told, the producer may read the times */
    w->commits += now_ns() - t0;
    if (rc != CH_OK) {
        err_prefix(&err, "checkpoint");
        fail(w, &err);
    } else {
        commit_done(w);
    }
}

/* Sleeps until done(w) holds; the producer wakes it (wake_writer) after each change. */
static void writer_sleep(writer *w, int (*done)(writer *))
{
    if (done(w))
        return;
    pthread_mutex_lock(&w->lock);
    atomic_store(&w->writer_sleeping, 1);
    while (!done(w))
        pthread_cond_wait(&w->work, &w->lock);
    atomic_store(&w->writer_sleeping, 0);
    pthread_mutex_unlock(&w->lock);
}

/* True when the producer has let the next commit be made, refused it, or the writer ends. */
static int released(writer *w)
{
    return atomic_load(&w->released) > w->commits_started || atomic_load(&w->refused) ||
           atomic_load(&w->ending);
}

/*
 * Waits until the producer lets the next commit be made (writer_release):
 * CH_ERROR with err when it was refused instead. The writer has applied the
 * commit's operations meanwhile; only the COMMIT waits.
 */
static int wait_release(writer *w, ch_error *err)
{
    writer_sleep(w, released);
    if (atomic_load(&w->released) > w->commits_started) {
        w->commits_started++;
        return CH_OK;
    }
    return err_set(err, "not committed: the sync stopped before this checkpoint");
}

/* Makes the commit a record asks for, after the one in flight and once it is let. */
static __attribute__((noinline)) void make_commit(writer *w, wop *op)
{
    ch_error err;
    int64_t t0;
    int rc;
    settle(w); /* one commit in flight at a time, and counted in order */
    if (atomic_load(&w->failed))
        return;
    if (wait_release(w, &err) != CH_OK) {
        err_prefix(&err, "checkpoint");
        fail(w, &err);
        return;
    }
    t0 = now_ns();
    rc = w->d->ops->commit(w->d, op->text + op->connector_at, op->text, op->synced, &err);
    w->commits += now_ns() - t0;
    if (rc != CH_OK) {
        err_prefix(&err, "checkpoint");
        fail(w, &err);
    } else if (w->d->ops->settle != NULL) {
        w->unsettled = 1; /* durable once settled: before the next commit, or when idle */
    } else {
        commit_done(w);
    }
}

/*
 * Applies a data operation or a truncate, unless an earlier record failed;
 * the first failure is kept. Inline as it is where sorted runs are applied:
 * every record of a run is a data operation.
 */
HOT void apply_data(writer *w, wop *op)
{
    ch_error err;
    if (atomic_load_explicit(&w->failed, memory_order_relaxed))
        return;
    if (apply_op(w->d, w->log, op->kind, op->t, op->kind == WOP_TRUNCATE ? NULL : op->vals,
                 op->present, op->has_id ? op->id : NULL, op->synced, op->number, &err) != CH_OK)
        fail(w, &err);
}

/* Applies one record, unless an earlier one failed; the first failure is kept. */
HOT void apply(writer *w, wop *op)
{
    if (op->kind != WOP_COMMIT)
        apply_data(w, op);
    else if (!atomic_load_explicit(&w->failed, memory_order_relaxed))
        make_commit(w, op);
}

/*
 * Asks for the memory at p to be brought into the cache; never faults. An
 * instruction of its own on x86-64: GCC 12 drops __builtin_prefetch here.
 */
static inline void prefetch_at(const void *p)
{
#if defined(__x86_64__) || defined(__i386__)
    __asm__ volatile("prefetcht0 %0" : : "m"(*(const char *)p));
#else
    __builtin_prefetch(p, 0, 3);
#endif
}

/*
 * Sorted, the records are read in key order, all over the ring, and each
 * would wait for memory: the record is asked for a few operations ahead,
 * then the first lines of its values. A record's values, flags and first
 * text buffers are one piece of a slab (fit()), so those lines hold the
 * bytes of its short text values too. A prefetch never faults: no bounds.
 */
static inline void prefetch(const sort_item *items, size_t k)
{
    const char *mid = (const char *)items[k + LOOKAHEAD / 2].op->vals;
    prefetch_at(items[k + LOOKAHEAD].op);
    /* six lines: four values of 56 bytes, their flags and two text buffers of SLAB_TEXT */
    prefetch_at(mid);
    prefetch_at(mid + 64);
    prefetch_at(mid + 128);
    prefetch_at(mid + 192);
    prefetch_at(mid + 256);
    prefetch_at(mid + 320);
}

/* Applies records [from, to): in the ring's order, or each run of data operations sorted. */
static void apply_range(writer *w, size_t from, size_t to)
{
    int64_t t0 = now_ns(), in_commits = w->commits;
    size_t i = from;
    while (i < to) {
        wop *op = &w->ring[i % RING];
        size_t j = i, n = 0;
        if (!w->sorts || !is_data(op->kind)) {
            apply(w, op);
            i++;
            continue;
        }
        uint64_t first = sort_key(op), differ = 0;
        size_t max_table = op->t->index;
        w->items[n].key = first;
        w->items[n++].op = op;
        j++;
        while (j < to && is_data(w->ring[j % RING].kind)) {
            wop *r = &w->ring[j % RING];
            uint64_t key = sort_key(r);
            differ |= key ^ first;
            if (r->t->index > max_table)
                max_table = r->t->index;
            w->items[n].key = key;
            w->items[n++].op = r;
            j++;
        }
        sort_run(w, n, differ, max_table);
        for (size_t k = n; k < n + LOOKAHEAD; k++) /* what the last ones prefetch: the last */
            w->items[k] = w->items[n - 1];
        for (size_t k = 0; k < n; k++) {
            prefetch(w->items, k);
            apply_data(w, w->items[k].op);
        }
        i = j;
    }
    w->writes += now_ns() - t0 - (w->commits - in_commits);
}

/* True when the writer has something to do now. */
static int ready(writer *w)
{
    size_t tail = atomic_load(&w->tail), head = atomic_load(&w->head);
    if (head == tail)
        return atomic_load(&w->ending);
    return !w->sorts || atomic_load(&w->wanted) > tail || atomic_load(&w->ending);
}

/*
 * Frees the records' buffers, on the writer's thread as it ends: beside
 * whatever the sync does after writer_end(). Only the records ever filled:
 * the others were never touched, nor need to be.
 */
static void free_records(writer *w)
{
    /* and the one after them, which a refused operation may have filled and not queued */
    size_t filled = atomic_load(&w->head) + 1;
    for (size_t i = 0; i < RING && i < filled; i++) {
        wop *op = &w->ring[i];
        /* value_free()'s test inline: the values are thrown away, and most buffers are lent */
        for (size_t c = 0; c < op->cap; c++)
            if (!op->vals[c].lent)
                free(op->vals[c].buf);
        if (!op->in_slab) {
            free(op->vals);
            free(op->present);
        }
        if (op->text != NULL)
            free(op->text);
    }
    while (w->slabs != NULL) {
        slab *next = w->slabs->next;
        huge_free(w->slabs, SLAB_BYTES);
        w->slabs = next;
    }
}

static void *run(void *arg)
{
    writer *w = arg;
    on_writer_thread = 1;
    for (;;) {
        size_t from = atomic_load(&w->tail), to;
        if (!ready(w))
            settle(w); /* nothing else to do: the commit in flight is waited for now */
        writer_sleep(w, ready);
        to = atomic_load(&w->head);
        if (w->sorts && !atomic_load(&w->ending)) {
            size_t wanted = atomic_load(&w->wanted);
            if (wanted > from && wanted < to)
                to = wanted; /* what follows the commit is the next batch: sorted with it */
        }
        if (to == from) {
            settle(w);
            free_records(w);
            break; /* ending, and nothing left */
        }
        apply_range(w, from, to);
        pass_reports(w); /* the destination is this thread's until the records are done */
        atomic_store(&w->tail, to); /* a failed writer still consumes, so nobody waits forever */
        wake_producer(w);
    }
    return NULL;
}

/*
 * From a crash's signal handler: gives a commit the connector asked for the
 * time to finish (the writer thread still runs), so that its checkpoint is
 * kept as it would have been without the writer. Only atomics and
 * nanosleep: async-signal-safe.
 */
static void wait_on_crash(void *arg)
{
    writer *w = arg;
    struct timespec ms = {0, 1000000};
    if (on_writer_thread)
        return; /* the crash is the writer's own: nothing will finish */
    for (int i = 0; i < 10000; i++) {
        /* a commit not yet released was never promised to the connector */
        if (atomic_load(&w->commits_done) >= atomic_load(&w->released) || atomic_load(&w->failed))
            return;
        nanosleep(&ms, NULL);
    }
}

writer *writer_start(dest *d, const logger *lg)
{
    writer *w = calloc(1, sizeof *w);
    int rc;
    if (w == NULL)
        return NULL;
    w->ring = huge_alloc(RING * sizeof *w->ring);
    w->items = malloc((RING + LOOKAHEAD) * sizeof *w->items);
    w->spare = malloc((RING + LOOKAHEAD) * sizeof *w->spare);
    if (w->ring == NULL || w->items == NULL || w->spare == NULL) {
        huge_free(w->ring, RING * sizeof *w->ring);
        free(w->items);
        free(w->spare);
        free(w);
        return NULL;
    }
    w->fill = w->ring;
    w->d = d;
    w->log = lg;
    w->sorts = d->sorted_writes;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->work, NULL);
    pthread_cond_init(&w->space, NULL);
    rc = signals_thread_create(&w->thread, run, w);
    if (rc != 0) {
        pthread_cond_destroy(&w->space);
        pthread_cond_destroy(&w->work);
        pthread_mutex_destroy(&w->lock);
        huge_free(w->ring, RING * sizeof *w->ring);
        free(w->items);
        free(w->spare);
        free(w);
        return NULL;
    }
    signals_on_crash(wait_on_crash, w);
    return w;
}

/* ---- the producer's side ----------------------------------------------------- */

/* Wakes the writer if it sleeps (it looks again before it sleeps, so none is lost). */
static void wake_writer(writer *w)
{
    if (atomic_load(&w->writer_sleeping)) {
        pthread_mutex_lock(&w->lock);
        pthread_cond_signal(&w->work);
        pthread_mutex_unlock(&w->lock);
    }
}

/* Publishes every filled record; urgent: the writer is to apply them now. */
static void publish(writer *w, int urgent)
{
    size_t tail;
    atomic_store(&w->head, w->next);
    if (urgent)
        atomic_store(&w->wanted, w->next);
    tail = atomic_load(&w->tail);
    if (urgent || (!w->sorts && w->next - tail >= PUBLISH))
        wake_writer(w);
}

/*
 * True when the writer has consumed the records below `until` (it does so
 * even after a failure, and touches the destination no more once it has)
 * and has made `commits` commits durable in all, or failed.
 */
static int reached(writer *w, size_t until, long commits)
{
    return atomic_load(&w->tail) >= until &&
           (atomic_load(&w->failed) || atomic_load(&w->commits_done) >= commits);
}

/* Waits until reached(), counting the time. */
static void wait_for(writer *w, size_t until, long commits)
{
    int64_t t0;
    if (reached(w, until, commits))
        return;
    t0 = now_ns();
    pthread_mutex_lock(&w->lock);
    atomic_store(&w->producer_sleeping, 1);
    while (!reached(w, until, commits))
        pthread_cond_wait(&w->space, &w->lock);
    atomic_store(&w->producer_sleeping, 0);
    pthread_mutex_unlock(&w->lock);
    w->tail_seen = atomic_load(&w->tail);
    w->waited += now_ns() - t0;
}

/* The first failure, once the writer has one; for the producer's calls that wait. */
static int outcome(writer *w, ch_error *err)
{
    if (!atomic_load_explicit(&w->failed, memory_order_acquire))
        return CH_OK;
    *err = w->error;
    return CH_ERROR;
}

/* The next record to fill, waiting for room; NULL with err once the writer failed. */
static wop *reserve(writer *w, ch_error *err)
{
    if (w->next - w->tail_seen == RING) {
        w->tail_seen = atomic_load(&w->tail);
        if (w->next - w->tail_seen == RING && !atomic_load(&w->failed)) {
            publish(w, 1); /* a full ring is worth waking the writer for */
            wait_for(w, w->next - RING + 1, 0);
        }
    }
    if (outcome(w, err) != CH_OK)
        return NULL;
    return w->fill;
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

/* bytes of zeroed slab memory (16-aligned); NULL when none can be had. */
static void *slab_take(writer *w, size_t bytes)
{
    slab *s = w->slabs;
    void *p;
    bytes = (bytes + 15) & ~(size_t)15;
    if (bytes > SLAB_BYTES - sizeof *s - 16)
        return NULL;
    if (s == NULL || s->used + bytes > SLAB_BYTES) {
        if ((s = huge_alloc(SLAB_BYTES)) == NULL)
            return NULL;
        if (w->slabs != NULL) { /* a large sync: huge pages for the new slab and the ring */
            advise_huge(s, SLAB_BYTES);
            if (w->slabs->next == NULL)
                advise_huge(w->ring, RING * sizeof *w->ring);
        }
        s->next = w->slabs;
        s->used = (sizeof *s + 15) & ~(size_t)15;
        w->slabs = s;
    }
    p = (char *)s + s->used;
    s->used += bytes;
    return p;
}

/* True when a column's values are text or bytes, kept in a buffer. */
static int takes_text(col_type type)
{
    storage st = type_storage(type);
    return type != T_NONE && (st == S_TEXT || st == S_BLOB);
}

/*
 * The layout of a record of t (at most 64 columns) in one piece of a slab:
 * its values, their flags, and a first buffer per text column; remembered
 * for the next record of the same table.
 */
static void fit_layout(writer *w, const table_def *t)
{
    size_t n = t->ncols, cap = n < 4 ? 4 : n;
    if (t == w->fit_t && t->uid == w->fit_uid && n == w->fit_ncols)
        return;
    w->fit_text = 0;
    w->fit_ntext = 0;
    for (size_t c = 0; c < n; c++)
        if (takes_text(t->cols[c].type)) {
            w->fit_text |= UINT64_C(1) << c;
            w->fit_ntext++;
        }
    w->fit_cap = cap;
    w->fit_head = (cap * sizeof(value) + PRESENT_ROOM(cap) + 15) & ~(size_t)15;
    w->fit_t = t;
    w->fit_uid = t->uid;
    w->fit_ncols = n;
}

/* Lays a record out (fit_layout) at piece, which the slab zeroed. */
static void fit_piece(writer *w, wop *op, char *piece)
{
    value *vals = (value *)(void *)piece;
    char *text = piece + w->fit_head;
    for (uint64_t m = w->fit_text; m != 0; m &= m - 1, text += SLAB_TEXT) {
        value *v = &vals[__builtin_ctzll(m)];
        v->buf = text;
        v->cap = SLAB_TEXT;
        v->lent = 1;
    }
    op->vals = vals;
    op->present = (unsigned char *)(vals + w->fit_cap);
    op->cap = w->fit_cap;
    op->in_slab = 1;
}

/*
 * The ring's first lap: the record being filled and those after it, none
 * of them used yet, up to FIT_AHEAD of them (and not past the ring's end),
 * laid out for t together, from one piece of a slab: a call per record
 * costs more than its layout. The records a sync never reaches are only
 * slab memory, freed with it.
 */
#define FIT_AHEAD 64
static void fit_ahead(writer *w, wop *op, const table_def *t)
{
    size_t k = 0, size;
    char *piece;
    fit_layout(w, t);
    size = w->fit_head + w->fit_ntext * SLAB_TEXT;
    while (k < FIT_AHEAD && op + k < w->ring + RING && op[k].cap == 0)
        k++;
    if ((piece = slab_take(w, k * size)) == NULL)
        return; /* fit() tries for this one alone */
    for (size_t i = 0; i < k; i++)
        fit_piece(w, op + i, piece + i * size);
}

/* Gives the record room for t's values: from a slab the first time, its own after. */
static int fit(writer *w, wop *op, const table_def *t)
{
    size_t n = t->ncols;
    value *vals;
    unsigned char *present;
    if (n <= op->cap)
        return CH_OK;
    if (op->cap == 0 && n <= 64) {
        char *piece;
        fit_layout(w, t);
        if ((piece = slab_take(w, w->fit_head + w->fit_ntext * SLAB_TEXT)) != NULL) {
            fit_piece(w, op, piece);
            return CH_OK;
        }
    }
    /* more columns than the record has room for: arrays of its own, the values moved */
    vals = calloc(n, sizeof *vals);
    present = malloc(PRESENT_ROOM(n));
    if (vals == NULL || present == NULL) {
        free(vals);
        free(present);
        return CH_ERROR;
    }
    if (op->cap)
        memcpy(vals, op->vals, op->cap * sizeof *vals);
    if (!op->in_slab) {
        free(op->vals);
        free(op->present);
    }
    op->vals = vals;
    op->present = present;
    op->cap = n;
    op->in_slab = 0;
    return CH_OK;
}

int writer_put(writer *w, wop_kind kind, table_def *t, const value *vals,
               const unsigned char *present, const char *id, const char *synced, long number,
               int *events_out, ch_error *err)
{
    char at[WRITER_SYNCED_SIZE];
    value *to = NULL;
    unsigned char *flags = NULL;
    if (vals == NULL) {
        if (reserve(w, err) == NULL)
            return CH_ERROR;
    } else {
        if (writer_reserve(w, t, &to, &flags, err) != CH_OK)
            return CH_ERROR;
        for (size_t c = 0; c < t->ncols; c++)
            if (value_copy(&to[c], &vals[c]) != CH_OK)
                return err_set(err, "out of memory");
        if (present != NULL)
            memcpy(flags, present, t->ncols);
    }
    copy_text(at, sizeof at, synced);
    *events_out = writer_publish(w, kind, t, id, at, number);
    return CH_OK;
}

int writer_reserve_slow(writer *w, const table_def *t, value **vals, unsigned char **present,
                        ch_error *err)
{
    wop *op = reserve(w, err);
    if (op == NULL)
        return CH_ERROR;
    /* the first lap only: no record after this one has been queued yet, so all are the
       producer's; on later laps one there may be a commit still on the writer */
    if (op->cap == 0 && t->ncols <= 64 && w->next < RING)
        fit_ahead(w, op, t);
    if (fit(w, op, t) != CH_OK)
        return err_set(err, "out of memory");
    *vals = op->vals;
    *present = op->present;
    return CH_OK;
}

int writer_publish_group(writer *w)
{
    publish(w, 0);
    return writer_events(w);
}

void writer_copy_id(wop *op, const char *id)
{
    copy_text(op->id, sizeof op->id, id);
}

int writer_commit(writer *w, const char *connector, const char *state_json, const char *synced,
                  ch_error *err)
{
    size_t ls = strlen(state_json), lc = strlen(connector);
    wop *op = reserve(w, err);
    if (op == NULL)
        return CH_ERROR;
    if (ls + lc + 2 > op->text_cap) {
        char *text = realloc(op->text, ls + lc + 2);
        if (text == NULL)
            return err_set(err, "out of memory");
        op->text = text;
        op->text_cap = ls + lc + 2;
    }
    memcpy(op->text, state_json, ls + 1);
    memcpy(op->text + ls + 1, connector, lc + 1);
    op->connector_at = ls + 1;
    op->kind = WOP_COMMIT;
    op->t = NULL;
    op->has_id = 0;
    copy_text(op->synced, sizeof op->synced, synced);
    op->number = 0;
    writer_advance(w);
    atomic_fetch_add(&w->commits_queued, 1);
    publish(w, 1);
    return CH_OK;
}

void writer_release(writer *w, int go)
{
    if (go)
        atomic_fetch_add(&w->released, 1);
    else
        atomic_store(&w->refused, 1);
    wake_writer(w);
}

long writer_commits_done(writer *w)
{
    return w->commits_seen = atomic_load(&w->commits_done);
}

int writer_wait_commits(writer *w, long count, ch_error *err)
{
    if (!reached(w, 0, count)) {
        publish(w, 1);
        wait_for(w, 0, count);
    }
    return outcome(w, err);
}

int writer_drain(writer *w, ch_error *err)
{
    publish(w, 1);
    wait_for(w, w->next, atomic_load(&w->commits_queued));
    return outcome(w, err);
}

int writer_take_reports(writer *w, dest_reports *into)
{
    int rc;
    if (!atomic_load(&w->has_reports))
        return CH_OK;
    pthread_mutex_lock(&w->lock);
    rc = w->reports_failed ? CH_ERROR : dest_reports_move(into, &w->reports);
    w->reports_failed = 0;
    atomic_store(&w->has_reports, 0);
    pthread_mutex_unlock(&w->lock);
    return rc;
}

int64_t writer_waited(const writer *w)
{
    return w->waited;
}

writer_times writer_get_times(const writer *w)
{
    writer_times t = {.writes = w->writes, .commits = w->commits, .waited = w->waited};
    return t;
}

void writer_end(writer *w)
{
    if (w == NULL || w->ended)
        return;
    w->ended = 1;
    publish(w, 1);
    pthread_mutex_lock(&w->lock);
    atomic_store(&w->ending, 1);
    pthread_cond_signal(&w->work);
    pthread_mutex_unlock(&w->lock);
}

void writer_stop(writer *w)
{
    if (w == NULL)
        return;
    signals_on_crash(NULL, NULL);
    writer_end(w);
    pthread_join(w->thread, NULL);
    huge_free(w->ring, RING * sizeof *w->ring);
    free(w->items);
    free(w->spare);
    dest_reports_free(&w->reports);
    pthread_cond_destroy(&w->space);
    pthread_cond_destroy(&w->work);
    pthread_mutex_destroy(&w->lock);
    free(w);
}

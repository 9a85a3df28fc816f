/*
 * writer_ring.h - the writer's records and its state, shared by writer.c and
 * the producer's inline fast paths: private to the sync stage.
 */
#ifndef HOST_WRITER_RING_H
#define HOST_WRITER_RING_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "writer.h"

/*
 * Records. Room for two commit batches of the bench's 10,000 operations: the
 * connector fills the next one while the writer applies this one, which it
 * sorts whole.
 */
#define RING 32768
/*
 * Records published at once. The writer is woken for a group, or for a
 * commit, a drain or a full ring; when it sorts, only for those: it applies
 * the operations up to a commit all at once, so that each is sorted whole
 * (a batch cut in two would be written twice, each half in its order).
 */
#define PUBLISH 32

/*
 * Bits of the key the sort orders by, from the highest one that differs
 * within the run, in DIGITS digits of DIGIT_BITS: three passes over the run
 * where bytes took four.
 */
#define SORT_BITS  32
#define DIGIT_BITS 11
#define DIGITS     3
#define DIGIT_MASK ((1u << DIGIT_BITS) - 1)

typedef struct wop {
    wop_kind kind;
    table_def *t;
    value *vals;
    unsigned char *present;
    size_t cap; /* entries of vals and present */
    int has_id;
    char id[40];
    char synced[WRITER_SYNCED_SIZE];
    long number; /* the operation's number in the sync, for its messages */
    char *text;  /* a commit's state (and connector name after it) */
    size_t text_cap;
    size_t connector_at; /* where the connector's name starts in text */
    int in_slab;         /* vals and present are a slab's (slab_take), not their own */
} wop;

/*
 * Slabs: a record takes its values, their flags and its text values' first
 * buffers from chunks of SLAB_BYTES, so that its memory is together (a few
 * lines of one page, where separate allocations were all over the heap),
 * and chunk and ring are huge pages where the kernel gives them. The writer
 * reads the records in key order, all over the ring: each would otherwise
 * wait for memory and for its page's translation.
 */
#define SLAB_BYTES ((size_t)2 << 20)
#define SLAB_TEXT  48 /* a text value's first buffer: a UUID, its NUL and room */

typedef struct slab {
    struct slab *next;
    size_t used;
} slab;

/* How many records ahead of the one applied the writer prefetches; the sort's arrays have
   room for this many more than a run, copies of its last record. */
#define LOOKAHEAD 8

typedef struct sort_item {
    uint64_t key;
    wop *op;
} sort_item;

struct writer {
    dest *d;
    const logger *log;
    pthread_t thread;
    int sorts; /* the destination asked for key order (dest.sorted_writes) */
    wop *ring;
    sort_item *items, *spare;              /* the writer's: a run of records, to sort */
    size_t counts[DIGITS][DIGIT_MASK + 1]; /* the writer's: the sort's counts per digit */
    struct slab *slabs;                    /* the producer's, freed by the writer as it ends */

    /* shared: records [tail, head) are queued; both only grow */
    _Atomic size_t head;   /* written by the producer */
    _Atomic size_t tail;   /* written by the writer */
    _Atomic size_t wanted; /* the producer wants records below this applied without delay */
    _Atomic int ending;
    _Atomic int failed; /* set by the writer once `error` is written */
    _Atomic int writer_sleeping, producer_sleeping;
    _Atomic int has_reports;
    _Atomic long commits_done;
    _Atomic long commits_queued;
    _Atomic long released; /* commits the writer may make (writer_release) */
    _Atomic int refused;   /* the next commit held back is not to be made */
    ch_error error;        /* the first failure */

    /* the producer's own */
    size_t next;       /* the next record to fill; head lags it by less than PUBLISH */
    wop *fill;         /* that record: &ring[next % RING] */
    size_t tail_seen;  /* the last tail read: the ring has room up to tail_seen + RING */
    long commits_seen; /* commits_done when the sink last asked */
    /* fit_layout()'s last layout, for a table of at most 64 columns: that table (and its uid
       and column count), the record's values, the bytes before the text buffers, and its text
       columns as bits and their count; a column typed since gets its buffer when first copied */
    const table_def *fit_t;
    unsigned long fit_uid;
    size_t fit_ncols, fit_cap, fit_head, fit_ntext;
    uint64_t fit_text;
    int ended; /* writer_end() was called */
    int64_t waited;

    /* the writer's own, read by the producer only after a drain (the tail orders them) */
    int64_t writes, commits;
    long commits_started; /* commits the writer has begun */
    int unsettled; /* the destination's last commit may still be in flight (dest_ops.settle) */

    pthread_mutex_t lock; /* for sleeping, and guards reports */
    pthread_cond_t work;  /* the writer sleeps here */
    pthread_cond_t space; /* the producer sleeps here */
    dest_reports reports; /* what the destination reported, under the lock */
    int reports_failed;   /* out of memory while moving them */
};

/* The producer's fast paths, inline in the sink: their slow paths are in writer.c. */

/* writer_reserve() when the ring is full, the writer failed or the record needs room. */
int writer_reserve_slow(writer *w, const table_def *t, value **vals, unsigned char **present,
                        ch_error *err);
/* Publishes the records filled so far; returns writer_events(). */
int writer_publish_group(writer *w);
/* Copies a keyless upsert's _fivetran_id into its record. */
void writer_copy_id(wop *op, const char *id);

/* Whether the sink has something to look at: reports, or commits it has not seen. */
static inline int writer_events(writer *w)
{
    return atomic_load_explicit(&w->has_reports, memory_order_relaxed) ||
           atomic_load_explicit(&w->commits_done, memory_order_relaxed) != w->commits_seen;
}

/* Moves the producer on to the next record. */
static inline void writer_advance(writer *w)
{
    w->next++;
    w->fill = w->fill + 1 == w->ring + RING ? w->ring : w->fill + 1;
}

/*
 * The next record to fill, for a data operation on t: *vals and *present
 * get its t->ncols values and presence flags, which the caller fills (text
 * copied in with value_copy: the record outlives the caller's buffers)
 * before writer_publish(). Nothing is queued until then: a record left
 * unpublished is simply filled again. Waits while the queue is full.
 * CH_ERROR with the first failure once an earlier operation or commit
 * failed, or when out of memory.
 */
static inline int writer_reserve(writer *w, const table_def *t, value **vals,
                                 unsigned char **present, ch_error *err)
{
    const wop *op = w->fill;
    /* the common case, without calls: room, no failure, and a record that has the columns */
    if (w->next - w->tail_seen < RING && t->ncols <= op->cap &&
        !atomic_load_explicit(&w->failed, memory_order_acquire)) {
        *vals = op->vals;
        *present = op->present;
        return CH_OK;
    }
    return writer_reserve_slow(w, t, vals, present, err);
}

/*
 * Queues the record writer_reserve() gave, as writer_put() queues its copy;
 * the same t as reserved, and synced in a buffer of WRITER_SYNCED_SIZE
 * bytes (copied whole: no length to find). Returns what writer_put() sets
 * *events to.
 */
static inline int writer_publish(writer *w, wop_kind kind, table_def *t, const char *id,
                                 const char *synced, long number)
{
    wop *op = w->fill;
    op->kind = kind;
    op->t = t;
    op->has_id = id != NULL;
    if (id != NULL)
        writer_copy_id(op, id);
    memcpy(op->synced, synced, WRITER_SYNCED_SIZE);
    op->number = number;
    writer_advance(w);
    if (w->next - atomic_load_explicit(&w->head, memory_order_relaxed) >= PUBLISH)
        return writer_publish_group(w);
    return writer_events(w);
}

#endif

/*
 * progress.h - what a long sync shows while it runs: a line on a terminal
 * that redraws itself, or an INFO log line every few seconds.
 *
 * The sink publishes its counters through progress_counters, with relaxed
 * atomic stores that cost a plain store on the hot path; a thread of its own
 * reads them on a timer and writes the line, so the sink never looks at a
 * clock for it. Everything goes to the log's stream (standard error), never
 * to standard output.
 */
#ifndef HOST_PROGRESS_H
#define HOST_PROGRESS_H

#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "base/error.h"
#include "base/log.h"

/* How progress is shown (`run --progress MODE`). */
typedef enum progress_mode {
    PROGRESS_AUTO, /* TTY when the log's stream is a terminal, else LOG */
    PROGRESS_TTY,  /* one line on standard error, redrawn, erased before the summary */
    PROGRESS_LOG,  /* an INFO log line every interval */
    PROGRESS_NONE
} progress_mode;

/* The interval when none is given: a terminal line is live; log lines are few. */
#define PROGRESS_TTY_SECONDS 1.0
#define PROGRESS_LOG_SECONDS 5.0

/* Parses auto, tty, log or none. */
int progress_mode_parse(const char *text, progress_mode *mode);

/* What the sync is doing, for the line's end. */
enum { PROGRESS_SYNCING, PROGRESS_COMMITTING, PROGRESS_ROLLING_BACK, PROGRESS_COUNTING };

/*
 * What the sink publishes. Only one thread at a time writes (the sink's,
 * under its API lock); the progress thread only reads.
 */
typedef struct progress_counters {
    atomic_long ops;            /* operations accepted: upserts, updates, deletes, truncates */
    atomic_long tables;         /* tables the sync has written to */
    atomic_llong checkpoint_ns; /* CLOCK_MONOTONIC of the last committed one; 0: none yet */
    atomic_int phase;           /* PROGRESS_SYNCING and so on */
} progress_counters;

/*
 * Adds one to a counter only this thread writes: a load and a store, no
 * locked instruction. The store releases, so a reader that sees the new
 * count sees the checkpoint committed before it (a plain store on x86).
 */
static inline void progress_bump(atomic_long *counter)
{
    atomic_store_explicit(counter, atomic_load_explicit(counter, memory_order_relaxed) + 1,
                          memory_order_release);
}

/* Notes that a checkpoint was committed now. */
void progress_checkpointed(progress_counters *c);

static inline void progress_phase(progress_counters *c, int phase)
{
    atomic_store_explicit(&c->phase, phase, memory_order_relaxed);
}

typedef struct progress progress;

/*
 * Prepares progress for connector `name` in the given mode (AUTO resolved
 * here, against lg->out) every `interval` seconds (0: the mode's default),
 * and hooks lg so that a log line first erases a terminal line. Call it
 * before any other thread uses lg. *out is NULL for PROGRESS_NONE, and
 * every function below takes NULL and does nothing.
 */
int progress_new(progress **out, progress_mode mode, double interval, const char *name, logger *lg,
                 ch_error *err);

/*
 * Starts the timer thread over the counters, which must outlive
 * progress_stop; `start` (CLOCK_MONOTONIC) is when the sync began.
 */
int progress_start(progress *p, const progress_counters *c, const struct timespec *start,
                   ch_error *err);

/* Ends the thread and erases the terminal line, so the summary starts on a clean line. */
void progress_stop(progress *p);

/* Frees p, after the last line was logged through the logger it hooks. */
void progress_free(progress *p);

#endif

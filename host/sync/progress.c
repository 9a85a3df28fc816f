/*
 * progress.c - the progress thread: wakes every interval, reads the sink's
 * counters and shows them, as a terminal line that redraws itself or as an
 * INFO log line.
 *
 * A terminal line and log lines share standard error. The line is written
 * under the stream's lock, and the logger's before_line hook (called under
 * the same lock) erases it before a log line, so a log line never lands in
 * the middle of it; the next tick draws it again below.
 */
#include "progress.h"

#include "signals.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

/* Moves to the start of the line and clears it. */
#define ERASE_LINE "\r\033[K"

struct progress {
    progress_mode mode; /* TTY or LOG, never AUTO or NONE */
    double interval;    /* seconds */
    char name[160];
    const logger *lg;
    FILE *out;
    const progress_counters *c;
    struct timespec start;
    pthread_t thread;
    int started;
    pthread_mutex_t lock;
    pthread_cond_t wake; /* on CLOCK_MONOTONIC, so a change of the wall clock moves no tick */
    int stopping;        /* under lock */
    /*
     * A terminal line is on screen. Touched only under out's stream lock
     * (flockfile), which ThreadSanitizer cannot see: the relaxed atomic
     * accesses tell it what the lock already guarantees, at no cost.
     */
    int shown;
    long last_ops; /* at the previous line, for the rate */
    int64_t last_ns;
};

int progress_mode_parse(const char *text, progress_mode *mode)
{
    static const char *const names[] = {"auto", "tty", "log", "none"};
    for (int i = 0; i < 4; i++)
        if (strcmp(text, names[i]) == 0) {
            *mode = (progress_mode)i;
            return CH_OK;
        }
    return CH_ERROR;
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void progress_checkpointed(progress_counters *c)
{
    atomic_store_explicit(&c->checkpoint_ns, now_ns(), memory_order_relaxed);
}

/* A duration for people: 4.2 s, 3m07s, 1h02m03s. */
static void duration(char *buf, size_t size, double seconds)
{
    long s = (long)seconds;
    if (seconds < 60)
        snprintf(buf, size, "%.1f s", seconds);
    else if (s < 3600)
        snprintf(buf, size, "%ldm%02lds", s / 60, s % 60);
    else
        snprintf(buf, size, "%ldh%02ldm%02lds", s / 3600, s / 60 % 60, s % 60);
}

/* The line's text, without a prefix: what has been done, how fast, and what is happening now. */
static void describe(progress *p, char *buf, size_t size)
{
    static const char *const phases[] = {"", ", committing", ", rolling back",
                                         ", counting the rows in the warehouse"};
    const progress_counters *c = p->c;
    int64_t now = now_ns();
    int64_t start = (int64_t)p->start.tv_sec * 1000000000 + p->start.tv_nsec;
    long ops = atomic_load_explicit(&c->ops, memory_order_acquire); /* before checkpoint_ns */
    long tables = atomic_load_explicit(&c->tables, memory_order_relaxed);
    int64_t checkpoint_ns = atomic_load_explicit(&c->checkpoint_ns, memory_order_relaxed);
    int phase = atomic_load_explicit(&c->phase, memory_order_relaxed);
    double window = (double)(now - p->last_ns) / 1e9;
    char elapsed[32], ago[32], checkpoint[64];
    /* the rate since the previous line: what the sync does now, not its average */
    double rate = window > 0 ? (double)(ops - p->last_ops) / window : 0;
    p->last_ops = ops;
    p->last_ns = now;
    duration(elapsed, sizeof elapsed, (double)(now - start) / 1e9);
    if (checkpoint_ns == 0) {
        snprintf(checkpoint, sizeof checkpoint, "no checkpoint yet");
    } else {
        duration(ago, sizeof ago, (double)(now - checkpoint_ns) / 1e9);
        snprintf(checkpoint, sizeof checkpoint, "last checkpoint %s ago", ago);
    }
    /* short enough for an 80-column terminal in a sync of millions */
    snprintf(buf, size, "%ld ops (%.0f/s), %ld table%s, %s, %s elapsed%s", ops, rate, tables,
             tables == 1 ? "" : "s", checkpoint, elapsed,
             phase > 0 && phase < 4 ? phases[phase] : "");
}

/* The terminal's width; 80 when it cannot say (a pseudo-terminal that was never sized). */
static size_t columns(FILE *out)
{
    struct winsize ws;
    if (ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return 80;
}

static void show(progress *p)
{
    char text[512];
    describe(p, text, sizeof text);
    if (p->mode == PROGRESS_LOG) {
        log_msg(p->lg, CH_LOG_INFO, "host", "progress: %s", text);
        return;
    }
    flockfile(p->out);
    {
        /* a line longer than the terminal wraps, and erasing it would clear only its last row */
        char line[700];
        size_t width = columns(p->out);
        snprintf(line, sizeof line, "%s: %s", p->name, text);
        if (strlen(line) >= width)
            line[width - 1] = '\0';
        fputs("\r", p->out);
        fputs(line, p->out);
        fputs("\033[K", p->out); /* what a longer line drawn before left */
        fflush(p->out);
        __atomic_store_n(&p->shown, 1, __ATOMIC_RELAXED);
    }
    funlockfile(p->out);
}

/* The logger's before_line hook: called with the stream locked. */
static void erase(void *ctx)
{
    progress *p = ctx;
    if (__atomic_load_n(&p->shown, __ATOMIC_RELAXED)) {
        fputs(ERASE_LINE, p->out);
        __atomic_store_n(&p->shown, 0, __ATOMIC_RELAXED);
    }
}

static struct timespec timespec_of(int64_t ns)
{
    struct timespec ts = {(time_t)(ns / 1000000000), (long)(ns % 1000000000)};
    return ts;
}

static void *run(void *arg)
{
    progress *p = arg;
    int64_t step = (int64_t)(p->interval * 1e9), due = now_ns();
    pthread_mutex_lock(&p->lock);
    for (;;) {
        struct timespec until = timespec_of(due += step);
        while (!p->stopping && pthread_cond_timedwait(&p->wake, &p->lock, &until) != ETIMEDOUT)
            ;
        if (p->stopping)
            break;
        pthread_mutex_unlock(&p->lock);
        show(p);
        pthread_mutex_lock(&p->lock);
        /* a tick that came late (a loaded machine) is not made up for with a burst of lines */
        if (now_ns() - due > step)
            due = now_ns();
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

int progress_new(progress **out, progress_mode mode, double interval, const char *name, logger *lg,
                 ch_error *err)
{
    progress *p;
    *out = NULL;
    if (mode == PROGRESS_AUTO)
        mode = isatty(fileno(lg->out)) ? PROGRESS_TTY : PROGRESS_LOG;
    if (mode == PROGRESS_NONE)
        return CH_OK;
    if ((p = calloc(1, sizeof *p)) == NULL)
        return err_set(err, "progress: out of memory");
    p->mode = mode;
    p->interval = interval > 0           ? interval
                  : mode == PROGRESS_TTY ? PROGRESS_TTY_SECONDS
                                         : PROGRESS_LOG_SECONDS;
    snprintf(p->name, sizeof p->name, "%s", name);
    /* a runtime names a connector after its directory: no byte of it may move the cursor */
    for (char *c = p->name; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = '?';
    p->lg = lg;
    p->out = lg->out;
    if (mode == PROGRESS_TTY) {
        lg->before_line = erase;
        lg->before_line_ctx = p;
    }
    *out = p;
    return CH_OK;
}

int progress_start(progress *p, const progress_counters *c, const struct timespec *start,
                   ch_error *err)
{
    pthread_condattr_t attr;
    int rc;
    if (p == NULL)
        return CH_OK;
    p->c = c;
    p->start = *start;
    p->last_ns = (int64_t)start->tv_sec * 1000000000 + start->tv_nsec;
    pthread_mutex_init(&p->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&p->wake, &attr);
    pthread_condattr_destroy(&attr);
    rc = signals_thread_create(&p->thread, run, p);
    if (rc != 0) {
        pthread_cond_destroy(&p->wake);
        pthread_mutex_destroy(&p->lock);
        return err_set(err, "progress: cannot start its thread: %s", strerror(rc));
    }
    p->started = 1;
    return CH_OK;
}

void progress_stop(progress *p)
{
    if (p == NULL || !p->started)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopping = 1;
    pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->lock);
    pthread_join(p->thread, NULL);
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
    p->started = 0;
    flockfile(p->out);
    erase(p);
    fflush(p->out);
    funlockfile(p->out);
}

void progress_free(progress *p)
{
    progress_stop(p);
    free(p);
}

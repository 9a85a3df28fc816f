/* signals.h - stopping a sync cleanly on SIGINT/SIGTERM, and naming a crashed connector. */
#ifndef HOST_SIGNALS_H
#define HOST_SIGNALS_H

#include <pthread.h>
#include <signal.h>

/* Set to the number of the first SIGINT or SIGTERM received; 0 while none. */
extern volatile sig_atomic_t signals_stop;

/*
 * Installs the handlers for one sync: SIGINT and SIGTERM ask it to stop at
 * the next operation (a second one kills at once); SIGSEGV, SIGBUS, SIGILL,
 * SIGFPE and SIGABRT print which connector crashed (with json, as one JSON
 * log line), then end the process with the same signal. The destination's
 * open transaction is never committed, so the warehouse keeps the last
 * checkpoint.
 */
void signals_install(const char *connector, const char *plugin, int json);

/* Restores the default handlers. */
void signals_restore(void);

/*
 * Sets what a crash signal's handler calls before it reports and re-raises
 * (NULL: nothing): an async-signal-safe wait, e.g. for a commit in flight.
 */
void signals_on_crash(void (*wait)(void *), void *arg);

/*
 * Starts a thread of the host's own (the writer, the progress line) with
 * SIGINT and SIGTERM blocked: they belong to the connector's thread, whose
 * blocking calls they interrupt. Returns pthread_create's status.
 */
int signals_thread_create(pthread_t *thread, void *(*run)(void *), void *arg);

/* The signal's name, "SIGTERM"; "signal N" for others. */
const char *signals_name(int sig);

#endif

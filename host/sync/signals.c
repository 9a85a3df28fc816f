/*
 * signals.c - what the host does when a signal arrives during a sync.
 *
 * Everything a handler does must be async-signal-safe: the crash report is
 * composed before the sync starts and written with write(2).
 */
#include "signals.h"

#include "base/log.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

volatile sig_atomic_t signals_stop;

static const int stop_signals[] = {SIGINT, SIGTERM};
static const int crash_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};

const char *signals_name(int sig)
{
    static char other[24];
    switch (sig) {
    case SIGINT:
        return "SIGINT";
    case SIGTERM:
        return "SIGTERM";
    case SIGSEGV:
        return "SIGSEGV";
    case SIGBUS:
        return "SIGBUS";
    case SIGILL:
        return "SIGILL";
    case SIGFPE:
        return "SIGFPE";
    case SIGABRT:
        return "SIGABRT";
    default:
        snprintf(other, sizeof other, "signal %d", sig);
        return other;
    }
}

/* What a stop request says at once (text logs only: a JSON log stays one object a line). */
static const char stop_first[] =
    "connector-host: stopping at the connector's next operation; the warehouse keeps the last "
    "checkpoint (interrupt again to stop at once)\n";
static const char stop_again[] =
    "connector-host: stopping at once; the warehouse keeps the last checkpoint\n";
static int stop_say; /* the log is text */

static void on_stop(int sig)
{
    ssize_t ignored;
    if (signals_stop == 0) {
        signals_stop = sig;
        /* a connector blocked in a slow call may not reach an operation for a while */
        if (stop_say)
            ignored = write(STDERR_FILENO, stop_first, sizeof stop_first - 1);
        (void)ignored;
        return;
    }
    if (stop_say)
        ignored = write(STDERR_FILENO, stop_again, sizeof stop_again - 1);
    (void)ignored;
    signal(sig, SIG_DFL); /* a second request: stop now */
    raise(sig);
}

/* What each crash signal is called in the report; signals_name() may format, which is not safe. */
static const char *const crash_names[] = {
    "SIGSEGV (invalid memory access)", "SIGBUS (bus error)", "SIGILL (illegal instruction)",
    "SIGFPE (arithmetic error)",       "SIGABRT (aborted)",
};
#define NCRASH (sizeof crash_signals / sizeof crash_signals[0])

/*
 * The whole report of each crash signal, composed before the sync starts.
 * In JSON it is one log object; only its time is written by the handler.
 */
static char crash_report[NCRASH][2400];
static size_t crash_report_len[NCRASH];
/* Where the handler writes the time into a JSON report (the placeholder's offset); 0: none. */
static size_t crash_time_at[NCRASH];

/* The time of a JSON report until the handler writes the real one: as wide as crash_time's. */
#define TIME_PLACEHOLDER "0000-00-00T00:00:00.000Z"

static void say(const char *text, size_t len)
{
    ssize_t ignored = write(STDERR_FILENO, text, len);
    (void)ignored;
}

/* Writes n as exactly width digits into p; async-signal-safe. */
static char *digits(char *p, long n, int width)
{
    for (int i = width - 1; i >= 0; i--, n /= 10)
        p[i] = (char)('0' + n % 10);
    return p + width;
}

/* The current UTC time as the logs write it, "2026-12-01T23:42:53.522Z", with arithmetic only. */
static size_t crash_time(char *buf)
{
    struct timespec ts;
    long days, secs, y, m, d, era, doe, yoe, doy, mp;
    char *p = buf;
    clock_gettime(CLOCK_REALTIME, &ts);
    days = (long)(ts.tv_sec / 86400);
    secs = (long)(ts.tv_sec % 86400);
    /* the civil date of a day number (H. Hinnant's algorithm) */
    days += 719468;
    era = (days >= 0 ? days : days - 146096) / 146097;
    doe = days - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y = yoe + era * 400 + (m <= 2);
    p = digits(p, y, 4), *p++ = '-', p = digits(p, m, 2), *p++ = '-', p = digits(p, d, 2);
    *p++ = 'T';
    p = digits(p, secs / 3600, 2), *p++ = ':', p = digits(p, secs / 60 % 60, 2), *p++ = ':';
    p = digits(p, secs % 60, 2), *p++ = '.', p = digits(p, ts.tv_nsec / 1000000, 3);
    *p++ = 'Z';
    return (size_t)(p - buf);
}

static void (*_Atomic crash_wait)(void *);
static void *_Atomic crash_wait_arg;

void signals_on_crash(void (*wait)(void *), void *arg)
{
    crash_wait = NULL; /* never a new function with the old argument */
    crash_wait_arg = arg;
    crash_wait = wait;
}

static void on_crash(int sig)
{
    size_t i = 0;
    void (*wait)(void *) = crash_wait;
    if (wait != NULL)
        wait(crash_wait_arg);
    while (i + 1 < NCRASH && crash_signals[i] != sig)
        i++;
    if (crash_time_at[i] > 0) {
        char when[40];
        size_t after = crash_time_at[i] + sizeof TIME_PLACEHOLDER - 1;
        say(crash_report[i], crash_time_at[i]);
        say(when, crash_time(when));
        say(crash_report[i] + after, crash_report_len[i] - after);
    } else {
        say(crash_report[i], crash_report_len[i]);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

void signals_install(const char *connector, const char *plugin, int json)
{
    struct sigaction sa;
    stop_say = !json;
    for (size_t i = 0; i < NCRASH; i++) {
        char message[1000];
        size_t size = sizeof crash_report[i];
        int n;
        snprintf(message, sizeof message,
                 "SYNC FAILED: connector '%s' (%s) crashed with %s; nothing after the last "
                 "checkpoint was committed",
                 connector, plugin, crash_names[i]);
        crash_time_at[i] = 0;
        if (json) {
            /* the log line of log.c, its time written by the handler in place of the placeholder */
            size_t len = 0;
            char *line = log_json_line(CH_LOG_SEVERE, "host", TIME_PLACEHOLDER, message, &len);
            if (line && len < size) {
                memcpy(crash_report[i], line, len);
                crash_report_len[i] = len;
                /* the time is the line's last value: its last placeholder, whatever the message */
                for (size_t at = len - sizeof TIME_PLACEHOLDER; at > 0 && !crash_time_at[i]; at--)
                    if (memcmp(line + at, TIME_PLACEHOLDER, sizeof TIME_PLACEHOLDER - 1) == 0)
                        crash_time_at[i] = at;
                free(line);
                continue;
            }
            free(line); /* out of memory, or escapes past the buffer: the plain report then */
        }
        n = snprintf(crash_report[i], size, "connector-host: %s\n", message);
        crash_report_len[i] = n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
    }
    signals_stop = 0;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_stop;
    for (size_t i = 0; i < sizeof stop_signals / sizeof stop_signals[0]; i++)
        sigaction(stop_signals[i], &sa, NULL);
    sa.sa_handler = on_crash;
    sa.sa_flags = SA_RESETHAND;
    for (size_t i = 0; i < NCRASH; i++)
        sigaction(crash_signals[i], &sa, NULL);
}

void signals_restore(void)
{
    for (size_t i = 0; i < sizeof stop_signals / sizeof stop_signals[0]; i++)
        signal(stop_signals[i], SIG_DFL);
    for (size_t i = 0; i < sizeof crash_signals / sizeof crash_signals[0]; i++)
        signal(crash_signals[i], SIG_DFL);
}

int signals_thread_create(pthread_t *thread, void *(*run)(void *), void *arg)
{
    sigset_t blocked, old;
    int rc;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGINT);
    sigaddset(&blocked, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &blocked, &old);
    rc = pthread_create(thread, NULL, run, arg);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

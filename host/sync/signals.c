/*
 * signals.c - what the host does when a signal arrives during a sync.
 *
 * Everything a handler does must be async-signal-safe: the crash report is
 * composed before the sync starts and written with write(2).
 */
#include "signals.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

volatile sig_atomic_t signals_stop;

static const int stop_signals[] = {SIGINT, SIGTERM};
static const int crash_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
static char crash_prefix[512];
static size_t crash_prefix_len;

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

static void on_stop(int sig)
{
    if (signals_stop == 0) {
        signals_stop = sig;
        return;
    }
    signal(sig, SIG_DFL); /* a second request: stop now */
    raise(sig);
}

static void say(const char *text)
{
    ssize_t ignored = write(STDERR_FILENO, text, strlen(text));
    (void)ignored;
}

static void on_crash(int sig)
{
    ssize_t ignored = write(STDERR_FILENO, crash_prefix, crash_prefix_len);
    (void)ignored;
    switch (sig) { /* signals_name() may format, which is not async-signal-safe */
    case SIGSEGV:
        say("SIGSEGV (invalid memory access)");
        break;
    case SIGBUS:
        say("SIGBUS (bus error)");
        break;
    case SIGILL:
        say("SIGILL (illegal instruction)");
        break;
    case SIGFPE:
        say("SIGFPE (arithmetic error)");
        break;
    default:
        say("SIGABRT (aborted)");
        break;
    }
    say("; nothing after the last checkpoint was committed\n");
    signal(sig, SIG_DFL);
    raise(sig);
}

void signals_install(const char *connector, const char *plugin)
{
    struct sigaction sa;
    int n = snprintf(crash_prefix, sizeof crash_prefix,
                     "connector-host: SYNC FAILED: connector '%s' (%s) crashed with ", connector,
                     plugin);
    crash_prefix_len = n < 0                             ? 0
                       : (size_t)n < sizeof crash_prefix ? (size_t)n
                                                         : sizeof crash_prefix - 1;
    signals_stop = 0;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_stop;
    for (size_t i = 0; i < sizeof stop_signals / sizeof stop_signals[0]; i++)
        sigaction(stop_signals[i], &sa, NULL);
    sa.sa_handler = on_crash;
    sa.sa_flags = SA_RESETHAND;
    for (size_t i = 0; i < sizeof crash_signals / sizeof crash_signals[0]; i++)
        sigaction(crash_signals[i], &sa, NULL);
}

void signals_restore(void)
{
    for (size_t i = 0; i < sizeof stop_signals / sizeof stop_signals[0]; i++)
        signal(stop_signals[i], SIG_DFL);
    for (size_t i = 0; i < sizeof crash_signals / sizeof crash_signals[0]; i++)
        signal(crash_signals[i], SIG_DFL);
}

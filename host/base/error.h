/* error.h - an error message that carries context upward to the caller. */
#ifndef HOST_ERROR_H
#define HOST_ERROR_H

#include "connector-host.h"

/*
 * What kind of failure an error is, for the exit status: most are plain
 * failures; ERR_BUSY says another worker holds the lock of this sync (its
 * working directory, or its connector on the server) or took the connector
 * over, so the caller should try again later rather than raise an alarm.
 */
typedef enum ch_error_kind { ERR_FAILED = 0, ERR_BUSY = 1 } ch_error_kind;

typedef struct ch_error {
    char msg[1024];
    ch_error_kind kind;
} ch_error;

/* Sets the message (printf style) and the kind ERR_FAILED; returns CH_ERROR. */
int err_set(ch_error *err, const char *format, ...) CH_PRINTF(2, 3);

/* Sets the message (printf style) and the kind ERR_BUSY; returns CH_ERROR. */
int err_busy(ch_error *err, const char *format, ...) CH_PRINTF(2, 3);

/* Prefixes the existing message with context ("what: ") and returns CH_ERROR; the kind stays. */
int err_prefix(ch_error *err, const char *format, ...) CH_PRINTF(2, 3);

/* Clears the message; the kind becomes ERR_FAILED. */
void err_clear(ch_error *err);

#endif

/* error.h - an error message that carries context upward to the caller. */
#ifndef HOST_ERROR_H
#define HOST_ERROR_H

#include "connector-host.h"

typedef struct ch_error {
    char msg[1024];
} ch_error;

/* Sets the message (printf style) and returns CH_ERROR. */
int err_set(ch_error *err, const char *format, ...) CH_PRINTF(2, 3);

/* Prefixes the existing message with context ("what: ") and returns CH_ERROR. */
int err_prefix(ch_error *err, const char *format, ...) CH_PRINTF(2, 3);

/* Clears the message. */
void err_clear(ch_error *err);

#endif

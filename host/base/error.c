/* error.c - formatting of error messages with context. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int err_set(ch_error *err, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    vsnprintf(err->msg, sizeof err->msg, format, ap);
    va_end(ap);
    return CH_ERROR;
}

int err_prefix(ch_error *err, const char *format, ...)
{
    char prefix[512];
    char old[sizeof err->msg];
    va_list ap;
    va_start(ap, format);
    vsnprintf(prefix, sizeof prefix, format, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    snprintf(err->msg, sizeof err->msg, "%s: %s", prefix, old);
    return CH_ERROR;
}

void err_clear(ch_error *err)
{
    err->msg[0] = '\0';
}

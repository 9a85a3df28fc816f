/* error.c - formatting of error messages with context. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* A message cut short ends in "...", at a UTF-8 boundary, so a reader knows more was said. */
static void mark_cut(char *msg, size_t size, int wanted)
{
    size_t at = size - 4;
    if (wanted < (int)size)
        return;
    while (at > 0 && ((unsigned char)msg[at] & 0xC0) == 0x80)
        at--;
    memcpy(msg + at, "...", 4);
}

static int err_vset(ch_error *err, ch_error_kind kind, const char *format, va_list ap)
{
    int n = vsnprintf(err->msg, sizeof err->msg, format, ap);
    mark_cut(err->msg, sizeof err->msg, n);
    err->kind = kind;
    return CH_ERROR;
}

int err_set(ch_error *err, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    err_vset(err, ERR_FAILED, format, ap);
    va_end(ap);
    return CH_ERROR;
}

int err_busy(ch_error *err, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    err_vset(err, ERR_BUSY, format, ap);
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
    mark_cut(err->msg, sizeof err->msg, snprintf(err->msg, sizeof err->msg, "%s: %s", prefix, old));
    return CH_ERROR;
}

void err_clear(ch_error *err)
{
    err->msg[0] = '\0';
    err->kind = ERR_FAILED;
}

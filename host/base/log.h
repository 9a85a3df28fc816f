/* log.h - levelled log lines in text or JSON, for the host and for connectors. */
#ifndef HOST_LOG_H
#define HOST_LOG_H

#include <stdarg.h>
#include <stdio.h>

#include "connector-host.h"

typedef struct logger {
    ch_log_level min; /* lines below this level are dropped */
    int json;         /* one JSON object per line instead of text */
    FILE *out;
    /* Texts never to be written (secret configuration values), longest first; may be NULL. */
    const char *const *secrets;
    size_t nsecrets;
    /*
     * Called with out locked before each line, or NULL: a terminal's
     * progress line is erased first, so that a log line never starts in it.
     */
    void (*before_line)(void *ctx);
    void *before_line_ctx;
} logger;

/* Parses FINE, INFO, WARNING or SEVERE (any case). */
int log_level_parse(const char *text, ch_log_level *level);

/* The level's name. */
const char *log_level_name(ch_log_level level);

/* Writes one line from source ("host" or "connector:NAME"). */
void log_msg(const logger *lg, ch_log_level level, const char *source, const char *format, ...)
    CH_PRINTF(4, 5);

/* As log_msg, with a va_list. */
void log_vmsg(const logger *lg, ch_log_level level, const char *source, const char *format,
              va_list ap);

/*
 * The text with every secret of lg replaced by ***: text itself when it has
 * none, else a malloc'd copy in *copy (free it; NULL when there was none).
 */
const char *log_scrub(const logger *lg, const char *text, char **copy);

/*
 * One log line in JSON ({"level","message","source","time"} and a newline),
 * malloc'd, *len its length; NULL when out of memory. Bytes of msg that are
 * not UTF-8 become U+FFFD.
 */
char *log_json_line(ch_log_level level, const char *source, const char *when, const char *msg,
                    size_t *len);

/* Writes the current UTC time as YYYY-MM-DDTHH:MM:SS.mmmZ. */
void log_time_now(char *buf, size_t size);

/*
 * Writes text from anyone (a connector's message, a failure reason) into a
 * text log or report: line breaks continue on an indented line, other
 * control characters become \xNN, so it cannot forge a line of its own.
 */
void log_put_text(FILE *out, const char *text);

#endif

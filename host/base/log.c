/* log.c - one line per message; JSON lines go through yajl so messages are escaped. */
#include "log.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <yajl/yajl_gen.h>

#include "utf8.h"

static const char *const level_names[] = {"FINE", "INFO", "WARNING", "SEVERE"};

int log_level_parse(const char *text, ch_log_level *level)
{
    for (int i = CH_LOG_FINE; i <= CH_LOG_SEVERE; i++) {
        if (strcasecmp(text, level_names[i]) == 0) {
            *level = (ch_log_level)i;
            return CH_OK;
        }
    }
    return CH_ERROR;
}

const char *log_level_name(ch_log_level level)
{
    return (unsigned)level <= CH_LOG_SEVERE ? level_names[level] : "?";
}

void log_time_now(char *buf, size_t size)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
}

static void gen_pair(yajl_gen g, const char *key, const char *value)
{
    yajl_gen_string(g, (const unsigned char *)key, strlen(key));
    yajl_gen_string(g, (const unsigned char *)value, strlen(value));
}

/* A copy with each byte that is not part of valid UTF-8 replaced by U+FFFD; NULL if no memory. */
static char *utf8_repaired(const char *text)
{
    size_t len = strlen(text), i = 0, n = 0;
    char *out = malloc(len * 3 + 1);
    if (out == NULL)
        return NULL;
    while (i < len) {
        size_t k = utf8_sequence(text + i, len - i);
        if (k == 0) {
            memcpy(out + n, "\xEF\xBF\xBD", 3);
            n += 3;
            i++;
        } else {
            memcpy(out + n, text + i, k);
            n += k;
            i += k;
        }
    }
    out[n] = '\0';
    return out;
}

/*
 * Writes a message for a text log: a line break continues the message on
 * an indented line, and other control characters are written as \xNN, so a
 * message can never forge a line of its own (a timestamp at the start of a
 * line) or move the terminal's cursor. Trailing line breaks are dropped.
 */
void log_put_text(FILE *out, const char *msg)
{
    size_t len = strlen(msg), plain = 0;
    while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == '\r'))
        len--;
    /* plain runs go out whole: stderr is unbuffered, and a byte at a time is a write each */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)msg[i];
        if (c != '\n' && (c >= 0x20 || c == '\t') && c != 0x7f)
            continue;
        fwrite(msg + plain, 1, i - plain, out);
        if (c == '\n')
            fputs("\n    ", out);
        else
            fprintf(out, "\\x%02x", c);
        plain = i + 1;
    }
    fwrite(msg + plain, 1, len - plain, out);
}

/* The length of the secret's start that the text holds at p, when the text was cut there. */
static size_t cut_secret(const char *p, const char *secret, size_t len)
{
    size_t m = 0;
    while (m < len && p[m] == secret[m])
        m++;
    if (m == len)
        return m;
    /* a message cut short (the end, or "...") may end in the secret's first bytes; text_quote
       closes its quote before the dots */
    if (m >= 4 && (p[m] == '\0' || strncmp(p + m, "...", 3) == 0 || strncmp(p + m, "'...", 4) == 0))
        return m;
    return 0;
}

const char *log_scrub(const logger *lg, const char *text, char **copy)
{
    size_t n = strlen(text), out = 0, i = 0;
    unsigned char *mask = NULL;
    char *result;
    *copy = NULL;
    if (lg == NULL || lg->nsecrets == 0)
        return text;
    /* every byte that belongs to a secret is marked in the original text, so overlaps hide all */
    for (size_t k = 0; k < lg->nsecrets; k++) {
        const char *secret = lg->secrets[k];
        size_t len = strlen(secret);
        if (len == 0)
            continue;
        for (const char *p = strchr(text, secret[0]); p; p = strchr(p + 1, secret[0])) {
            size_t m = cut_secret(p, secret, len);
            if (m == 0)
                continue;
            if (mask == NULL && (mask = calloc(n + 1, 1)) == NULL)
                return "(a message that may hold a secret, not shown: out of memory)";
            memset(mask + (p - text), 1, m);
        }
    }
    if (mask == NULL)
        return text;
    /* "***" is never longer than a marked run (secrets have at least 4 bytes) */
    if ((result = malloc(n + 4)) == NULL) {
        free(mask);
        return "(a message that may hold a secret, not shown: out of memory)";
    }
    while (i < n) {
        if (!mask[i]) {
            result[out++] = text[i++];
            continue;
        }
        memcpy(result + out, "***", 3);
        out += 3;
        while (i < n && mask[i])
            i++;
    }
    result[out] = '\0';
    free(mask);
    *copy = result;
    return result;
}

char *log_json_line(ch_log_level level, const char *source, const char *when, const char *msg,
                    size_t *len)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    const unsigned char *buf;
    size_t n;
    char *line = NULL;
    /* JSON text must be UTF-8, whatever bytes a connector logs */
    char *repaired = utf8_valid(msg, strlen(msg)) ? NULL : utf8_repaired(msg);
    if (g) {
        yajl_gen_map_open(g);
        gen_pair(g, "level", log_level_name(level));
        gen_pair(g, "message", repaired ? repaired : msg);
        gen_pair(g, "source", source);
        gen_pair(g, "time", when);
        yajl_gen_map_close(g);
        if (yajl_gen_get_buf(g, &buf, &n) == yajl_gen_status_ok && (line = malloc(n + 2)) != NULL) {
            memcpy(line, buf, n);
            line[n] = '\n';
            line[n + 1] = '\0';
            *len = n + 1;
        }
        yajl_gen_free(g);
    }
    free(repaired);
    return line;
}

void log_vmsg(const logger *lg, ch_log_level level, const char *source, const char *format,
              va_list ap)
{
    char stack[1024], when[40];
    char *msg = stack, *line = NULL;
    size_t len = 0;
    va_list copy;
    int n;
    if (lg == NULL || level < lg->min)
        return;
    va_copy(copy, ap);
    n = vsnprintf(stack, sizeof stack, format, ap);
    if (n >= (int)sizeof stack && (msg = malloc((size_t)n + 1)) != NULL)
        vsnprintf(msg, (size_t)n + 1, format, copy);
    else if (msg == NULL)
        msg = stack; /* out of memory: the truncated message is better than none */
    va_end(copy);
    {
        /* secrets go, whoever wrote the line: the host, a connector, a library's message */
        char *scrubbed;
        const char *clean = log_scrub(lg, msg, &scrubbed);
        if (clean != msg) { /* the scrubbed copy, or the out-of-memory text */
            if (msg != stack)
                free(msg);
            msg = scrubbed;
            if (msg == NULL) {
                snprintf(stack, sizeof stack, "%s", clean);
                msg = stack;
            }
        }
    }
    log_time_now(when, sizeof when);
    if (lg->json)
        line = log_json_line(level, source, when, msg, &len);
    flockfile(lg->out); /* one line, whichever thread logs */
    if (lg->before_line)
        lg->before_line(lg->before_line_ctx);
    if (lg->json) {
        if (line)
            fwrite(line, 1, len, lg->out);
    } else {
        fprintf(lg->out, "%s %-7s [%s] ", when, log_level_name(level), source);
        log_put_text(lg->out, msg);
        putc('\n', lg->out);
    }
    fflush(lg->out);
    funlockfile(lg->out);
    free(line);
    if (msg != stack)
        free(msg);
}

void log_msg(const logger *lg, ch_log_level level, const char *source, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    log_vmsg(lg, level, source, format, ap);
    va_end(ap);
}

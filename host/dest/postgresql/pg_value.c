/*
 * pg_value.c - values to and from PostgreSQL's text forms, and the column
 * type of each contract type.
 *
 * Everything crosses the connection as text: the session is set to ISO
 * dates, UTC, hex bytea and exact float output (pg_dest.c), so the text
 * forms read back are fixed and parse without loss.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contract/formats.h"
#include "pg.h"

const char *pg_type_sql(col_type type, int precision, int scale, char *buf, size_t size)
{
    switch (type) {
    case T_BOOLEAN:
        return "boolean";
    case T_SHORT:
        return "smallint";
    case T_INT:
        return "integer";
    case T_LONG:
        return "bigint";
    case T_DECIMAL:
        snprintf(buf, size, "numeric(%d,%d)", precision, scale);
        return buf;
    case T_FLOAT:
        return "real";
    case T_DOUBLE:
        return "double precision";
    case T_NAIVE_DATE:
        return "date";
    case T_NAIVE_TIME:
        return "time";
    case T_NAIVE_DATETIME:
        return "timestamp";
    case T_UTC_DATETIME:
        return "timestamptz";
    case T_BINARY:
        return "bytea";
    case T_XML:
        return "xml";
    case T_JSON:
        return "jsonb";
    default:
        return "text"; /* STRING, and a column that has no type yet (see pg_dest.c) */
    }
}

type_spec pg_type_parse(const char *text)
{
    static const struct {
        const char *prefix;
        col_type type;
    } names[] = {
        {"boolean", T_BOOLEAN},
        {"smallint", T_SHORT},
        {"integer", T_INT},
        {"bigint", T_LONG},
        {"real", T_FLOAT},
        {"double precision", T_DOUBLE},
        {"date", T_NAIVE_DATE},
        {"time without time zone", T_NAIVE_TIME},
        {"time(", T_NAIVE_TIME}, /* "time(3) with time zone" is caught below */
        {"timestamp without time zone", T_NAIVE_DATETIME},
        {"timestamp with time zone", T_UTC_DATETIME},
        {"bytea", T_BINARY},
        {"xml", T_XML},
        {"jsonb", T_JSON},
        {"json", T_JSON},
    };
    type_spec ts = {T_STRING, 0, 0};
    int p, s;
    if (strncmp(text, "time(", 5) == 0 && strstr(text, " with time zone") &&
        !strstr(text, "without"))
        return ts; /* timetz: no contract type keeps its offset, so its values are text */
    if (sscanf(text, "numeric(%d,%d)", &p, &s) == 2 && p <= DECIMAL_MAX_PRECISION) {
        ts.type = T_DECIMAL;
        ts.precision = p;
        ts.scale = s;
        return ts;
    }
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(text, names[i].prefix) == 0 ||
            (names[i].prefix[strlen(names[i].prefix) - 1] == '(' &&
             strncmp(text, names[i].prefix, strlen(names[i].prefix)) == 0)) {
            ts.type = names[i].type;
            return ts;
        }
    /* timestamp(3) without time zone and the like: hand-made columns */
    if (strncmp(text, "timestamp(", 10) == 0)
        ts.type = strstr(text, "with time zone") && !strstr(text, "without") ? T_UTC_DATETIME
                                                                             : T_NAIVE_DATETIME;
    return ts; /* text, varchar, numeric without parameters...: values go in as text */
}

static int grow(char **buf, size_t *cap, size_t need)
{
    if (need > *cap) {
        size_t n = *cap ? *cap : 64;
        char *p;
        while (n < need)
            n *= 2;
        if ((p = realloc(*buf, n)) == NULL)
            return CH_ERROR;
        *buf = p;
        *cap = n;
    }
    return CH_OK;
}

/* Infinities and NaN have names in PostgreSQL; printf's "inf" is not its input syntax. */
size_t pg_int_text(long long v, char *buf)
{
    char tmp[24];
    size_t n = 0, len = 0;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do
        tmp[n++] = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (v < 0)
        buf[len++] = '-';
    while (n > 0)
        buf[len++] = tmp[--n];
    buf[len] = '\0';
    return len;
}

static const char *special_float(double d)
{
    if (isnan(d))
        return "NaN";
    if (isinf(d))
        return d > 0 ? "Infinity" : "-Infinity";
    return NULL;
}

int pg_value_text(const value *v, char **buf, size_t *cap, const char **out, ch_error *err)
{
    static const char hex[] = "0123456789abcdef";
    if (grow(buf, cap, 40) != CH_OK)
        return err_set(err, "out of memory");
    *out = *buf;
    switch (v->type) {
    case T_BOOLEAN:
        *out = v->i ? "true" : "false";
        return CH_OK;
    case T_SHORT:
    case T_INT:
    case T_LONG:
        pg_int_text(v->i, *buf);
        return CH_OK;
    case T_FLOAT:
    case T_DOUBLE:
        if (special_float(v->d)) {
            *out = special_float(v->d);
        } else if (v->type == T_FLOAT) {
            snprintf(*buf, *cap, "%.9g", (double)(float)v->d); /* 9 digits: any float exactly */
        } else {
            snprintf(*buf, *cap, "%.17g", v->d); /* 17 digits: any double exactly */
        }
        return CH_OK;
    case T_BINARY:
        if (grow(buf, cap, 2 * v->len + 3) != CH_OK)
            return err_set(err, "out of memory");
        (*buf)[0] = '\\';
        (*buf)[1] = 'x';
        for (size_t i = 0; i < v->len; i++) {
            unsigned char c = (unsigned char)v->ptr[i];
            (*buf)[2 + 2 * i] = hex[c >> 4];
            (*buf)[3 + 2 * i] = hex[c & 15];
        }
        (*buf)[2 + 2 * v->len] = '\0';
        *out = *buf;
        return CH_OK;
    default:
        *out = v->ptr ? v->ptr : ""; /* every text form is the contract's own */
        return CH_OK;
    }
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int unreadable(const char *text, col_type type, ch_error *err)
{
    char quoted[100];
    return err_set(err, "a stored %s value %s cannot be read back", type_name(type),
                   text_quote(text, strlen(text), quoted, sizeof quoted));
}

int pg_value_parse(const char *text, size_t len, col_type type, value *v, ch_error *err)
{
    char *end;
    switch (type) {
    case T_BOOLEAN:
        v->type = type;
        v->i = text[0] == 't';
        return CH_OK;
    case T_SHORT:
    case T_INT:
    case T_LONG:
        v->type = type;
        v->i = strtoll(text, &end, 10);
        return *end ? unreadable(text, type, err) : CH_OK;
    case T_FLOAT:
    case T_DOUBLE:
        v->type = type;
        /* a real's text is the float's shortest form: read as a double it would be another
           number (2.2 for the float 2.2000000476837158); both read Infinity and NaN */
        v->d = type == T_FLOAT ? (double)strtof(text, &end) : strtod(text, &end);
        return *end ? unreadable(text, type, err) : CH_OK;
    case T_BINARY:
        if (len < 2 || text[0] != '\\' || text[1] != 'x' || len % 2)
            return unreadable(text, type, err);
        /* sized first, then decoded in place */
        if (value_set_bytes(v, T_BINARY, text, (len - 2) / 2) != CH_OK)
            return err_set(err, "out of memory");
        for (size_t i = 0; i < (len - 2) / 2; i++) {
            int hi = hex_digit(text[2 + 2 * i]), lo = hex_digit(text[3 + 2 * i]);
            if (hi < 0 || lo < 0)
                return unreadable(text, type, err);
            v->buf[i] = (char)(hi << 4 | lo);
        }
        return CH_OK;
    case T_NAIVE_TIME:
    case T_NAIVE_DATETIME:
    case T_UTC_DATETIME: {
        /*
         * "2024-01-01 04:00:00.5+00" in the session's UTC: PostgreSQL drops a
         * zero fraction and trailing zeros, the contract writes six digits,
         * 'T' and 'Z', as the value came in
         */
        char form[DATETIME_TEXT_MAX], canon[DATETIME_TEXT_MAX];
        ch_error bad;
        size_t n = len;
        int rc;
        if (type == T_UTC_DATETIME) { /* any other offset: the session is not in UTC */
            if (n < 3 || strcmp(text + n - 3, "+00") != 0)
                return unreadable(text, type, err);
            n -= 3;
        }
        if (n + 2 > sizeof form)
            return unreadable(text, type, err);
        memcpy(form, text, n);
        if (type == T_UTC_DATETIME)
            form[n++] = 'Z';
        form[n] = '\0';
        if (type == T_NAIVE_TIME)
            rc = naive_time_canonical(form, canon, sizeof canon, &bad);
        else if (type == T_NAIVE_DATETIME)
            rc = naive_datetime_canonical(form, canon, sizeof canon, &bad);
        else
            rc = utc_datetime_canonical(form, canon, sizeof canon, &bad);
        if (rc != CH_OK)
            return unreadable(text, type, err); /* e.g. a year BC, in a column made by hand */
        return value_set_bytes(v, type, canon, strlen(canon)) == CH_OK
                   ? CH_OK
                   : err_set(err, "out of memory");
    }
    default:
        return value_set_bytes(v, type, text, len) == CH_OK ? CH_OK : err_set(err, "out of memory");
    }
}

/* Microseconds from 1970-01-01 to 2000-01-01, PostgreSQL's epoch. */
#define PG_EPOCH_US 946684800000000LL

/* True when s is the host's synced form, YYYY-MM-DDTHH:MM:SS.ffffffZ, as far as the fraction. */
static int host_form(const char *s)
{
    if (strlen(s) != 27 || s[19] != '.' || s[26] != 'Z')
        return 0;
    for (int k = 20; k < 26; k++)
        if (s[k] < '0' || s[k] > '9')
            return 0;
    return 1;
}

/* The six fraction digits of the host's form (host_form). */
static long fraction(const char *s)
{
    long f = 0;
    for (int k = 20; k < 26; k++)
        f = f * 10 + (s[k] - '0');
    return f;
}

int pg_synced_text(pg_dest *d, const char *synced, char out[24], size_t *len, ch_error *err)
{
    int64_t micros;
    long long us, second = 0;
    int host = host_form(synced);
    if (host && d->synced_second[0] != '\0' && memcmp(synced, d->synced_second, 19) == 0) {
        /* the second's digits, then the fraction's six as they are */
        memcpy(out, d->synced_digits, d->synced_ndigits);
        memcpy(out + d->synced_ndigits, synced + 20, 6);
        *len = d->synced_ndigits + 6;
        out[*len] = '\0';
        return CH_OK;
    }
    if (utc_datetime_micros(synced, &micros, err) != CH_OK)
        return err_prefix(err, "_fivetran_synced '%s'", synced);
    us = (long long)micros - PG_EPOCH_US;
    *len = pg_int_text(us, out);
    if (host)
        second = (us - fraction(synced)) / 1000000;
    /* the next ones of this second need no parse; before 2000 the digits do not join so */
    if (host && second > 0) {
        memcpy(d->synced_second, synced, 19);
        d->synced_second[19] = '\0';
        d->synced_ndigits = pg_int_text(second, d->synced_digits);
    }
    return CH_OK;
}

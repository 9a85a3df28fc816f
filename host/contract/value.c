/* value.c - exact conversions: a value lands in its column unchanged or not at all. */
#include "value.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats.h"

int value_set_bytes(value *v, col_type type, const void *data, size_t len)
{
    if (len + 1 > v->cap) {
        size_t cap = v->cap ? v->cap : 32;
        char *buf;
        while (cap < len + 1)
            cap *= 2;
        buf = v->lent ? malloc(cap) : realloc(v->buf, cap); /* its bytes are replaced anyway */
        if (buf == NULL)
            return CH_ERROR;
        v->buf = buf;
        v->cap = cap;
        v->lent = 0;
    }
    if (len)
        memcpy(v->buf, data, len);
    v->buf[len] = '\0';
    v->type = type;
    v->ptr = v->buf;
    v->len = len;
    return CH_OK;
}

void value_free(value *v)
{
    if (!v->lent)
        free(v->buf);
    v->lent = 0;
    v->buf = NULL;
    v->cap = 0;
    value_set_null(v);
}

static int is_integer_type(col_type t)
{
    return t == T_SHORT || t == T_INT || t == T_LONG;
}

static int is_text_type(col_type t)
{
    return t == T_DECIMAL || t == T_NAIVE_DATE || t == T_NAIVE_TIME || t == T_NAIVE_DATETIME ||
           t == T_UTC_DATETIME || t == T_XML || t == T_STRING || t == T_JSON;
}

const char *value_describe(const value *v, char *buf, size_t size)
{
    if (v->type == T_NONE)
        snprintf(buf, size, "NULL");
    else if (v->type == T_BOOLEAN)
        snprintf(buf, size, "%s", v->i ? "true" : "false");
    else if (is_integer_type(v->type))
        snprintf(buf, size, "%" PRId64, v->i);
    else if (v->type == T_FLOAT || v->type == T_DOUBLE)
        snprintf(buf, size, "%.17g", v->d);
    else if (v->type == T_BINARY)
        snprintf(buf, size, "<%zu bytes>", v->len);
    else if (v->len > 60)
        snprintf(buf, size, "\"%.57s...\"", v->ptr);
    else
        snprintf(buf, size, "\"%s\"", v->ptr);
    return buf;
}

static int set_text(value *out, col_type type, const char *text)
{
    return value_set_bytes(out, type, text, strlen(text));
}

static void borrow(value *out, const value *in, col_type type)
{
    value_borrow(out, in);
    out->type = type;
}

/* Shortest decimal text that reads back as exactly the same double. */
static void format_double(double d, int digits_max, char *buf, size_t size)
{
    for (int p = 1; p <= digits_max; p++) {
        snprintf(buf, size, "%.*g", p, d);
        if (strtod(buf, NULL) == d)
            return;
    }
}

static int parse_int64(const char *s, int64_t *out)
{
    char *end;
    long long v;
    errno = 0;
    /* strtoll also takes white space and '+': exact text is digits with an optional '-' */
    if (!isdigit((unsigned char)s[*s == '-']))
        return CH_ERROR;
    v = strtoll(s, &end, 10);
    if (errno || end == s || *end != '\0')
        return CH_ERROR;
    *out = v;
    return CH_OK;
}

static int to_integer(const value *in, col_type type, value *out)
{
    int64_t v, lo = INT64_MIN, hi = INT64_MAX;
    if (type == T_SHORT) {
        lo = INT16_MIN;
        hi = INT16_MAX;
    } else if (type == T_INT) {
        lo = INT32_MIN;
        hi = INT32_MAX;
    }
    if (is_integer_type(in->type)) {
        v = in->i;
    } else if (in->type == T_FLOAT || in->type == T_DOUBLE) {
        if (!(in->d >= -9223372036854775808.0 && in->d < 9223372036854775808.0) ||
            in->d != floor(in->d))
            return CH_ERROR;
        v = (int64_t)in->d;
    } else if (in->type == T_STRING || in->type == T_DECIMAL) {
        char digits[64];
        ch_error ignored;
        const char *text = in->ptr;
        if (in->type == T_DECIMAL) {
            if (decimal_canonical(in->ptr, DECIMAL_MAX_PRECISION, 0, digits, sizeof digits,
                                  &ignored) != CH_OK)
                return CH_ERROR;
            text = digits;
        }
        if (parse_int64(text, &v) != CH_OK)
            return CH_ERROR;
    } else {
        return CH_ERROR;
    }
    if (v < lo || v > hi)
        return CH_ERROR;
    out->type = type;
    out->i = v;
    return CH_OK;
}

/* True for "-12.5e3" and its like: no white space, '+', hex, inf or nan, as strtod takes. */
static int number_syntax(const char *s)
{
    if (*s == '-')
        s++;
    if (!isdigit((unsigned char)*s))
        return 0;
    while (isdigit((unsigned char)*s))
        s++;
    if (*s == '.') {
        if (!isdigit((unsigned char)*++s))
            return 0;
        while (isdigit((unsigned char)*s))
            s++;
    }
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '-' || *s == '+')
            s++;
        if (!isdigit((unsigned char)*s))
            return 0;
        while (isdigit((unsigned char)*s))
            s++;
    }
    return *s == '\0';
}

/* Drops trailing fraction zeros and a bare point: "1.50" -> "1.5", "2.00" -> "2". */
static void strip_fraction_zeros(char *s)
{
    size_t n = strlen(s);
    if (strchr(s, '.') == NULL)
        return;
    while (n > 0 && s[n - 1] == '0')
        s[--n] = '\0';
    if (n > 0 && s[n - 1] == '.')
        s[--n] = '\0';
}

/* The shortest text that reads back as d, written without an exponent ("100", "0.00001"). */
static void double_plain(double d, char *out, size_t size)
{
    char e[48], digits[24];
    int p, exp, nd = 0, point, neg;
    size_t n = 0;
    const char *m;
    for (p = 0; p < 17; p++) {
        snprintf(e, sizeof e, "%.*e", p, d);
        if (strtod(e, NULL) == d)
            break;
    }
    neg = e[0] == '-';
    for (m = e + neg; *m && *m != 'e'; m++)
        if (isdigit((unsigned char)*m))
            digits[nd++] = *m;
    exp = *m == 'e' ? atoi(m + 1) : 0;
    point = exp + 1; /* digits before the point */
    if (neg && !(nd == 1 && digits[0] == '0'))
        out[n++] = '-';
    if (point <= 0) {
        out[n++] = '0';
        out[n++] = '.';
        for (int k = 0; k < -point && n + 2 < size; k++)
            out[n++] = '0';
        for (int k = 0; k < nd && n + 2 < size; k++)
            out[n++] = digits[k];
    } else {
        for (int k = 0; k < point && n + 2 < size; k++)
            out[n++] = k < nd ? digits[k] : '0';
        if (nd > point) {
            out[n++] = '.';
            for (int k = point; k < nd && n + 2 < size; k++)
                out[n++] = digits[k];
        }
    }
    out[n] = '\0';
    strip_fraction_zeros(out);
}

static int to_real(const value *in, col_type type, value *out)
{
    double d;
    if (in->type == T_FLOAT || in->type == T_DOUBLE) {
        d = in->d;
    } else if (is_integer_type(in->type)) {
        d = (double)in->i;
        if (d >= 9223372036854775808.0 || (int64_t)d != in->i)
            return CH_ERROR;
    } else if (in->type == T_STRING || in->type == T_DECIMAL) {
        errno = 0;
        if (strcmp(in->ptr, "inf") == 0 || strcmp(in->ptr, "-inf") == 0) {
            d = in->ptr[0] == '-' ? -INFINITY : INFINITY; /* what a DOUBLE's text is */
        } else {
            if (!number_syntax(in->ptr))
                return CH_ERROR;
            d = strtod(in->ptr, NULL);
            if (errno == ERANGE || isinf(d))
                return CH_ERROR;
        }
        if (in->type == T_DECIMAL) {
            /* exact means the double reads back as the same number: 1.50 and 100 do, 0.1 too */
            char canon[DECIMAL_MAX_PRECISION + 8], back[400];
            ch_error ignored;
            if (decimal_canonical(in->ptr, 0, 0, canon, sizeof canon, &ignored) != CH_OK)
                return CH_ERROR;
            strip_fraction_zeros(canon);
            double_plain(d, back, sizeof back);
            if (strcmp(canon, back) != 0)
                return CH_ERROR;
        }
    } else {
        return CH_ERROR;
    }
    if (type == T_FLOAT && !isinf(d) && (double)(float)d != d)
        return CH_ERROR;
    out->type = type;
    out->d = d;
    return CH_OK;
}

static int to_string(const value *in, value *out)
{
    char text[64];
    if (is_text_type(in->type)) {
        borrow(out, in, T_STRING);
        return CH_OK;
    }
    switch (in->type) {
    case T_BOOLEAN:
        return set_text(out, T_STRING, in->i ? "true" : "false");
    case T_SHORT:
    case T_INT:
    case T_LONG:
        snprintf(text, sizeof text, "%" PRId64, in->i);
        return set_text(out, T_STRING, text);
    case T_FLOAT:
    case T_DOUBLE:
        format_double(in->d, in->type == T_FLOAT ? 9 : 17, text, sizeof text);
        return set_text(out, T_STRING, text);
    case T_BINARY:
        if (!utf8_valid(in->ptr, in->len) || memchr(in->ptr, '\0', in->len))
            return CH_ERROR;
        borrow(out, in, T_STRING);
        return CH_OK;
    default:
        return CH_ERROR;
    }
}

static int to_checked_text(const value *in, col_type type, value *out, ch_error *err)
{
    char buf[DATETIME_TEXT_MAX];
    if (in->type == type) {
        borrow(out, in, type);
        return CH_OK;
    }
    if (in->type != T_STRING)
        return CH_ERROR;
    switch (type) {
    case T_NAIVE_DATE:
        if (date_check(in->ptr, err) != CH_OK)
            return CH_ERROR;
        borrow(out, in, type);
        return CH_OK;
    case T_NAIVE_TIME:
        if (naive_time_canonical(in->ptr, buf, sizeof buf, err) != CH_OK)
            return CH_ERROR;
        return set_text(out, type, buf);
    case T_NAIVE_DATETIME:
        if (naive_datetime_canonical(in->ptr, buf, sizeof buf, err) != CH_OK)
            return CH_ERROR;
        return set_text(out, type, buf);
    case T_UTC_DATETIME:
        if (utc_datetime_canonical(in->ptr, buf, sizeof buf, err) != CH_OK)
            return CH_ERROR;
        return set_text(out, type, buf);
    case T_XML:
        borrow(out, in, type);
        return CH_OK;
    case T_JSON:
        if (!json_valid(in->ptr, in->len))
            return err_set(err, "not valid JSON");
        borrow(out, in, type);
        return CH_OK;
    default:
        return CH_ERROR;
    }
}

static int to_decimal(const value *in, int precision, int scale, value *out, ch_error *err)
{
    char text[64], canon[DECIMAL_MAX_PRECISION + 8];
    const char *src;
    if (in->type == T_DECIMAL || in->type == T_STRING) {
        src = in->ptr;
    } else if (is_integer_type(in->type)) {
        snprintf(text, sizeof text, "%" PRId64, in->i);
        src = text;
    } else {
        return CH_ERROR;
    }
    if (decimal_canonical(src, precision, scale, canon, sizeof canon, err) != CH_OK)
        return CH_ERROR;
    return set_text(out, T_DECIMAL, canon);
}

int value_convert(const value *in, col_type type, int precision, int scale, value *out,
                  ch_error *err)
{
    char from[80], tname[32];
    int rc;
    err_clear(err);
    if (in->type == T_NONE) {
        value_set_null(out);
        return CH_OK;
    }
    if (in->type == type && type != T_DECIMAL) {
        borrow(out, in, type);
        return CH_OK;
    }
    switch (type) {
    case T_BOOLEAN:
        rc = CH_ERROR;
        break;
    case T_SHORT:
    case T_INT:
    case T_LONG:
        rc = to_integer(in, type, out);
        break;
    case T_FLOAT:
    case T_DOUBLE:
        rc = to_real(in, type, out);
        break;
    case T_DECIMAL:
        rc = to_decimal(in, precision, scale, out, err);
        break;
    case T_STRING:
        rc = to_string(in, out);
        break;
    case T_BINARY:
        rc = CH_ERROR;
        if (is_text_type(in->type)) {
            borrow(out, in, T_BINARY);
            rc = CH_OK;
        }
        break;
    default:
        rc = to_checked_text(in, type, out, err);
        break;
    }
    if (rc == CH_OK)
        return CH_OK;
    value_describe(in, from, sizeof from);
    type_format(type, precision, scale, tname, sizeof tname);
    if (err->msg[0])
        return err_prefix(err, "%s value %s does not convert to %s", type_name(in->type), from,
                          tname);
    return err_set(err, "%s value %s does not convert exactly to %s", type_name(in->type), from,
                   tname);
}

const char *value_quote(const value *v, char *buf, size_t size)
{
    /* a decimal's text is digits and a point: quotes would only make it look like a string */
    if (v->type == T_DECIMAL)
        snprintf(buf, size, "%s", v->ptr);
    else if (v->type != T_NONE && type_storage(v->type) == S_TEXT)
        text_quote(v->ptr, v->len, buf, size);
    else
        value_describe(v, buf, size);
    return buf;
}

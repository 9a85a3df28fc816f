/*
 * ch_value.c - values to and from ClickHouse's TabSeparated text, and as
 * SQL literals for the key lists of a flush's reads.
 *
 * The old dialect keeps every date and time as the contract's own text, so
 * those cross unchanged; the new one writes them in DateTime64's form (a
 * space for 'T', no 'Z') and reads them back into the contract's. Floats go
 * in the shortest form that reads back as the same number.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ch.h"
#include "contract/formats.h"

/* The shortest of %.{9,17}g that strtod (strtof for FLOAT) reads back as d. */
static void float_text(double d, int is_float, char *buf, size_t size)
{
    if (isnan(d)) {
        snprintf(buf, size, "nan");
        return;
    }
    if (isinf(d)) {
        snprintf(buf, size, d > 0 ? "inf" : "-inf");
        return;
    }
    for (int digits = is_float ? 6 : 15; digits <= 17; digits++) {
        snprintf(buf, size, "%.*g", digits, d);
        if (is_float ? strtof(buf, NULL) == (float)d : strtod(buf, NULL) == d)
            return;
    }
}

/*
 * ClickHouse's text parser reads the smallest subnormal doubles as zero
 * (it scales by a power of ten that underflows): they go as their bits.
 */
static void subnormal_text(double d, char *buf, size_t size)
{
    unsigned char bytes[8];
    int n;
    memcpy(bytes, &d, sizeof bytes); /* little-endian, as reinterpretAsFloat64 reads them */
    n = snprintf(buf, size, CHD_DOUBLE_BITS "(unhex('");
    for (int i = 0; i < 8; i++)
        n += snprintf(buf + n, size - (size_t)n, "%02X", bytes[i]);
    snprintf(buf + n, size - (size_t)n, "'))");
}

/* The new dialect's DateTime64 and Date32 hold years 1900 to 2299 only. */
static int check_range(const value *v, ch_error *err)
{
    int year = atoi(v->ptr);
    if (year >= 1900 && year <= 2299)
        return CH_OK;
    return err_set(err, "ClickHouse's %s holds the years 1900 to 2299, not the %s value %.40s",
                   v->type == T_NAIVE_DATE ? "Date32" : "DateTime64", type_name(v->type), v->ptr);
}

/*
 * The text of a value as ClickHouse reads it, unescaped, into buf (or
 * pointing at the value's own text in *out).
 */
static int plain_text(const value *v, const chd_dialect *dl, char *buf, size_t size,
                      const char **out, size_t *len, ch_error *err)
{
    *out = buf;
    switch (v->type) {
    case T_BOOLEAN:
        snprintf(buf, size, "%s",
                 v->i ? (dl->modern ? "true" : "1") : (dl->modern ? "false" : "0"));
        break;
    case T_SHORT:
    case T_INT:
    case T_LONG:
        snprintf(buf, size, "%" PRId64, v->i);
        break;
    case T_FLOAT:
    case T_DOUBLE:
        if (v->type == T_DOUBLE && fpclassify(v->d) == FP_SUBNORMAL)
            subnormal_text(v->d, buf, size);
        else
            float_text(v->d, v->type == T_FLOAT, buf, size);
        break;
    case T_NAIVE_DATE:
    case T_NAIVE_DATETIME:
    case T_UTC_DATETIME:
        if (!dl->modern) { /* the old dialect keeps the contract's text */
            *out = v->ptr;
            *len = v->len;
            return CH_OK;
        }
        {
            size_t n = strlen(v->ptr);
            if (check_range(v, err) != CH_OK)
                return CH_ERROR;
            snprintf(buf, size, "%s", v->ptr);
            if (n > 10 && buf[10] == 'T')
                buf[10] = ' ';
            if (n > 0 && buf[n - 1] == 'Z')
                buf[n - 1] = '\0';
            break;
        }
    default:
        *out = v->ptr ? v->ptr : "";
        *len = v->ptr ? v->len : 0;
        return CH_OK;
    }
    *len = strlen(buf);
    return CH_OK;
}

int chd_value_tsv(textbuf *b, const value *v, const chd_dialect *dl, ch_error *err)
{
    char buf[DATETIME_TEXT_MAX + 40];
    const char *text;
    size_t len;
    if (v->type == T_NONE) {
        textbuf_add(b, "\\N");
        return CH_OK;
    }
    if (plain_text(v, dl, buf, sizeof buf, &text, &len, err) != CH_OK)
        return CH_ERROR;
    chd_tsv_escape(b, text, len);
    return CH_OK;
}

int chd_value_literal(textbuf *b, const value *v, int precision, const chd_dialect *dl,
                      ch_error *err)
{
    char buf[DATETIME_TEXT_MAX + 40];
    const char *text;
    size_t len, from = 0;
    if (plain_text(v, dl, buf, sizeof buf, &text, &len, err) != CH_OK)
        return CH_ERROR;
    switch (v->type) {
    case T_BOOLEAN:
    case T_SHORT:
    case T_INT:
    case T_LONG:
    case T_FLOAT:
    case T_DOUBLE:
        textbuf_add(b, text);
        return CH_OK;
    case T_DECIMAL: {
        /* of the column's own type: 18.16's IN refuses a Decimal128 for a Decimal(10, 2) */
        char type[48];
        snprintf(type, sizeof type, " AS Decimal(%d, %d))", precision, decimal_scale_of(text));
        textbuf_add(b, "CAST('");
        textbuf_add(b, text); /* digits, a sign and a point only: validated by the sink */
        textbuf_add(b, "'");
        textbuf_add(b, type);
        return CH_OK;
    }
    default:
        break;
    }
    textbuf_add(b, "'");
    for (size_t i = 0; i < len; i++)
        if (text[i] == '\'' || text[i] == '\\' || text[i] == '\0') {
            textbuf_addn(b, text + from, i - from);
            textbuf_add(b, text[i] == '\0' ? "\\0" : text[i] == '\'' ? "\\'" : "\\\\");
            from = i + 1;
        }
    textbuf_addn(b, text + from, len - from);
    textbuf_add(b, "'");
    return CH_OK;
}

static int unreadable(const char *text, col_type type, ch_error *err)
{
    char quoted[100];
    return err_set(err, "a stored %s value %s cannot be read back", type_name(type),
                   text_quote(text, strlen(text), quoted, sizeof quoted));
}

int chd_value_parse(const char *text, size_t len, col_type type, const chd_dialect *dl, value *v,
                    ch_error *err)
{
    char *end;
    switch (type) {
    case T_BOOLEAN:
        v->type = type;
        v->i = strcmp(text, "1") == 0 || strcmp(text, "true") == 0;
        return v->i || strcmp(text, "0") == 0 || strcmp(text, "false") == 0
                   ? CH_OK
                   : unreadable(text, type, err);
    case T_SHORT:
    case T_INT:
    case T_LONG:
        v->type = type;
        v->i = strtoll(text, &end, 10);
        return *end || end == text ? unreadable(text, type, err) : CH_OK;
    case T_FLOAT:
    case T_DOUBLE:
        v->type = type;
        v->d = type == T_FLOAT ? (double)strtof(text, &end) : strtod(text, &end);
        return *end || end == text ? unreadable(text, type, err) : CH_OK;
    case T_NAIVE_DATETIME:
    case T_UTC_DATETIME:
        if (dl->modern) { /* "2024-01-01 04:00:00.500000": 'T' and 'Z' come back */
            char form[DATETIME_TEXT_MAX + 2], canon[DATETIME_TEXT_MAX];
            ch_error bad;
            if (len + 2 > sizeof form)
                return unreadable(text, type, err);
            snprintf(form, sizeof form, "%s%s", text, type == T_UTC_DATETIME ? "Z" : "");
            if ((type == T_UTC_DATETIME
                     ? utc_datetime_canonical(form, canon, sizeof canon, &bad)
                     : naive_datetime_canonical(form, canon, sizeof canon, &bad)) != CH_OK)
                return unreadable(text, type, err);
            return value_set_bytes(v, type, canon, strlen(canon)) == CH_OK
                       ? CH_OK
                       : err_set(err, "out of memory");
        }
        return value_set_bytes(v, type, text, len) == CH_OK ? CH_OK : err_set(err, "out of memory");
    default:
        return value_set_bytes(v, type, text, len) == CH_OK ? CH_OK : err_set(err, "out of memory");
    }
}

void chd_server_double(textbuf *b, const char *field)
{
    char buf[80];
    double d = strtod(field, NULL);
    if (fpclassify(d) != FP_SUBNORMAL) {
        textbuf_add(b, field);
        return;
    }
    subnormal_text(d, buf, sizeof buf);
    textbuf_add(b, buf);
}

int chd_tsv_to_values(const char *tsv, const col_type *types, size_t n, textbuf *out)
{
    char *copy = strdup(tsv), **fields = malloc((n + 1) * sizeof *fields);
    int rc = copy && fields ? CH_OK : CH_ERROR;
    for (char *line = copy, *next; rc == CH_OK && line && *line; line = next) {
        if ((next = strchr(line, '\n')) != NULL)
            *next++ = '\0';
        else
            next = line + strlen(line);
        if (chd_split_fields(line, fields, n + 1) != n) {
            rc = CH_ERROR;
            break;
        }
        textbuf_add(out, out->len ? ", (" : "(");
        for (size_t i = 0; i < n; i++) {
            size_t len;
            textbuf_add(out, i ? ", " : "");
            if (strcmp(fields[i], "\\N") == 0) {
                textbuf_add(out, "NULL");
                continue;
            }
            switch (types[i]) {
            case T_BOOLEAN:
            case T_SHORT:
            case T_INT:
            case T_LONG:
            case T_DECIMAL:
            case T_FLOAT:
            case T_DOUBLE: /* numbers, and a subnormal's expression, as they are */
                textbuf_add(out, fields[i]);
                break;
            default:
                len = chd_tsv_unescape(fields[i], strlen(fields[i]));
                textbuf_add(out, "'");
                for (size_t j = 0, from = 0; j <= len; j++)
                    if (j == len || fields[i][j] == '\'' || fields[i][j] == '\\' ||
                        fields[i][j] == '\0') {
                        textbuf_addn(out, fields[i] + from, j - from);
                        if (j < len)
                            textbuf_add(out, fields[i][j] == '\0'   ? "\\0"
                                             : fields[i][j] == '\'' ? "\\'"
                                                                    : "\\\\");
                        from = j + 1;
                    }
                textbuf_add(out, "'");
            }
        }
        textbuf_add(out, ")");
    }
    free(copy);
    free(fields);
    return rc == CH_OK && !out->oom ? CH_OK : CH_ERROR;
}

void chd_synced_tsv(textbuf *b, const char *synced, const chd_dialect *dl)
{
    value v = {.type = T_UTC_DATETIME, .ptr = synced, .len = strlen(synced)};
    ch_error ignored;
    if (chd_value_tsv(b, &v, dl, &ignored) != CH_OK)
        textbuf_add(b, synced); /* the clock is in DateTime64's range */
}

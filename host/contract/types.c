/* types.c - type names, parsing of declarations, storage classes. */
#include "types.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const names[] = {
    [T_NONE] = "NONE",
    [T_BOOLEAN] = "BOOLEAN",
    [T_SHORT] = "SHORT",
    [T_INT] = "INT",
    [T_LONG] = "LONG",
    [T_DECIMAL] = "DECIMAL",
    [T_FLOAT] = "FLOAT",
    [T_DOUBLE] = "DOUBLE",
    [T_NAIVE_DATE] = "NAIVE_DATE",
    [T_NAIVE_TIME] = "NAIVE_TIME",
    [T_NAIVE_DATETIME] = "NAIVE_DATETIME",
    [T_UTC_DATETIME] = "UTC_DATETIME",
    [T_BINARY] = "BINARY",
    [T_XML] = "XML",
    [T_STRING] = "STRING",
    [T_JSON] = "JSON",
};

const char *type_name(col_type type)
{
    if ((unsigned)type >= sizeof names / sizeof names[0])
        return "?";
    return names[type];
}

const char *type_format(col_type type, int precision, int scale, char *buf, size_t size)
{
    if (type == T_DECIMAL)
        snprintf(buf, size, "DECIMAL(%d,%d)", precision, scale);
    else
        snprintf(buf, size, "%s", type_name(type));
    return buf;
}

static int is_integer(col_type t)
{
    return t == T_SHORT || t == T_INT || t == T_LONG;
}

col_type type_widen(col_type a, col_type b)
{
    if (a == b || b == T_NONE)
        return a;
    if (a == T_NONE)
        return b;
    if (is_integer(a) && is_integer(b))
        return a > b ? a : b; /* the enum lists them narrowest first */
    if ((is_integer(a) && b == T_DECIMAL) || (a == T_DECIMAL && is_integer(b)))
        return T_DECIMAL;
    if ((is_integer(a) || a == T_FLOAT || a == T_DOUBLE) &&
        (is_integer(b) || b == T_FLOAT || b == T_DOUBLE))
        return T_DOUBLE;
    return T_STRING;
}

/* Reads an unsigned decimal number of at most 3 digits; advances *p. */
static int read_small_number(const char **p, int *out)
{
    const char *s = *p;
    int n = 0, digits = 0;
    while (*s == ' ')
        s++;
    while (isdigit((unsigned char)*s) && digits < 4) {
        n = n * 10 + (*s - '0');
        s++;
        digits++;
    }
    while (*s == ' ')
        s++;
    if (digits == 0 || digits > 3)
        return CH_ERROR;
    *p = s;
    *out = n;
    return CH_OK;
}

static int parse_decimal_params(const char *text, const char *params, int *precision, int *scale,
                                ch_error *err)
{
    const char *p = params;
    if (*p != '(')
        return err_set(err, "type '%s': DECIMAL needs a precision and a scale, as in DECIMAL(10,2)",
                       text);
    p++;
    if (read_small_number(&p, precision) != CH_OK || *p != ',')
        return err_set(err, "type '%s': expected DECIMAL(precision,scale)", text);
    p++;
    if (read_small_number(&p, scale) != CH_OK || *p != ')' || p[1] != '\0')
        return err_set(err, "type '%s': expected DECIMAL(precision,scale)", text);
    if (*precision < 1 || *precision > DECIMAL_MAX_PRECISION)
        return err_set(err, "type '%s': DECIMAL precision must be between 1 and %d", text,
                       DECIMAL_MAX_PRECISION);
    if (*scale > *precision)
        return err_set(err, "type '%s': DECIMAL scale must not exceed its precision", text);
    return CH_OK;
}

int type_parse(const char *text, col_type *type, int *precision, int *scale, ch_error *err)
{
    size_t len;
    *precision = 0;
    *scale = 0;
    if (text == NULL || *text == '\0')
        return err_set(err, "missing type name");
    if (strncasecmp(text, "DECIMAL", 7) == 0) {
        *type = T_DECIMAL;
        return parse_decimal_params(text, text + 7 + strspn(text + 7, " "), precision, scale, err);
    }
    len = strlen(text);
    for (int t = T_BOOLEAN; t <= T_JSON; t++) {
        if (strlen(names[t]) == len && strcasecmp(names[t], text) == 0) {
            *type = (col_type)t;
            return CH_OK;
        }
    }
    return err_set(err,
                   "unknown type '%s' (known: BOOLEAN, SHORT, INT, LONG, DECIMAL(p,s), FLOAT, "
                   "DOUBLE, NAIVE_DATE, NAIVE_TIME, NAIVE_DATETIME, UTC_DATETIME, BINARY, XML, "
                   "STRING, JSON)",
                   text);
}

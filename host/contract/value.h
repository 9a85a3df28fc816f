/* value.h - one typed value, and exact conversion between types. */
#ifndef HOST_VALUE_H
#define HOST_VALUE_H

#include <stddef.h>
#include <stdint.h>

#include "types.h"

typedef struct value {
    col_type type;   /* T_NONE means NULL */
    int64_t i;       /* BOOLEAN, SHORT, INT, LONG */
    double d;        /* FLOAT, DOUBLE */
    const char *ptr; /* text (NUL-terminated) or bytes of every other type */
    size_t len;
    char *buf; /* owned storage that ptr may point into; reused */
    size_t cap;
} value;

/* Makes out the same value as in, pointing at in's bytes (no copy); out keeps its buffer. */
static inline void value_borrow(value *out, const value *in)
{
    out->type = in->type;
    out->i = in->i;
    out->d = in->d;
    out->ptr = in->ptr;
    out->len = in->len;
}

/* Makes the value NULL, keeping its buffer. */
void value_set_null(value *v);

/* Copies len bytes into the value's own buffer (NUL-terminated) as a value of type. */
int value_set_bytes(value *v, col_type type, const void *data, size_t len);

/* Frees the value's buffer. */
void value_free(value *v);

/*
 * Converts in to the column type (with DECIMAL precision and scale) into out,
 * exactly or not at all. out may borrow in's memory, so in must outlive it.
 */
int value_convert(const value *in, col_type type, int precision, int scale, value *out,
                  ch_error *err);

/* Writes a short human-readable form of the value for error messages. */
const char *value_describe(const value *v, char *buf, size_t size);

/*
 * Writes the value as a message names a row by it: text quoted and cut as
 * text_quote does ('caf\xe9'), numbers, booleans and NULL as they are,
 * BINARY as its size.
 */
const char *value_quote(const value *v, char *buf, size_t size);

#endif

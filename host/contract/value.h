/* value.h - one typed value, and exact conversion between types. */
#ifndef HOST_VALUE_H
#define HOST_VALUE_H

#include <stddef.h>
#include <stdint.h>

#include "types.h"

typedef struct value {
    col_type type; /* T_NONE means NULL */
    /*
     * buf is not the value's own but lent (a slab's, writer.c): it is never
     * freed, and a longer value gets a buffer of its own instead of growing it.
     */
    unsigned char lent;
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
static inline void value_set_null(value *v)
{
    v->type = T_NONE;
    v->ptr = NULL;
    v->len = 0;
}

/* Copies len bytes into the value's own buffer (NUL-terminated) as a value of type. */
int value_set_bytes(value *v, col_type type, const void *data, size_t len);

/* Frees the value's buffer. */
void value_free(value *v);

/*
 * Makes to a copy of from that owns its bytes, in to's buffer (reused, grown
 * when too small); CH_ERROR when out of memory. Inline: every text value of
 * every operation is copied so once.
 */
static inline int value_copy(value *to, const value *from)
{
    storage st;
    if (from->type == T_NONE) {
        value_set_null(to);
        return CH_OK;
    }
    st = type_storage(from->type);
    if (st == S_TEXT || st == S_BLOB) {
        if (from->len < to->cap) { /* the buffer fits: no call beyond the copy */
            __builtin_memcpy(to->buf, from->ptr, from->len);
            to->buf[from->len] = '\0';
            to->type = from->type;
            to->ptr = to->buf;
            to->len = from->len;
            return CH_OK;
        }
        return value_set_bytes(to, from->type, from->ptr ? from->ptr : "", from->len);
    }
    to->type = from->type;
    to->i = from->i;
    to->d = from->d;
    to->ptr = NULL;
    to->len = 0;
    return CH_OK;
}

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

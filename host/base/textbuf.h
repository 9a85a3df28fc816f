/* textbuf.h - a growing NUL-terminated text, for building SQL statements. */
#ifndef HOST_TEXTBUF_H
#define HOST_TEXTBUF_H

#include <stddef.h>

/* Start with {0}. Out of memory is remembered in oom and reported once, at the end. */
typedef struct textbuf {
    char *s;
    size_t len, cap;
    int oom;
} textbuf;

/* Appends n bytes of text. */
void textbuf_addn(textbuf *b, const char *text, size_t n);

/* Appends a NUL-terminated text. */
void textbuf_add(textbuf *b, const char *text);

#endif

/* textbuf.c - a growing text: both SQL destinations build statements with it. */
#include "textbuf.h"

#include <stdlib.h>
#include <string.h>

void textbuf_addn(textbuf *b, const char *text, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        char *s;
        while (cap < b->len + n + 1)
            cap *= 2;
        if ((s = realloc(b->s, cap)) == NULL) {
            b->oom = 1;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
    memcpy(b->s + b->len, text, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void textbuf_add(textbuf *b, const char *text)
{
    textbuf_addn(b, text, strlen(text));
}

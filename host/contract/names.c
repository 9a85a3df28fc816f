/* names.c - the destination's spelling of table and column names. */
#include "names.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

char *normalize_name(const char *name)
{
    size_t len = strlen(name), n = 0;
    char *out = malloc(len + 2);
    const unsigned char *p = (const unsigned char *)name;
    if (out == NULL)
        return NULL;
    if (isdigit(*p))
        out[n++] = '_';
    for (; *p; p++) {
        if ((*p & 0xC0) == 0x80)
            continue; /* one '_' per multi-byte character, written at its lead byte */
        if (isalnum(*p) && *p < 0x80)
            out[n++] = (char)tolower(*p);
        else
            out[n++] = '_';
    }
    out[n] = '\0';
    return out;
}

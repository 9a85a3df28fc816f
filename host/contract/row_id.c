/* row_id.c - the _fivetran_id of a row of a table without a primary key. */
#include "row_id.h"

#include <stdio.h>
#include <string.h>

/* FNV-1a over bytes, continuing from h. */
static uint64_t fnv(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

void row_id_of(const table_def *t, const value *vals, char out[ROW_ID_SIZE])
{
    uint64_t h1 = 0xcbf29ce484222325ULL, h2 = 0x84222325cbf29ce4ULL;
    const char *prev = "";
    for (;;) {
        const column_def *next = NULL;
        size_t at = 0;
        for (size_t c = 0; c < t->ncols; c++) {
            const char *n = t->cols[c].dest_name;
            if (vals[c].type != T_NONE && strcmp(n, prev) > 0 &&
                (next == NULL || strcmp(n, next->dest_name) < 0)) {
                next = &t->cols[c];
                at = c;
            }
        }
        if (next == NULL)
            break;
        {
            const value *v = &vals[at];
            unsigned char tag = (unsigned char)type_storage(v->type);
            h1 = fnv(h1, next->dest_name, strlen(next->dest_name) + 1);
            h1 = fnv(h1, &tag, 1);
            if (tag == S_INTEGER)
                h1 = fnv(h1, &v->i, sizeof v->i);
            else if (tag == S_REAL)
                h1 = fnv(h1, &v->d, sizeof v->d);
            else
                h1 = fnv(h1, v->ptr, v->len);
            h2 = fnv(h2 ^ h1, &h1, sizeof h1);
        }
        prev = next->dest_name;
    }
    snprintf(out, ROW_ID_SIZE, "%016llx%016llx", (unsigned long long)h1, (unsigned long long)h2);
}

/* sqltext.c - identifiers and key lists, quoted the same way for SQLite and PostgreSQL. */
#include "sqltext.h"

#include <string.h>

void sql_ident(textbuf *b, const char *name)
{
    const char *quote;
    textbuf_add(b, "\"");
    while ((quote = strchr(name, '"')) != NULL) {
        textbuf_addn(b, name, (size_t)(quote - name) + 1);
        textbuf_add(b, "\""); /* the quote doubled */
        name = quote + 1;
    }
    textbuf_add(b, name);
    textbuf_add(b, "\"");
}

void sql_key_list(textbuf *b, const table_def *t)
{
    if (t->nkey == 0) {
        sql_ident(b, COL_ID);
        return;
    }
    for (size_t k = 0; k < t->nkey; k++) {
        if (k)
            textbuf_add(b, ", ");
        sql_ident(b, t->cols[t->key[k]].dest_name);
    }
}

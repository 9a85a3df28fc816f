/*
 * pg_rows.c - the rows waiting for a table's next merge, by key: its
 * upserted rows, and its changes (held-back updates and deletes).
 *
 * A hash table from the key's COPY text to the row's fields in COPY text,
 * so that a later update or delete of the same key changes the waiting row
 * in memory instead of forcing a merge (see pg_stage.c). The rows and their
 * texts live in the map's own blocks, freed together: a batch of rows is
 * tens of thousands of small pieces, which one by one cost more to free
 * than to fold.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pg.h"

/* FNV-1a over 8 bytes at a time, then mixed: keys are UUIDs and the like, 30 bytes and more. */
size_t pg_key_hash(const char *key)
{
    uint64_t h = 1469598103934665603u, w;
    size_t n = strlen(key), i = 0;
    for (; i + 8 <= n; i += 8) {
        memcpy(&w, key + i, 8);
        h = (h ^ w) * 1099511628211u;
    }
    for (; i < n; i++)
        h = (h ^ (unsigned char)key[i]) * 1099511628211u;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9u;
    return (size_t)(h ^ (h >> 32));
}

/* A block of a map's memory; its bytes follow. */
struct pg_block {
    struct pg_block *next;
};

#define BLOCK_SIZE (64u << 10)

void *pg_rows_alloc(pg_rows *m, size_t n)
{
    char *p;
    n = (n + 7) & ~(size_t)7; /* every piece 8-aligned */
    if (n > m->left) {
        size_t size =
            n > BLOCK_SIZE - sizeof(struct pg_block) ? n + sizeof(struct pg_block) : BLOCK_SIZE;
        struct pg_block *b = malloc(size);
        if (b == NULL)
            return NULL;
        b->next = m->blocks;
        m->blocks = b;
        m->free = (char *)(b + 1);
        m->left = size - sizeof *b;
    }
    p = m->free;
    m->free += n;
    m->left -= n;
    return p;
}

char *pg_rows_text(pg_rows *m, const char *text, size_t len)
{
    char *p = pg_rows_alloc(m, len + 1);
    if (p) {
        memcpy(p, text, len);
        p[len] = '\0';
    }
    return p;
}

pg_row *pg_row_new(pg_rows *m, const char *key, size_t nfields)
{
    pg_row *row = pg_rows_alloc(m, sizeof *row + nfields * sizeof row->fields[0]);
    if (row == NULL)
        return NULL;
    memset(row, 0, sizeof *row + nfields * sizeof row->fields[0]);
    if ((row->key = pg_rows_text(m, key, strlen(key))) == NULL)
        return NULL;
    row->hash = pg_key_hash(key);
    row->nfields = nfields;
    return row;
}

pg_row *pg_rows_find(const pg_rows *m, const char *key, size_t hash)
{
    if (m->count == 0)
        return NULL;
    for (pg_row *r = m->buckets[hash & (m->nbuckets - 1)]; r; r = r->next)
        if (r->hash == hash && strcmp(r->key, key) == 0)
            return r;
    return NULL;
}

static int grow(pg_rows *m)
{
    size_t n = m->nbuckets ? m->nbuckets * 2 : m->hint ? m->hint : 1024;
    pg_row **b = calloc(n, sizeof *b);
    if (b == NULL)
        return CH_ERROR;
    for (size_t i = 0; i < m->nbuckets; i++) {
        pg_row *r = m->buckets[i], *next;
        for (; r; r = next) {
            next = r->next;
            r->next = b[r->hash & (n - 1)];
            b[r->hash & (n - 1)] = r;
        }
    }
    free(m->buckets);
    m->buckets = b;
    m->nbuckets = n;
    return CH_OK;
}

pg_row *pg_rows_first(const pg_rows *m)
{
    pg_row *r = m->first;
    while (r && r->replaced)
        r = r->after;
    return r;
}

pg_row *pg_rows_next(const pg_row *r)
{
    do
        r = r->after;
    while (r && r->replaced);
    return (pg_row *)r;
}

int pg_rows_put(pg_rows *m, pg_row *row)
{
    pg_row **slot;
    if (m->count >= m->nbuckets && grow(m) != CH_OK)
        return CH_ERROR;
    row->after = NULL;
    if (m->last)
        m->last->after = row;
    else
        m->first = row;
    m->last = row;
    for (slot = &m->buckets[row->hash & (m->nbuckets - 1)]; *slot; slot = &(*slot)->next)
        if ((*slot)->hash == row->hash && strcmp((*slot)->key, row->key) == 0) {
            (*slot)->replaced = 1; /* an upsert replaces the whole row; its memory stays */
            row->next = (*slot)->next;
            *slot = row;
            return CH_OK;
        }
    row->next = NULL;
    *slot = row;
    m->count++;
    return CH_OK;
}

void pg_rows_clear(pg_rows *m)
{
    while (m->blocks) {
        struct pg_block *next = m->blocks->next;
        free(m->blocks);
        m->blocks = next;
    }
    m->free = NULL;
    m->left = 0;
    if (m->count > 0)
        memset(m->buckets, 0, m->nbuckets * sizeof *m->buckets);
    m->count = 0;
    m->bytes = 0;
    m->first = m->last = NULL;
}

void pg_rows_free(pg_rows *m)
{
    pg_rows_clear(m);
    free(m->buckets);
    m->buckets = NULL;
    m->nbuckets = 0;
}

/*
 * chd_rows.c - the rows waiting for a table's next flush, by key: its
 * upserted rows, and its changes (held-back updates and deletes).
 *
 * A hash table from the key's TabSeparated text to the row's fields,
 * so that a later update or delete of the same key changes the waiting row
 * in memory instead of another row (see ch_stage.c).
 */
#include <stdlib.h>
#include <string.h>

#include "ch.h"

static size_t hash(const char *key)
{
    size_t h = 1469598103934665603u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 1099511628211u;
    return h;
}

chd_row *chd_row_new(const char *key, size_t nfields)
{
    chd_row *row = calloc(1, sizeof *row + nfields * sizeof row->fields[0]);
    if (row == NULL || (row->key = strdup(key)) == NULL) {
        free(row);
        return NULL;
    }
    row->nfields = nfields;
    return row;
}

void chd_row_free(chd_row *row)
{
    if (row == NULL)
        return;
    for (size_t i = 0; i < row->nfields; i++)
        free(row->fields[i]);
    free(row->key);
    free(row->mask);
    free(row);
}

chd_row *chd_rows_find(const chd_rows *m, const char *key)
{
    if (m->count == 0)
        return NULL;
    for (chd_row *r = m->buckets[hash(key) & (m->nbuckets - 1)]; r; r = r->next)
        if (strcmp(r->key, key) == 0)
            return r;
    return NULL;
}

static int grow(chd_rows *m)
{
    size_t n = m->nbuckets ? m->nbuckets * 2 : 1024;
    chd_row **b = calloc(n, sizeof *b);
    if (b == NULL)
        return CH_ERROR;
    for (size_t i = 0; i < m->nbuckets; i++) {
        chd_row *r = m->buckets[i], *next;
        for (; r; r = next) {
            next = r->next;
            r->next = b[hash(r->key) & (n - 1)];
            b[hash(r->key) & (n - 1)] = r;
        }
    }
    free(m->buckets);
    m->buckets = b;
    m->nbuckets = n;
    return CH_OK;
}

int chd_rows_put(chd_rows *m, chd_row *row)
{
    chd_row **slot;
    if (m->count >= m->nbuckets && grow(m) != CH_OK)
        return CH_ERROR;
    for (slot = &m->buckets[hash(row->key) & (m->nbuckets - 1)]; *slot; slot = &(*slot)->next)
        if (strcmp((*slot)->key, row->key) == 0) {
            chd_row *old = *slot;
            row->next = old->next;
            *slot = row;
            chd_row_free(old); /* an upsert replaces the whole row */
            return CH_OK;
        }
    row->next = NULL;
    *slot = row;
    m->count++;
    return CH_OK;
}

void chd_rows_clear(chd_rows *m)
{
    for (size_t i = 0; i < m->nbuckets; i++) {
        chd_row *r = m->buckets[i], *next;
        for (; r; r = next) {
            next = r->next;
            chd_row_free(r);
        }
        m->buckets[i] = NULL;
    }
    m->count = 0;
    m->bytes = 0;
}

void chd_rows_free(chd_rows *m)
{
    chd_rows_clear(m);
    free(m->buckets);
    m->buckets = NULL;
    m->nbuckets = 0;
}

/*
 * ch_stage.c - the ClickHouse destination's data operations.
 *
 * ClickHouse changes no row in place: a table is a ReplacingMergeTree,
 * and a row's new state is a new row of the same key with a greater
 * version, which replaces the old one when parts merge (and at once for a
 * reader using FINAL). So every operation waits in memory, as in the
 * PostgreSQL destination: upserted rows one per key (an update or delete
 * of such a key changes the waiting row), and updates and deletes of other
 * keys as changes, one per key (the columns given so far, whether a delete
 * came, how many operations they stand for). A flush reads the current
 * rows of the changes' keys with FINAL, applies the changes to them, and
 * inserts them and the upserted rows in one INSERT: the changed rows with
 * one version, the upserted rows with a greater one, since a key's change
 * always came before its waiting upsert. Changes whose key has no row are
 * reported through dest.missing, the first named by operation and key.
 *
 * A table flushes before a truncate, a schema change and a commit, and when
 * its waiting rows pass PENDING_ROWS_MAX or PENDING_BYTES_MAX; a truncate
 * waits for the next flush too (chd_truncate). A dry run reads as a sync
 * would and inserts nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ch.h"

#define PENDING_ROWS_MAX  50000
#define PENDING_BYTES_MAX (32u << 20)
/* Keys per read of a flush: each read scans the table with FINAL, so one per flush. */
#define READ_KEYS PENDING_ROWS_MAX

/* A copy of b's text, "" when empty; NULL when out of memory. */
static char *take(textbuf *b)
{
    if (b->oom || (b->s == NULL && (b->s = strdup("")) == NULL)) {
        free(b->s);
        memset(b, 0, sizeof *b);
        return NULL;
    }
    char *s = b->s;
    memset(b, 0, sizeof *b);
    return s;
}

/* The TabSeparated field of a value (malloc'd), or NULL in *out for NULL. */
static int field_text(chd_dest *d, const value *v, char **out, ch_error *err)
{
    textbuf b = {0};
    *out = NULL;
    if (v->type == T_NONE)
        return CH_OK;
    if (chd_value_tsv(&b, v, &d->dialect, err) != CH_OK) {
        free(b.s);
        return CH_ERROR;
    }
    if ((*out = take(&b)) == NULL)
        return err_set(err, "out of memory");
    return CH_OK;
}

/* The key of a row: its key fields, tab-joined, or its _fivetran_id. */
static int row_key(chd_dest *d, const table_def *t, const value *vals, const char *id, char **key,
                   ch_error *err)
{
    textbuf b = {0};
    if (t->nkey == 0)
        chd_tsv_escape(&b, id, strlen(id));
    for (size_t k = 0; k < t->nkey; k++) {
        if (k)
            textbuf_add(&b, "\t");
        if (chd_value_tsv(&b, &vals[t->key[k]], &d->dialect, err) != CH_OK) {
            free(b.s);
            return CH_ERROR;
        }
    }
    if ((*key = take(&b)) == NULL)
        return err_set(err, "out of memory");
    return CH_OK;
}

static void set_field(chd_table *ct, chd_row *row, size_t i, char *text)
{
    (row->mask ? &ct->changes : &ct->pending)->bytes += text ? strlen(text) : 0;
    free(row->fields[i]);
    row->fields[i] = text;
}

static int synced_field(chd_dest *d, const char *synced, char **out, ch_error *err)
{
    textbuf b = {0};
    chd_synced_tsv(&b, synced, &d->dialect);
    if ((*out = take(&b)) == NULL)
        return err_set(err, "out of memory");
    return CH_OK;
}

/* The columns an INSERT of the waiting rows names: staged columns, id, system columns. */
static void insert_columns(textbuf *b, const table_def *t, size_t ncols)
{
    for (size_t i = 0; i < ncols; i++) {
        chd_ident(b, t->cols[i].dest_name);
        textbuf_add(b, ", ");
    }
    if (t->nkey == 0)
        textbuf_add(b, "`" COL_ID "`, ");
    textbuf_add(b, "`" COL_SYNCED "`, `" COL_DELETED "`, `" CH_VERSION_COLUMN "`");
}

int chd_insert(chd_dest *d, const table_def *t, size_t ncols, const textbuf *data, const char *what,
               ch_error *err)
{
    textbuf q = {0}, values = {0};
    int rc;
    textbuf_add(&q, "INSERT INTO ");
    chd_data_table(&q, d, t);
    textbuf_add(&q, " (");
    insert_columns(&q, t, ncols);
    if (data->oom)
        q.oom = 1;
    if (!q.oom && strstr(data->s, CHD_DOUBLE_BITS "(") != NULL) {
        /* a subnormal double: the rows go as a VALUES list, which evaluates its expression */
        size_t n = ncols + (t->nkey == 0) + 3;
        col_type *types = malloc(n * sizeof *types);
        if (types == NULL) {
            free(q.s);
            return err_set(err, "out of memory");
        }
        for (size_t i = 0; i < n; i++)
            types[i] = i < ncols && t->cols[i].type != T_NONE ? t->cols[i].type
                       : i + 2 >= n                           ? T_LONG
                                                              : T_STRING;
        rc = chd_tsv_to_values(data->s, types, n, &values);
        free(types);
        textbuf_add(&q, ") VALUES");
        rc = rc != CH_OK || q.oom ? err_set(err, "out of memory")
                                  : chd_run(d, 0, q.s, values.s, values.len, NULL, what, err);
        free(values.s);
        free(q.s);
        return rc;
    }
    textbuf_add(&q, ") FORMAT TabSeparated");
    rc = q.oom ? err_set(err, "out of memory")
               : chd_run(d, 0, q.s, data->s, data->len, NULL, what, err);
    free(q.s);
    return rc;
}

/* Appends a waiting row as a line of the INSERT's data. */
static void add_line(textbuf *data, const chd_row *row, int deleted, uint64_t version)
{
    char tail[48];
    for (size_t f = 0; f < row->nfields; f++) {
        textbuf_add(data, row->fields[f] ? row->fields[f] : "\\N");
        textbuf_add(data, "\t");
    }
    snprintf(tail, sizeof tail, "%d\t%llu\n", deleted, (unsigned long long)version);
    textbuf_add(data, tail);
}

/*
 * The key of a row the server wrote, as row_key makes it: each key field
 * read as a value of its column and written again, so that the server's
 * text form (a Decimal's zeros, a Bool's word) does not matter.
 */
static int server_key(chd_dest *d, const table_def *t, char **fields, char **key, ch_error *err)
{
    textbuf b = {0};
    value v = {0};
    int rc = CH_OK;
    for (size_t k = 0; rc == CH_OK && k < t->nkey; k++) {
        char *text = strdup(fields[t->key[k]]);
        if (text == NULL) {
            rc = err_set(err, "out of memory");
            break;
        }
        size_t len = chd_tsv_unescape(text, strlen(text));
        if (k)
            textbuf_add(&b, "\t");
        rc = chd_value_parse(text, len, t->cols[t->key[k]].type, &d->dialect, &v, err);
        if (rc == CH_OK)
            rc = chd_value_tsv(&b, &v, &d->dialect, err);
        free(text);
    }
    value_free(&v);
    if (rc == CH_OK && (*key = take(&b)) == NULL)
        rc = err_set(err, "out of memory");
    free(b.s);
    return rc;
}

/* The key values of a waiting row, parsed back from its key text; vals[k] to value_free. */
static int key_values(chd_dest *d, const table_def *t, const chd_row *row, value *vals,
                      ch_error *err)
{
    char *copy = strdup(row->key), *fields[MAX_KEY_COLUMNS];
    size_t n;
    int rc = CH_OK;
    if (copy == NULL)
        return err_set(err, "out of memory");
    n = chd_split_fields(copy, fields, MAX_KEY_COLUMNS);
    for (size_t k = 0; rc == CH_OK && k < t->nkey && k < n; k++) {
        size_t len = chd_tsv_unescape(fields[k], strlen(fields[k]));
        rc = chd_value_parse(fields[k], len, t->cols[t->key[k]].type, &d->dialect, &vals[k], err);
    }
    free(copy);
    return rc;
}

/* Appends the key of a row as the IN list's element: a literal, or a tuple of them. */
static int key_literal(chd_dest *d, const table_def *t, const chd_row *row, textbuf *b,
                       ch_error *err)
{
    value vals[MAX_KEY_COLUMNS] = {{0}};
    int rc = key_values(d, t, row, vals, err);
    if (t->nkey > 1)
        textbuf_add(b, "(");
    for (size_t k = 0; rc == CH_OK && k < t->nkey; k++) {
        textbuf_add(b, k ? ", " : "");
        rc = chd_value_literal(b, &vals[k], t->cols[t->key[k]].precision, &d->dialect, err);
    }
    if (t->nkey > 1)
        textbuf_add(b, ")");
    for (size_t k = 0; k < t->nkey; k++)
        value_free(&vals[k]);
    return rc;
}

/* A change marked as having found its row: its counts go to zero. */
static void found(chd_row *change)
{
    change->updates = change->deletes = 0;
}

/*
 * Reads the current rows of some changes' keys (chunk of them, in order),
 * applies each change to its row and appends the results to data.
 */
static int apply_changes(chd_dest *d, chd_table *ct, chd_row **chunk, size_t n, textbuf *data,
                         uint64_t version, ch_error *err)
{
    table_def *t = ct->def;
    textbuf q = {0}, answer = {0};
    int rc = CH_OK;
    size_t nfields = ct->stage_ncols + 1; /* the columns, deleted: the change brings synced */
    char **fields = malloc((nfields + 1) * sizeof *fields);
    if (fields == NULL)
        return err_set(err, "out of memory");
    textbuf_add(&q, "SELECT ");
    for (size_t i = 0; i < ct->stage_ncols; i++) {
        chd_ident(&q, t->cols[i].dest_name);
        textbuf_add(&q, ", ");
    }
    textbuf_add(&q, "`" COL_DELETED "` FROM ");
    chd_data_table(&q, d, t);
    textbuf_add(&q, " FINAL WHERE ");
    if (t->nkey > 1)
        textbuf_add(&q, "(");
    for (size_t k = 0; k < t->nkey; k++) {
        textbuf_add(&q, k ? ", " : "");
        chd_ident(&q, t->cols[t->key[k]].dest_name);
    }
    textbuf_add(&q, t->nkey > 1 ? ") IN (" : " IN (");
    for (size_t i = 0; rc == CH_OK && i < n; i++) {
        textbuf_add(&q, i ? ", " : "");
        rc = key_literal(d, t, chunk[i], &q, err);
    }
    textbuf_add(&q, ") FORMAT TabSeparated");
    if (rc == CH_OK)
        rc = chd_run_sql(d, 0, &q, &answer, "update or delete (reading the rows of their keys)",
                         err);
    free(q.s);
    for (char *line = answer.s, *next; rc == CH_OK && line && *line; line = next) {
        char *key = NULL;
        chd_row *change;
        if ((next = strchr(line, '\n')) != NULL)
            *next++ = '\0';
        else
            next = line + strlen(line);
        size_t got = chd_split_fields(line, fields, nfields + 1);
        if (got != nfields) {
            rc = err_set(err, "table '%s': the server's rows have %zu columns, not %zu", t->name,
                         got, nfields);
            break;
        }
        if ((rc = server_key(d, t, fields, &key, err)) != CH_OK)
            break;
        change = chd_rows_find(&ct->changes, key);
        free(key);
        if (change == NULL || change->updates + change->deletes == 0)
            continue; /* found already: FINAL gives one row per key */
        if (!d->dry_run) {
            for (size_t i = 0; i < ct->stage_ncols; i++) {
                if (change->mask[i] == '1')
                    textbuf_add(data, change->fields[i] ? change->fields[i] : "\\N");
                else if (t->cols[i].type == T_DOUBLE)
                    chd_server_double(data, fields[i]);
                else
                    textbuf_add(data, fields[i]);
                textbuf_add(data, "\t");
            }
            {
                char tail[48];
                /* an update leaves the soft-delete flag alone: only a delete sets it */
                snprintf(tail, sizeof tail, "\t%d\t%llu\n",
                         change->deleted || strcmp(fields[nfields - 1], "1") == 0,
                         (unsigned long long)version);
                textbuf_add(data, change->fields[change->nfields - 1]);
                textbuf_add(data, tail);
            }
        }
        found(change);
    }
    free(answer.s);
    free(fields);
    return rc;
}

/* Orders changes by their first operation of a kind, for the report's names. */
static int by_first_update(const void *a, const void *b)
{
    long x = (*(chd_row *const *)a)->first_update, y = (*(chd_row *const *)b)->first_update;
    return x < y ? -1 : x > y;
}

static int by_first_delete(const void *a, const void *b)
{
    long x = (*(chd_row *const *)a)->first_delete, y = (*(chd_row *const *)b)->first_delete;
    return x < y ? -1 : x > y;
}

/* Reports the changes of a kind that found no row: all counted, the first named. */
static int report_missing(chd_dest *d, chd_table *ct, chd_row **all, size_t n, int kind,
                          ch_error *err)
{
    table_def *t = ct->def;
    char rows[DEST_REPORT_ROWS_TEXT] = "", one[DEST_REPORT_ROWS_TEXT];
    long count = 0, named = 0;
    for (size_t i = 0; i < n; i++)
        count += kind == DEST_UPDATE ? all[i]->updates : all[i]->deletes;
    if (count == 0)
        return CH_OK;
    qsort(all, n, sizeof *all, kind == DEST_UPDATE ? by_first_update : by_first_delete);
    for (size_t i = 0; i < n && named < DEST_REPORT_ROWS; i++) {
        value vals[MAX_KEY_COLUMNS] = {{0}};
        const value *keys[MAX_KEY_COLUMNS];
        ch_error ignored;
        size_t used = strlen(rows);
        if ((kind == DEST_UPDATE ? all[i]->updates : all[i]->deletes) == 0)
            continue;
        int ok = key_values(d, t, all[i], vals, &ignored) == CH_OK;
        for (size_t k = 0; k < t->nkey; k++)
            keys[k] = ok ? &vals[k] : NULL;
        table_op_row(kind == DEST_UPDATE ? all[i]->first_update : all[i]->first_delete, t, keys,
                     one, sizeof one);
        for (size_t k = 0; k < t->nkey; k++)
            value_free(&vals[k]);
        if (used + strlen(one) + 3 > sizeof rows)
            break; /* the rest are counted, not named */
        snprintf(rows + used, sizeof rows - used, "%s%s", used ? ", " : "", one);
        named++;
    }
    return dest_report_missing(&d->base, t, kind, count, rows, named, err);
}

/*
 * A dry run writes nothing, so it remembers the keys it would have written:
 * a later change of one of them finds its row, as in a sync. Changes that
 * found no row on the server are looked up there first.
 */
static int remember_dry(chd_table *ct, chd_row **changes, size_t n, ch_error *err)
{
    for (size_t i = 0; i < n; i++)
        if (changes[i]->updates + changes[i]->deletes > 0 &&
            chd_rows_find(&ct->dry_keys, changes[i]->key) != NULL)
            found(changes[i]);
    for (size_t i = 0; i < ct->pending.nbuckets; i++)
        for (const chd_row *row = ct->pending.buckets[i]; row; row = row->next) {
            chd_row *key;
            if (chd_rows_find(&ct->dry_keys, row->key) != NULL)
                continue;
            if ((key = chd_row_new(row->key, 0)) == NULL ||
                chd_rows_put(&ct->dry_keys, key) != CH_OK) {
                chd_row_free(key);
                return err_set(err, "out of memory");
            }
        }
    return CH_OK;
}

static int apply_truncate(chd_dest *d, chd_table *ct, ch_error *err);

/* Flushes one table's waiting rows: changes applied to their rows, upserts, one INSERT. */
static int merge_table(chd_dest *d, chd_table *ct, ch_error *err)
{
    table_def *t = ct->def;
    textbuf data = {0};
    chd_row **all = NULL;
    size_t n = 0;
    int rc = CH_OK;
    uint64_t changed_version, upsert_version;
    if (ct->truncate_at && apply_truncate(d, ct, err) != CH_OK)
        return CH_ERROR;
    if (ct->pending.count == 0 && ct->changes.count == 0)
        return CH_OK;
    changed_version = chd_next_version(d);
    upsert_version = chd_next_version(d);
    if (ct->changes.count > 0) {
        if ((all = malloc(ct->changes.count * sizeof *all)) == NULL)
            return err_set(err, "out of memory");
        for (size_t i = 0; i < ct->changes.nbuckets; i++)
            for (chd_row *row = ct->changes.buckets[i]; row; row = row->next)
                all[n++] = row;
        for (size_t i = 0; rc == CH_OK && !ct->absent && i < n; i += READ_KEYS)
            rc = apply_changes(d, ct, all + i, n - i < READ_KEYS ? n - i : READ_KEYS, &data,
                               changed_version, err);
    }
    for (size_t i = 0; rc == CH_OK && !d->dry_run && i < ct->pending.nbuckets; i++)
        for (const chd_row *row = ct->pending.buckets[i]; row; row = row->next)
            add_line(&data, row, row->deleted, upsert_version);
    if (rc == CH_OK && data.len > 0)
        rc = chd_insert(d, t, ct->stage_ncols, &data,
                        "upsert, update or delete (inserting the rows)", err);
    if (rc == CH_OK && d->dry_run)
        rc = remember_dry(ct, all, n, err);
    free(data.s);
    if (rc == CH_OK && n > 0 &&
        (report_missing(d, ct, all, n, DEST_UPDATE, err) != CH_OK ||
         report_missing(d, ct, all, n, DEST_DELETE, err) != CH_OK))
        rc = CH_ERROR;
    free(all);
    if (rc == CH_OK) {
        chd_rows_clear(&ct->pending);
        chd_rows_clear(&ct->changes);
    }
    return rc;
}

int chd_merge(chd_dest *d, table_def *t, ch_error *err)
{
    if (t != NULL)
        return t->dest ? merge_table(d, t->dest, err) : CH_OK;
    for (chd_table *ct = d->tables; ct; ct = ct->next)
        if (merge_table(d, ct, err) != CH_OK)
            return CH_ERROR;
    return CH_OK;
}

int chd_flush(dest *base, ch_error *err)
{
    return chd_merge((chd_dest *)base, NULL, err);
}

void chd_stage_reset(chd_dest *d)
{
    for (chd_table *ct = d->tables; ct; ct = ct->next) {
        chd_rows_clear(&ct->pending);
        chd_rows_clear(&ct->changes);
        free(ct->truncate_at);
        ct->truncate_at = NULL;
    }
}

/* Waiting rows carry the table's first stage_ncols columns; rows of more flush them first. */
static int fit_stage(chd_dest *d, chd_table *ct, ch_error *err)
{
    if (ct->stage_ncols != ct->def->ncols && (ct->pending.count > 0 || ct->changes.count > 0) &&
        merge_table(d, ct, err) != CH_OK)
        return CH_ERROR;
    ct->stage_ncols = ct->def->ncols;
    return CH_OK;
}

static int bound(chd_dest *d, chd_table *ct, ch_error *err)
{
    if (ct->pending.count + ct->changes.count >= PENDING_ROWS_MAX ||
        ct->pending.bytes + ct->changes.bytes >= PENDING_BYTES_MAX)
        return merge_table(d, ct, err);
    return CH_OK;
}

int chd_upsert(dest *base, table_def *t, const value *vals, const char *id, const char *synced,
               ch_error *err)
{
    chd_dest *d = (chd_dest *)base;
    chd_table *ct = t->dest;
    size_t nfields;
    char *key, *text;
    chd_row *row;
    if (fit_stage(d, ct, err) != CH_OK)
        return CH_ERROR;
    nfields = t->ncols + (t->nkey == 0) + 1;
    if (row_key(d, t, vals, id, &key, err) != CH_OK)
        return CH_ERROR;
    row = chd_row_new(key, nfields);
    free(key);
    if (row == NULL)
        return err_set(err, "out of memory");
    for (size_t i = 0; i < t->ncols; i++) {
        if (field_text(d, &vals[i], &text, err) != CH_OK) {
            chd_row_free(row);
            return err_prefix(err, "column '%s'", t->cols[i].name);
        }
        set_field(ct, row, i, text);
    }
    if (t->nkey == 0 && field_text(d, &(value){.type = T_STRING, .ptr = id, .len = strlen(id)},
                                   &row->fields[t->ncols], err) != CH_OK) {
        chd_row_free(row);
        return CH_ERROR;
    }
    if (synced_field(d, synced, &text, err) != CH_OK) {
        chd_row_free(row);
        return CH_ERROR;
    }
    set_field(ct, row, nfields - 1, text);
    ct->pending.bytes += sizeof *row + nfields * (sizeof row->fields[0] + 16) + strlen(row->key);
    if (chd_rows_put(&ct->pending, row) != CH_OK) {
        chd_row_free(row);
        return err_set(err, "out of memory");
    }
    return bound(d, ct, err);
}

/* Changes the given columns of a waiting row in place. */
static int update_row(chd_dest *d, table_def *t, chd_row *row, const value *vals,
                      const unsigned char *present, const char *synced, ch_error *err)
{
    chd_table *ct = t->dest;
    char *text;
    for (size_t i = 0; i < t->ncols; i++) {
        if (!present[i] || table_is_key(t, i))
            continue;
        if (field_text(d, &vals[i], &text, err) != CH_OK)
            return err_prefix(err, "column '%s'", t->cols[i].name);
        set_field(ct, row, i, text);
    }
    if (synced_field(d, synced, &text, err) != CH_OK)
        return CH_ERROR;
    set_field(ct, row, row->nfields - 1, text);
    return CH_OK;
}

/* The waiting row of the key: *pending when upserted, else its change, made if new. */
static int waiting_row(chd_dest *d, table_def *t, const value *vals, chd_row **pending,
                       chd_row **change, ch_error *err)
{
    chd_table *ct = t->dest;
    size_t nfields = t->ncols + 1;
    char *key, *text;
    chd_row *row;
    *pending = *change = NULL;
    if (t->nkey == 0)
        return err_set(err, "table '%s' has no primary key", t->name);
    if (fit_stage(d, ct, err) != CH_OK || row_key(d, t, vals, NULL, &key, err) != CH_OK)
        return CH_ERROR;
    if ((*pending = chd_rows_find(&ct->pending, key)) != NULL ||
        (*change = chd_rows_find(&ct->changes, key)) != NULL) {
        free(key);
        return CH_OK;
    }
    row = chd_row_new(key, nfields);
    free(key);
    if (row == NULL || (row->mask = malloc(t->ncols + 1)) == NULL) {
        chd_row_free(row);
        return err_set(err, "out of memory");
    }
    memset(row->mask, '0', t->ncols);
    row->mask[t->ncols] = '\0';
    for (size_t k = 0; k < t->nkey; k++) {
        if (field_text(d, &vals[t->key[k]], &text, err) != CH_OK) {
            chd_row_free(row);
            return CH_ERROR;
        }
        set_field(ct, row, t->key[k], text);
    }
    ct->changes.bytes += sizeof *row + nfields * (sizeof row->fields[0] + 16) + 2 * t->ncols;
    if (chd_rows_put(&ct->changes, row) != CH_OK) {
        chd_row_free(row);
        return err_set(err, "out of memory");
    }
    *change = row;
    return CH_OK;
}

int chd_update(dest *base, table_def *t, const value *vals, const unsigned char *present,
               const char *synced, long op, int *found_row, ch_error *err)
{
    chd_dest *d = (chd_dest *)base;
    chd_row *pending, *change;
    if (waiting_row(d, t, vals, &pending, &change, err) != CH_OK)
        return CH_ERROR;
    if (pending != NULL) {
        *found_row = 1;
        return update_row(d, t, pending, vals, present, synced, err);
    }
    if (update_row(d, t, change, vals, present, synced, err) != CH_OK)
        return CH_ERROR;
    for (size_t i = 0; i < t->ncols; i++)
        if (present[i] && !table_is_key(t, i))
            change->mask[i] = '1';
    if (change->updates++ == 0)
        change->first_update = op;
    *found_row = -1;
    return bound(d, t->dest, err);
}

int chd_remove(dest *base, table_def *t, const value *vals, const char *synced, long op,
               int *found_row, ch_error *err)
{
    chd_dest *d = (chd_dest *)base;
    chd_row *pending, *change, *row;
    char *text;
    if (waiting_row(d, t, vals, &pending, &change, err) != CH_OK)
        return CH_ERROR;
    row = pending ? pending : change;
    if (synced_field(d, synced, &text, err) != CH_OK)
        return CH_ERROR;
    set_field(t->dest, row, row->nfields - 1, text);
    row->deleted = 1;
    if (pending != NULL) {
        *found_row = 1;
        return CH_OK;
    }
    if (change->deletes++ == 0)
        change->first_delete = op;
    *found_row = -1;
    return bound(d, t->dest, err);
}

/* The condition of the rows a truncate at `synced` soft-deletes: " FINAL WHERE ..." into where. */
static int truncate_where(chd_dest *d, const char *synced, textbuf *where, ch_error *err)
{
    value at = {.type = T_UTC_DATETIME, .ptr = synced, .len = strlen(synced)};
    textbuf_add(where, " FINAL WHERE `" COL_SYNCED "` < ");
    if (chd_value_literal(where, &at, 0, &d->dialect, err) != CH_OK)
        return CH_ERROR;
    textbuf_add(where, " AND `" COL_DELETED "` = 0");
    return CH_OK;
}

/*
 * Applies the table's waiting truncate: every live row from before it is
 * inserted again, deleted and stamped with its time, in one INSERT ...
 * SELECT on the server.
 */
static int apply_truncate(chd_dest *d, chd_table *ct, ch_error *err)
{
    table_def *t = ct->def;
    textbuf where = {0}, q = {0}, answer = {0}, cols = {0};
    value at = {.type = T_UTC_DATETIME, .ptr = ct->truncate_at, .len = strlen(ct->truncate_at)};
    char version[32];
    int rc = truncate_where(d, ct->truncate_at, &where, err);
    textbuf_add(&q, "SELECT name FROM system.columns WHERE database = ");
    chd_string(&q, d->db);
    textbuf_add(&q, " AND table = ");
    chd_string(&q, t->dest_name);
    textbuf_add(&q, " AND name NOT IN ('" COL_SYNCED "', '" COL_DELETED "', '" CH_VERSION_COLUMN
                    "') FORMAT TabSeparated");
    if (rc == CH_OK)
        rc = chd_run_sql(d, 0, &q, &answer, "truncate (reading the columns)", err);
    for (char *p = answer.s, *next; rc == CH_OK && p && *p; p = next) {
        if ((next = strchr(p, '\n')) != NULL)
            *next++ = '\0';
        else
            next = p + strlen(p);
        chd_tsv_unescape(p, strlen(p));
        chd_ident(&cols, p);
        textbuf_add(&cols, ", ");
    }
    snprintf(version, sizeof version, "%llu", (unsigned long long)chd_next_version(d));
    textbuf_add(&q, "INSERT INTO ");
    chd_data_table(&q, d, t);
    textbuf_add(&q, " (");
    textbuf_add(&q, cols.s ? cols.s : "");
    textbuf_add(&q, "`" COL_SYNCED "`, `" COL_DELETED "`, `" CH_VERSION_COLUMN "`) SELECT ");
    textbuf_add(&q, cols.s ? cols.s : "");
    if (rc == CH_OK)
        rc = chd_value_literal(&q, &at, 0, &d->dialect, err);
    textbuf_add(&q, ", 1, ");
    textbuf_add(&q, version);
    textbuf_add(&q, " FROM ");
    chd_data_table(&q, d, t);
    textbuf_add(&q, where.s ? where.s : "");
    if (rc == CH_OK)
        rc = chd_run_sql(d, 0, &q, NULL, "truncate", err);
    free(q.s);
    free(answer.s);
    free(cols.s);
    free(where.s);
    if (rc == CH_OK) {
        free(ct->truncate_at);
        ct->truncate_at = NULL;
    }
    return rc;
}

/*
 * A truncate flushes the table's waiting rows, counts the rows it deletes,
 * and waits: it is applied at the table's next flush (its checkpoint's, or
 * a schema change's), before what came after it, so that a sync stopped
 * before its checkpoint leaves the old rows alive, as SQLite's rollback does.
 */
int chd_truncate(dest *base, table_def *t, const char *synced, long *rows, ch_error *err)
{
    chd_dest *d = (chd_dest *)base;
    chd_table *ct = t->dest;
    textbuf q = {0}, answer = {0};
    int rc;
    *rows = 0;
    if (chd_merge(d, t, err) != CH_OK)
        return CH_ERROR;
    if (ct == NULL || ct->absent)
        return CH_OK;
    textbuf_add(&q, "SELECT count() FROM ");
    chd_data_table(&q, d, t);
    if (truncate_where(d, synced, &q, err) != CH_OK) {
        free(q.s);
        return CH_ERROR;
    }
    rc = chd_run_sql(d, 0, &q, &answer, "truncate (counting the rows)", err);
    if (rc == CH_OK)
        *rows = atol(answer.s);
    free(answer.s);
    if (rc == CH_OK && *rows > 0 && !d->dry_run && (ct->truncate_at = strdup(synced)) == NULL)
        rc = err_set(err, "out of memory");
    return rc;
}

/*
 * chd_dest.c - the ClickHouse destination: the spec, tables and their
 * schema changes, the exact types, the state, and the versions.
 *
 * ClickHouse has no transaction across statements, so a checkpoint is not
 * atomic: commit writes every table's waiting rows, then the state row.
 * What holds instead is that every row written is a whole new version of
 * its key, never half a row: after a crash the next sync starts from the
 * last state written and writes the same keys again with greater versions,
 * so reading with FINAL converges to what an uninterrupted sync gives. The
 * versions only grow: each is above the clock, the state's and each
 * table's greatest version (chd_next_version), so a worker whose clock is
 * behind still writes versions that win.
 *
 * In a cluster (?cluster=NAME with every shard's address) each shard holds
 * T_local, a ReplacingMergeTree, and T is a Distributed table over them,
 * sharded by the key's hash so that every version of a key is on one
 * shard; the DDL runs on every listed server (no ON CLUSTER, which needs
 * ZooKeeper), the data and the host's own tables go through the first.
 */
#include <curl/curl.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ch.h"

/* ---- small helpers ------------------------------------------------------------- */

uint64_t chd_next_version(chd_dest *d)
{
    struct timespec ts;
    uint64_t now;
    clock_gettime(CLOCK_REALTIME, &ts);
    now = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
    d->version = now > d->version ? now : d->version + 1;
    return d->version;
}

chd_table *chd_table_of(chd_dest *d, table_def *t)
{
    chd_table *ct = t->dest;
    if (ct == NULL && (ct = calloc(1, sizeof *ct)) != NULL) {
        ct->def = t;
        ct->next = d->tables;
        d->tables = ct;
        t->dest = ct;
    }
    return ct;
}

void chd_data_table(textbuf *b, const chd_dest *d, const table_def *t)
{
    chd_qualified(b, d->db, t->dest_name);
}

/* The shard tables' name in a cluster, the table's own otherwise (malloc'd). */
static char *storage_name(const chd_dest *d, const char *table)
{
    textbuf b = {0};
    textbuf_add(&b, table);
    if (d->cluster)
        textbuf_add(&b, CH_LOCAL_SUFFIX);
    return b.oom ? (free(b.s), NULL) : b.s;
}

/* Runs a query on the first server whose answer is one number; *n receives it (0 if empty). */
static int query_number(chd_dest *d, textbuf *q, unsigned long long *n, const char *what,
                        ch_error *err)
{
    textbuf answer = {0};
    if (chd_run_sql(d, 0, q, &answer, what, err) != CH_OK)
        return CH_ERROR;
    *n = strtoull(answer.s, NULL, 10);
    free(answer.s);
    return CH_OK;
}

static int table_exists(chd_dest *d, const char *table, int *exists, ch_error *err)
{
    textbuf q = {0};
    unsigned long long n;
    textbuf_add(&q, "SELECT count() FROM system.tables WHERE database = ");
    chd_string(&q, d->db);
    textbuf_add(&q, " AND name = ");
    chd_string(&q, table);
    if (query_number(d, &q, &n, "looking up a table", err) != CH_OK)
        return CH_ERROR;
    *exists = n > 0;
    return CH_OK;
}

/* Notes the table's greatest version, so that new ones are greater. */
static int see_versions(chd_dest *d, const char *table, ch_error *err)
{
    textbuf q = {0};
    unsigned long long n;
    textbuf_add(&q, "SELECT max(`" CH_VERSION_COLUMN "`) FROM ");
    chd_qualified(&q, d->db, table);
    if (query_number(d, &q, &n, "reading the versions", err) != CH_OK)
        return CH_ERROR;
    if (n > d->version)
        d->version = n;
    return CH_OK;
}

/* The database, made on every server when missing; never in a dry run. */
static int ensure_database(chd_dest *d, ch_error *err)
{
    textbuf b = {0};
    textbuf_add(&b, "CREATE DATABASE IF NOT EXISTS ");
    chd_ident(&b, d->db);
    return chd_run_ddl(d, &b, "creating the database", err);
}

/* ---- the exact types ---------------------------------------------------------- */

/*
 * Records the contract types of columns (ncols of them from first, "" for
 * no type yet) with a new version: read back as the latest, like the state.
 */
static int record_types(chd_dest *d, const table_def *t, size_t first, size_t ncols, ch_error *err)
{
    textbuf b = {0}, data = {0};
    char version[32], text[40];
    int rc;
    if (d->dry_run)
        return CH_OK;
    if (!d->columns_ready) {
        if (ensure_database(d, err) != CH_OK)
            return CH_ERROR;
        textbuf_add(&b, "CREATE TABLE IF NOT EXISTS ");
        chd_qualified(&b, d->db, CH_COLUMNS_TABLE);
        textbuf_add(&b, " (table_name String, column_name String, type String, version UInt64) "
                        "ENGINE = ReplacingMergeTree(version) ORDER BY (table_name, column_name)");
        if (chd_run_sql(d, 0, &b, NULL, "recording the column types", err) != CH_OK)
            return CH_ERROR;
        d->columns_ready = 1;
    }
    snprintf(version, sizeof version, "%llu", (unsigned long long)chd_next_version(d));
    for (size_t i = first; i < first + ncols; i++) {
        const column_def *c = &t->cols[i];
        chd_tsv_escape(&data, t->dest_name, strlen(t->dest_name));
        textbuf_add(&data, "\t");
        chd_tsv_escape(&data, c->dest_name, strlen(c->dest_name));
        textbuf_add(&data, "\t");
        textbuf_add(&data, c->type == T_NONE
                               ? ""
                               : type_format(c->type, c->precision, c->scale, text, sizeof text));
        textbuf_add(&data, "\t");
        textbuf_add(&data, version);
        textbuf_add(&data, "\n");
    }
    textbuf_add(&b, "INSERT INTO ");
    chd_qualified(&b, d->db, CH_COLUMNS_TABLE);
    textbuf_add(&b, " FORMAT TabSeparated");
    rc = b.oom || data.oom ? err_set(err, "out of memory")
                           : chd_run(d, 0, b.s, data.s ? data.s : "", data.len, NULL,
                                     "recording the column types", err);
    free(b.s);
    free(data.s);
    return rc;
}

/* The recorded types of a table's columns: "name\ttype" lines in *out. */
static int read_types(chd_dest *d, const char *table, textbuf *out, ch_error *err)
{
    textbuf q = {0};
    int exists = d->columns_ready;
    if (!exists && table_exists(d, CH_COLUMNS_TABLE, &exists, err) != CH_OK)
        return CH_ERROR;
    if (!exists)
        return CH_OK;
    d->columns_ready = 1;
    textbuf_add(&q, "SELECT column_name, type FROM ");
    chd_qualified(&q, d->db, CH_COLUMNS_TABLE);
    textbuf_add(&q, " FINAL WHERE table_name = ");
    chd_string(&q, table);
    textbuf_add(&q, " FORMAT TabSeparated");
    return chd_run_sql(d, 0, &q, out, "reading the column types", err);
}

/* The recorded type of a column in read_types' answer; 0 when none is recorded. */
static int recorded_type(const char *types, const char *name, type_spec *ts)
{
    size_t n = strlen(name);
    for (const char *p = types; p && *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] != 0)) {
        char text[40];
        size_t len;
        ch_error bad;
        if (strncmp(p, name, n) != 0 || p[n] != '\t')
            continue;
        len = strcspn(p + n + 1, "\n");
        if (len == 0) {
            ts->type = T_NONE;
            ts->precision = ts->scale = 0;
            return 1;
        }
        if (len >= sizeof text)
            return 0;
        memcpy(text, p + n + 1, len);
        text[len] = '\0';
        return type_parse(text, &ts->type, &ts->precision, &ts->scale, &bad) == CH_OK;
    }
    return 0;
}

/* ---- tables and columns ------------------------------------------------------- */

static int create_table(dest *base, table_def *t, ch_error *err)
{
    chd_dest *d = (chd_dest *)base;
    chd_table *ct = t->dest;
    textbuf b = {0};
    char *local;
    if (d->dry_run) { /* nothing is made: the flush reads no rows of it */
        ct->absent = 1;
        return CH_OK;
    }
    /* the types first: a crash before the table leaves only records a new table rewrites */
    if (record_types(d, t, 0, t->ncols, err) != CH_OK || ensure_database(d, err) != CH_OK)
        return CH_ERROR;
    if ((local = storage_name(d, t->dest_name)) == NULL)
        return err_set(err, "out of memory");
    chd_create_sql(&b, d->db, local, t, &d->dialect);
    free(local);
    if (chd_run_ddl(d, &b, "creating a table", err) != CH_OK)
        return CH_ERROR;
    if (d->cluster) {
        chd_distributed_sql(&b, d->db, d->cluster, t);
        if (chd_run_ddl(d, &b, "creating a Distributed table", err) != CH_OK)
            return CH_ERROR;
    }
    return CH_OK;
}

/* In a cluster, the Distributed tables are made again over the shard tables' new columns. */
static int remake_distributed(chd_dest *d, table_def *t, ch_error *err)
{
    textbuf b = {0};
    if (!d->cluster)
        return CH_OK;
    textbuf_add(&b, "DROP TABLE IF EXISTS ");
    chd_qualified(&b, d->db, t->dest_name);
    if (chd_run_ddl(d, &b, "making the Distributed table again", err) != CH_OK)
        return CH_ERROR;
    chd_distributed_sql(&b, d->db, d->cluster, t);
    return chd_run_ddl(d, &b, "making the Distributed table again", err);
}

static int read_columns(chd_dest *d, const char *table, textbuf *out, ch_error *err);

/*
 * In a cluster, makes every other listed server's tables of t what the
 * first server's are: a crash between the servers' DDL (no ON CLUSTER, no
 * transaction) may have left one without the table, or without a column
 * the first has. Columns are added with the first server's own types; a
 * server that changed is given its Distributed table again.
 */
static int align_shards(chd_dest *d, table_def *t, ch_error *err)
{
    textbuf first = {0}, q = {0};
    char *local;
    int rc;
    if (!d->cluster || d->dry_run)
        return CH_OK;
    if ((local = storage_name(d, t->dest_name)) == NULL)
        return err_set(err, "out of memory");
    rc = read_columns(d, local, &first, err);
    for (size_t s = 1; rc == CH_OK && s < d->nservers; s++) {
        textbuf theirs = {0};
        char *copy = first.s ? strdup(first.s) : NULL;
        int changed = 0;
        chd_create_sql(&q, d->db, local, t, &d->dialect);
        rc = chd_run_sql(d, s, &q, NULL, "creating a table", err);
        textbuf_add(&q,
                    "SELECT name, type, is_in_primary_key FROM system.columns WHERE database = ");
        chd_string(&q, d->db);
        textbuf_add(&q, " AND table = ");
        chd_string(&q, local);
        textbuf_add(&q, " FORMAT TabSeparated");
        if (rc == CH_OK)
            rc = chd_run_sql(d, s, &q, &theirs, "reading table information", err);
        for (char *p = copy, *next; rc == CH_OK && p && *p; p = next) {
            char *f[3], needle[600];
            if ((next = strchr(p, '\n')) != NULL)
                *next++ = '\0';
            else
                next = p + strlen(p);
            if (chd_split_fields(p, f, 3) != 3)
                continue;
            /* "\nNAME\t": both answers escape a name alike, so the texts compare */
            snprintf(needle, sizeof needle, "\n%s\t", f[0]);
            if (theirs.s && (strncmp(theirs.s, needle + 1, strlen(needle + 1)) == 0 ||
                             strstr(theirs.s, needle) != NULL))
                continue;
            textbuf_add(&q, "ALTER TABLE ");
            chd_qualified(&q, d->db, local);
            textbuf_add(&q, " ADD COLUMN ");
            chd_tsv_unescape(f[0], strlen(f[0]));
            chd_ident(&q, f[0]);
            textbuf_add(&q, " ");
            textbuf_add(&q, f[1]);
            rc = chd_run_sql(d, s, &q, NULL, "adding a column a crash left out", err);
            changed = 1;
        }
        free(copy);
        free(theirs.s);
        if (rc == CH_OK && changed) {
            textbuf_add(&q, "DROP TABLE IF EXISTS ");
            chd_qualified(&q, d->db, t->dest_name);
            rc = chd_run_sql(d, s, &q, NULL, "making the Distributed table again", err);
        }
        chd_distributed_sql(&q, d->db, d->cluster, t);
        if (rc == CH_OK)
            rc = chd_run_sql(d, s, &q, NULL, "creating a Distributed table", err);
        free(q.s);
        memset(&q, 0, sizeof q);
    }
    free(first.s);
    free(local);
    return rc;
}

/* ALTER TABLE on the table (every shard's, in a cluster), then the Distributed tables. */
static int alter_column(chd_dest *d, table_def *t, const char *how, size_t col, ch_error *err)
{
    textbuf b = {0};
    char *local = storage_name(d, t->dest_name), buf[48];
    const column_def *c = &t->cols[col];
    if (local == NULL)
        return err_set(err, "out of memory");
    textbuf_add(&b, "ALTER TABLE ");
    chd_qualified(&b, d->db, local);
    free(local);
    textbuf_add(&b, how);
    chd_ident(&b, c->dest_name);
    textbuf_add(&b, " ");
    textbuf_add(
        &b, chd_type_sql(sql_column_type(c), &d->dialect, !table_is_key(t, col), buf, sizeof buf));
    if (chd_run_ddl(d, &b, "changing a table's columns", err) != CH_OK)
        return CH_ERROR;
    return remake_distributed(d, t, err);
}

static int add_column(dest *base, table_def *t, size_t col, ch_error *err)
{
    chd_dest *d = (chd_dest *)base;
    chd_table *ct = t->dest;
    if (chd_merge(d, t, err) != CH_OK)
        return CH_ERROR;
    if (d->dry_run || (ct && ct->absent))
        return CH_OK;
    if (record_types(d, t, col, 1, err) != CH_OK)
        return CH_ERROR;
    return alter_column(d, t, " ADD COLUMN ", col, err);
}

/* Names the stored row of the key fields (TabSeparated) before the reason in err. */
static void name_row(chd_dest *d, const table_def *t, size_t col, type_spec from, char **fields,
                     ch_error *err)
{
    value keys[MAX_KEY_COLUMNS] = {{0}};
    const value *named[MAX_KEY_COLUMNS];
    for (size_t k = 0; k < t->nkey; k++) {
        char *text = strdup(fields[t->key[k]]);
        ch_error ignored;
        named[k] = text && chd_value_parse(text, chd_tsv_unescape(text, strlen(text)),
                                           sql_key_type(t, k, col, from), &d->dialect, &keys[k],
                                           &ignored) == CH_OK
                       ? &keys[k]
                       : NULL;
        free(text);
    }
    sql_name_row(t, named, err);
    for (size_t k = 0; k < t->nkey; k++)
        value_free(&keys[k]);
}

/*
 * Converts every stored value of the column with the sink's exact
 * conversion, in C, before anything changes; then the column's storage
 * type changes (when it is another) and every row is written again as a
 * new version with its converted value, so that what the server's own
 * conversion made of a value never stays; last, the type is recorded.
 */
static int change_type(dest *base, table_def *t, size_t col, type_spec from, type_spec to,
                       int *lossy, ch_error *err)
{
    chd_dest *d = (chd_dest *)base;
    chd_table *ct = t->dest;
    column_def *c = &t->cols[col];
    textbuf q = {0}, answer = {0}, data = {0};
    char fromsql[48], tosql[48], version[32];
    value in = {0}, out = {0};
    size_t ncols = t->ncols + (t->nkey == 0) + 2; /* the columns, id, synced, deleted */
    char **fields;
    int rc = CH_OK, key = table_is_key(t, col);
    *lossy = 0;
    if (chd_merge(d, t, err) != CH_OK)
        return CH_ERROR;
    if (ct && ct->absent)
        return CH_OK;
    if (key && strcmp(chd_type_sql(from, &d->dialect, 0, fromsql, sizeof fromsql),
                      chd_type_sql(to, &d->dialect, 0, tosql, sizeof tosql)) != 0)
        return err_set(err,
                       "primary key column '%s' is stored as %s and ClickHouse cannot change the "
                       "type of a key column to %s; declare its type in the schema, or drop the "
                       "table (drop table `%s`.`%s`)",
                       c->name, fromsql, tosql, d->db, t->dest_name);
    if ((fields = malloc((ncols + 1) * sizeof *fields)) == NULL)
        return err_set(err, "out of memory");
    textbuf_add(&q, "SELECT ");
    for (size_t i = 0; i < t->ncols; i++) {
        chd_ident(&q, t->cols[i].dest_name);
        textbuf_add(&q, ", ");
    }
    if (t->nkey == 0)
        textbuf_add(&q, "`" COL_ID "`, ");
    textbuf_add(&q, "`" COL_SYNCED "`, `" COL_DELETED "` FROM ");
    chd_data_table(&q, d, t);
    /* a filter on the version: 18.16 reading a Distributed table with FINAL and no filter
       leaves the version out of the shards' streams, and fails */
    textbuf_add(&q, " FINAL WHERE `" CH_VERSION_COLUMN "` > 0 FORMAT TabSeparated");
    /* a column not made yet (no type until now) holds no value */
    if (from.type != T_NONE)
        rc = chd_run_sql(d, 0, &q, &answer, "changing a column type (reading the rows)", err);
    free(q.s);
    snprintf(version, sizeof version, "%llu", (unsigned long long)chd_next_version(d));
    for (char *line = answer.s, *next; rc == CH_OK && line && *line; line = next) {
        if ((next = strchr(line, '\n')) != NULL)
            *next++ = '\0';
        else
            next = line + strlen(line);
        if (chd_split_fields(line, fields, ncols + 1) != ncols) {
            rc = err_set(err, "table '%s': the server's rows have another number of columns",
                         t->name);
            break;
        }
        for (size_t i = 0; i < ncols; i++) {
            if (i != col || strcmp(fields[i], "\\N") == 0) {
                if (i < t->ncols && t->cols[i].type == T_DOUBLE)
                    chd_server_double(&data, fields[i]);
                else
                    textbuf_add(&data, fields[i]);
            } else {
                size_t len = chd_tsv_unescape(fields[i], strlen(fields[i]));
                if ((rc = chd_value_parse(fields[i], len, from.type, &d->dialect, &in, err)) !=
                    CH_OK)
                    break;
                if (value_convert(&in, to.type, to.precision, to.scale, &out, err) != CH_OK) {
                    name_row(d, t, col, from, fields, err);
                    *lossy = 1;
                    rc = CH_ERROR;
                    break;
                }
                if ((rc = chd_value_tsv(&data, &out, &d->dialect, err)) != CH_OK)
                    break;
            }
            textbuf_add(&data, "\t");
        }
        textbuf_add(&data, version);
        textbuf_add(&data, "\n");
    }
    value_free(&in);
    value_free(&out);
    free(answer.s);
    free(fields);
    if (rc == CH_OK && !d->dry_run) {
        type_spec was = sql_column_type(c);
        c->type = to.type, c->precision = to.precision, c->scale = to.scale;
        if (strcmp(chd_type_sql(from, &d->dialect, 0, fromsql, sizeof fromsql),
                   chd_type_sql(to, &d->dialect, 0, tosql, sizeof tosql)) != 0)
            rc = alter_column(d, t, " MODIFY COLUMN ", col, err);
        if (rc == CH_OK && data.len > 0)
            rc =
                chd_insert(d, t, t->ncols, &data, "changing a column type (writing the rows)", err);
        if (rc == CH_OK)
            rc = record_types(d, t, col, 1, err);
        c->type = was.type, c->precision = was.precision, c->scale = was.scale;
    }
    free(data.s);
    return rc;
}

/* The names and types of a table's columns: "name\ttype\tin-key" lines. */
static int read_columns(chd_dest *d, const char *table, textbuf *out, ch_error *err)
{
    textbuf q = {0};
    textbuf_add(&q, "SELECT name, type, is_in_primary_key FROM system.columns WHERE database = ");
    chd_string(&q, d->db);
    textbuf_add(&q, " AND table = ");
    chd_string(&q, table);
    textbuf_add(&q, " FORMAT TabSeparated");
    return chd_run_sql(d, 0, &q, out, "reading table information", err);
}

static int read_column_names(dest *base, const char *table, sql_names *names, ch_error *err)
{
    chd_dest *d = (chd_dest *)base;
    textbuf answer = {0};
    int rc = read_columns(d, table, &answer, err);
    for (char *p = answer.s, *next; rc == CH_OK && p && *p; p = next) {
        if ((next = strchr(p, '\n')) != NULL)
            *next++ = '\0';
        else
            next = p + strlen(p);
        p[strcspn(p, "\t")] = '\0';
        chd_tsv_unescape(p, strlen(p));
        if (sql_names_add(names, p) != CH_OK)
            rc = err_set(err, "out of memory");
    }
    free(answer.s);
    return rc;
}

static int has_table(dest *base, table_def *t, int *held, ch_error *err)
{
    return sql_has_table(base, t, read_column_names, held, err);
}

/*
 * The key's columns in order, from the table's ORDER BY ("ORDER BY (a, b)"
 * in engine_full), as "\ta\tb\t" in *out.
 */
static int read_key(chd_dest *d, const char *table, textbuf *out, ch_error *err)
{
    textbuf q = {0}, answer = {0};
    const char *p;
    textbuf_add(&q, "SELECT engine_full FROM system.tables WHERE database = ");
    chd_string(&q, d->db);
    textbuf_add(&q, " AND name = ");
    chd_string(&q, table);
    textbuf_add(&q, " FORMAT TSVRaw");
    if (chd_run_sql(d, 0, &q, &answer, "reading table information", err) != CH_OK)
        return CH_ERROR;
    textbuf_add(out, "\t");
    if ((p = strstr(answer.s, " ORDER BY ")) != NULL) {
        p += 10;
        int paren = *p == '(';
        p += paren;
        while (*p && *p != '\n' && !(paren ? *p == ')' : *p == ' ')) {
            size_t n = strcspn(p, paren ? ",)" : " \n");
            const char *s = p, *e = p + n;
            while (s < e && (*s == ' ' || *s == '`'))
                s++;
            while (e > s && (e[-1] == ' ' || e[-1] == '`'))
                e--;
            textbuf_addn(out, s, (size_t)(e - s));
            textbuf_add(out, "\t");
            p += n;
            if (*p == ',')
                p++;
        }
    }
    free(answer.s);
    return out->oom ? err_set(err, "out of memory") : CH_OK;
}

/* The 1-based position of name in read_key's list, 0 when not in the key. */
static int key_position(const char *keys, const char *name)
{
    int pos = 0;
    size_t n = strlen(name);
    for (const char *p = keys + 1; *p; p += strcspn(p, "\t") + 1) {
        pos++;
        if (strncmp(p, name, n) == 0 && p[n] == '\t')
            return pos;
    }
    return 0;
}

static int prepare_table(dest *base, table_def *t, int *schema_changes, ch_error *err)
{
    chd_dest *d = (chd_dest *)base;
    sql_found found = {0};
    textbuf cols = {0}, types = {0}, keys = {0};
    char advice[300], *local;
    int rc, record;
    *schema_changes = 0;
    if (chd_table_of(d, t) == NULL)
        return err_set(err, "out of memory");
    if (sql_earlier_names(base, t, read_column_names, err) != CH_OK)
        return CH_ERROR;
    if ((local = storage_name(d, t->dest_name)) == NULL)
        return err_set(err, "out of memory");
    rc = read_columns(d, local, &cols, err);
    if (rc == CH_OK && cols.s && *cols.s)
        rc = read_key(d, local, &keys, err);
    if (rc == CH_OK && cols.s && *cols.s)
        rc = read_types(d, t->dest_name, &types, err);
    for (char *p = cols.s, *next; rc == CH_OK && p && *p; p = next) {
        char *f[3];
        type_spec ts;
        long c;
        int adopted, exact;
        if ((next = strchr(p, '\n')) != NULL)
            *next++ = '\0';
        else
            next = p + strlen(p);
        if (chd_split_fields(p, f, 3) != 3)
            continue;
        chd_tsv_unescape(f[0], strlen(f[0]));
        if (strcmp(f[0], CH_VERSION_COLUMN) == 0)
            continue;
        exact = recorded_type(types.s, f[0], &ts);
        if (!exact)
            ts = chd_type_parse(f[1]);
        rc = sql_found_column(&found, t, f[0], key_position(keys.s ? keys.s : "\t", f[0]), ts, &c,
                              &adopted, err);
        if (rc == CH_OK && c >= 0 && !adopted) {
            rc = sql_reconcile_column(base, t, (size_t)c, ts, exact, &record, schema_changes, err);
            if (rc == CH_OK && record)
                rc = record_types(d, t, (size_t)c, 1, err);
        }
    }
    free(cols.s);
    free(types.s);
    free(keys.s);
    snprintf(advice, sizeof advice, "to start over, drop it (drop table `%s`.`%s`)", d->db, local);
    free(local);
    rc = sql_prepare_finish(base, t, &found, rc, create_table, advice, schema_changes, err);
    if (rc == CH_OK)
        rc = align_shards(d, t, err);
    if (rc == CH_OK && !((chd_table *)t->dest)->absent)
        rc = see_versions(d, t->dest_name, err);
    return rc;
}

/* ---- state ---------------------------------------------------------------------- */

static int load_state(dest *base, const char *connector, char **json, ch_error *err)
{
    chd_dest *d = (chd_dest *)base;
    textbuf q = {0}, answer = {0};
    int exists;
    *json = NULL;
    if (table_exists(d, SQL_STATE_TABLE, &exists, err) != CH_OK)
        return CH_ERROR;
    d->state_ready = exists;
    if (!exists)
        return CH_OK;
    if (see_versions(d, SQL_STATE_TABLE, err) != CH_OK)
        return CH_ERROR;
    textbuf_add(&q, "SELECT state FROM ");
    chd_qualified(&q, d->db, SQL_STATE_TABLE);
    textbuf_add(&q, " WHERE connector = ");
    chd_string(&q, connector);
    textbuf_add(&q, " ORDER BY `" CH_VERSION_COLUMN "` DESC LIMIT 1 FORMAT TabSeparated");
    if (chd_run_sql(d, 0, &q, &answer, "reading the state", err) != CH_OK)
        return CH_ERROR;
    if (*answer.s) {
        size_t n = strcspn(answer.s, "\n");
        answer.s[n] = '\0';
        chd_tsv_unescape(answer.s, n);
        *json = answer.s;
        return CH_OK;
    }
    free(answer.s);
    return CH_OK;
}

static int commit(dest *base, const char *connector, const char *state_json, const char *synced,
                  ch_error *err)
{
    chd_dest *d = (chd_dest *)base;
    textbuf b = {0}, data = {0};
    char version[32];
    int rc;
    /* every table's rows first: the state is written only once its data is */
    if (chd_merge(d, NULL, err) != CH_OK)
        return CH_ERROR;
    if (!d->state_ready) {
        if (ensure_database(d, err) != CH_OK)
            return CH_ERROR;
        textbuf_add(&b, "CREATE TABLE IF NOT EXISTS ");
        chd_qualified(&b, d->db, SQL_STATE_TABLE);
        textbuf_add(&b, " (connector String, state String, updated_at String, `" CH_VERSION_COLUMN
                        "` UInt64) ENGINE = ReplacingMergeTree(`" CH_VERSION_COLUMN
                        "`) ORDER BY connector");
        if (chd_run_sql(d, 0, &b, NULL, "storing the state", err) != CH_OK)
            return CH_ERROR;
        d->state_ready = 1;
    }
    snprintf(version, sizeof version, "%llu", (unsigned long long)chd_next_version(d));
    chd_tsv_escape(&data, connector, strlen(connector));
    textbuf_add(&data, "\t");
    chd_tsv_escape(&data, state_json, strlen(state_json));
    textbuf_add(&data, "\t");
    textbuf_add(&data, synced);
    textbuf_add(&data, "\t");
    textbuf_add(&data, version);
    textbuf_add(&data, "\n");
    textbuf_add(&b, "INSERT INTO ");
    chd_qualified(&b, d->db, SQL_STATE_TABLE);
    textbuf_add(&b, " FORMAT TabSeparated");
    rc = b.oom || data.oom ? err_set(err, "out of memory")
                           : chd_run(d, 0, b.s, data.s, data.len, NULL, "storing the state", err);
    free(b.s);
    free(data.s);
    return rc;
}

static int count_rows(dest *base, const table_def *t, long *live, long *deleted, ch_error *err)
{
    chd_dest *d = (chd_dest *)base;
    textbuf q = {0}, answer = {0};
    int exists;
    *live = *deleted = 0;
    if (table_exists(d, t->dest_name, &exists, err) != CH_OK)
        return CH_ERROR;
    if (!exists)
        return CH_OK;
    textbuf_add(&q, "SELECT count(), sum(`" COL_DELETED "`) FROM ");
    chd_data_table(&q, d, t);
    textbuf_add(&q, " FINAL WHERE `" CH_VERSION_COLUMN "` > 0 FORMAT TabSeparated");
    if (chd_run_sql(d, 0, &q, &answer, "counting the rows", err) != CH_OK)
        return CH_ERROR;
    *deleted = strtol(answer.s + strcspn(answer.s, "\t") + (answer.s[strcspn(answer.s, "\t")] != 0),
                      NULL, 10);
    *live = strtol(answer.s, NULL, 10) - *deleted;
    free(answer.s);
    return CH_OK;
}

static void rollback(dest *base)
{
    chd_stage_reset((chd_dest *)base); /* what was written stays: the next sync writes it again */
}

static void close_dest(dest *base)
{
    chd_dest *d = (chd_dest *)base;
    while (d->tables) {
        chd_table *next = d->tables->next;
        d->tables->def->dest = NULL;
        chd_rows_free(&d->tables->pending);
        chd_rows_free(&d->tables->changes);
        chd_rows_free(&d->tables->dry_keys);
        free(d->tables->truncate_at);
        free(d->tables);
        d->tables = next;
    }
    if (d->curl)
        curl_easy_cleanup(d->curl);
    curl_slist_free_all(d->headers);
    for (size_t s = 0; s < d->nservers; s++)
        free(d->servers[s].host);
    if (d->password) /* not left in freed memory */
        memset(d->password, 0, strlen(d->password));
    free(d->password);
    free(d->user);
    free(d->db);
    free(d->cluster);
    dest_base_free(&d->base);
    free(d);
}

static const dest_ops ch_ops = {
    .load_state = load_state,
    .prepare_table = prepare_table,
    .has_table = has_table,
    .add_column = add_column,
    .change_type = change_type,
    .upsert = chd_upsert,
    .update = chd_update,
    .remove = chd_remove,
    .truncate = chd_truncate,
    .commit = commit,
    .rollback = rollback,
    .close = close_dest,
    .flush = chd_flush,
    .count_rows = count_rows,
};

/* ---- the spec and opening ------------------------------------------------------- */

/* Appends the spec with its password (between the user's ':' and the last '@') as "***". */
static void add_redacted(textbuf *b, const char *spec)
{
    const char *auth = strstr(spec, "://"), *at = strrchr(spec, '@'), *colon;
    auth = auth ? auth + 3 : spec;
    if (at && at > auth && (colon = memchr(auth, ':', (size_t)(at - auth))) != NULL) {
        textbuf_addn(b, spec, (size_t)(colon + 1 - spec));
        textbuf_add(b, "***");
        textbuf_add(b, at);
        return;
    }
    textbuf_add(b, spec);
}

static int spec_error(ch_error *err, const char *spec, const char *message)
{
    textbuf b = {0};
    add_redacted(&b, spec);
    err_set(err, "destination '%s': %s (expected clickhouse://USER[:PASSWORD]@HOST[:PORT]/DB)",
            b.oom ? "?" : b.s, message);
    free(b.s);
    return CH_ERROR;
}

/* A copy of n bytes of text with %XX decoded; NULL on a bad escape or out of memory. */
static char *decode(const char *text, size_t n)
{
    char *out = malloc(n + 1);
    size_t o = 0;
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (text[i] == '%') {
            char hex[3] = {0};
            if (i + 2 >= n || !isxdigit((unsigned char)text[i + 1]) ||
                !isxdigit((unsigned char)text[i + 2]))
                return free(out), NULL;
            hex[0] = text[i + 1];
            hex[1] = text[i + 2];
            out[o] = (char)strtol(hex, NULL, 16);
            if (out[o++] == '\0')
                return free(out), NULL;
            i += 2;
        } else {
            out[o++] = text[i];
        }
    }
    out[o] = '\0';
    return out;
}

/* Parses the spec into d (user, password, servers, database, cluster). */
static int parse_spec(const char *spec, chd_dest *d, ch_error *err)
{
    const char *p = spec + strlen("clickhouse://"), *at, *slash, *q;
    if (strncmp(spec, "clickhouse://", 13) != 0)
        return spec_error(err, spec, "it does not start with clickhouse://");
    slash = strchr(p, '/');
    at = strrchr(p, '@');
    if (at && slash && at > slash)
        at = NULL; /* an '@' in the database or parameters */
    if (at == NULL)
        return spec_error(err, spec, "it names no user (USER@HOST)");
    {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        d->user = decode(p, (size_t)((colon ? colon : at) - p));
        d->password = decode(colon ? colon + 1 : at, colon ? (size_t)(at - colon - 1) : 0);
        if (d->user == NULL || d->password == NULL)
            return spec_error(err, spec, "the user or password has a bad percent escape");
        if (*d->user == '\0')
            return spec_error(err, spec, "the user is empty");
    }
    p = at + 1;
    slash = strchr(p, '/');
    if (slash == NULL || slash == p)
        return spec_error(err, spec, "it names no server and database (HOST[:PORT]/DB)");
    while (p < slash) {
        size_t n = strcspn(p, ",/");
        const char *colon = memchr(p, ':', n);
        chd_server *s;
        if (d->nservers == CH_MAX_SERVERS)
            return spec_error(err, spec, "it names more than 8 servers");
        s = &d->servers[d->nservers];
        if ((s->host = strndup(p, colon ? (size_t)(colon - p) : n)) == NULL)
            return err_set(err, "out of memory");
        d->nservers++;
        if (*s->host == '\0')
            return spec_error(err, spec, "a server's host is empty");
        s->port = 8123; /* ClickHouse's HTTP port */
        if (colon) {
            char *end;
            long port = strtol(colon + 1, &end, 10);
            if (end != p + n || port <= 0 || port > 65535)
                return spec_error(err, spec, "a port is not a number from 1 to 65535");
            s->port = (int)port;
        }
        p += n + (p[n] == ',');
    }
    q = strchr(slash + 1, '?');
    d->db = decode(slash + 1, q ? (size_t)(q - slash - 1) : strlen(slash + 1));
    if (d->db == NULL || *d->db == '\0')
        return spec_error(err, spec, "the database is empty or has a bad percent escape");
    while (q && *q) {
        const char *item = q + 1, *end = strchr(item, '&');
        size_t n = end ? (size_t)(end - item) : strlen(item);
        if (strncmp(item, "cluster=", 8) == 0 && n > 8 && d->cluster == NULL) {
            if ((d->cluster = decode(item + 8, n - 8)) == NULL)
                return spec_error(err, spec, "the cluster has a bad percent escape");
        } else if (n > 0) {
            char message[160];
            snprintf(message, sizeof message,
                     "unknown or repeated parameter '%.*s' (the one parameter is cluster=NAME)",
                     (int)(n > 60 ? 60 : n), item);
            return spec_error(err, spec, message);
        }
        q = end;
    }
    if (d->nservers > 1 && d->cluster == NULL)
        return spec_error(err, spec, "several servers are a cluster: name it with ?cluster=NAME");
    return CH_OK;
}

static void free_parsed(chd_dest *d)
{
    for (size_t s = 0; s < d->nservers; s++)
        free(d->servers[s].host);
    free(d->user);
    free(d->password);
    free(d->db);
    free(d->cluster);
}

int dest_clickhouse_module_check(const char *spec, ch_error *err)
{
    chd_dest d = {0};
    int rc = parse_spec(spec, &d, err);
    free_parsed(&d);
    return rc;
}

int dest_clickhouse_module_open(const char *spec, const dest_open_opts *opts, dest **out,
                                ch_error *err)
{
    chd_dest *d = calloc(1, sizeof *d);
    textbuf desc = {0}, answer = {0}, q = {0};
    char port[16];
    if (d == NULL)
        return err_set(err, "out of memory");
    d->base.ops = &ch_ops;
    if (parse_spec(spec, d, err) != CH_OK) {
        close_dest(&d->base);
        return CH_ERROR;
    }
    d->dry_run = opts->dry_run;
    /* the description, without the password: it goes into messages */
    textbuf_add(&desc, "clickhouse://");
    textbuf_add(&desc, d->user);
    textbuf_add(&desc, "@");
    for (size_t s = 0; s < d->nservers; s++) {
        snprintf(port, sizeof port, ":%d", d->servers[s].port);
        textbuf_add(&desc, s ? "," : "");
        textbuf_add(&desc, d->servers[s].host);
        textbuf_add(&desc, port);
    }
    textbuf_add(&desc, "/");
    textbuf_add(&desc, d->db);
    if (d->cluster) {
        textbuf_add(&desc, "?cluster=");
        textbuf_add(&desc, d->cluster);
    }
    d->base.description = desc.s;
    if (desc.oom || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
        (d->curl = curl_easy_init()) == NULL) {
        close_dest(&d->base);
        return err_set(err, "out of memory");
    }
    curl_easy_setopt(d->curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    curl_easy_setopt(d->curl, CURLOPT_USERNAME, d->user);
    curl_easy_setopt(d->curl, CURLOPT_PASSWORD, d->password);
    curl_easy_setopt(d->curl, CURLOPT_ERRORBUFFER, d->errbuf);
    curl_easy_setopt(d->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(d->curl, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(d->curl, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(d->curl, CURLOPT_PROTOCOLS_STR, "http");
    /* no "Expect: 100-continue" before a large insert: it would wait for the server's go */
    if ((d->headers = curl_slist_append(NULL, "Expect:")) == NULL) {
        close_dest(&d->base);
        return err_set(err, "out of memory");
    }
    curl_easy_setopt(d->curl, CURLOPT_HTTPHEADER, d->headers);
    /* the server's version decides the dialect; every server must answer */
    for (size_t s = 0; s < d->nservers; s++) {
        textbuf_add(&q, "SELECT version()");
        if (chd_run_sql(d, s, &q, &answer, "connecting", err) != CH_OK) {
            free(answer.s);
            close_dest(&d->base);
            return CH_ERROR;
        }
        if (s == 0)
            d->dialect = chd_dialect_of(answer.s);
    }
    free(answer.s);
    if (d->cluster) {
        unsigned long long shards;
        textbuf_add(&q, "SELECT count() FROM system.clusters WHERE cluster = ");
        chd_string(&q, d->cluster);
        if (query_number(d, &q, &shards, "looking up the cluster", err) != CH_OK) {
            close_dest(&d->base);
            return CH_ERROR;
        }
        if (shards == 0) {
            err_set(err,
                    "the ClickHouse server at %s:%d has no cluster '%s' in its remote_servers "
                    "configuration",
                    d->servers[0].host, d->servers[0].port, d->cluster);
            close_dest(&d->base);
            return CH_ERROR;
        }
    }
    *out = &d->base;
    return CH_OK;
}

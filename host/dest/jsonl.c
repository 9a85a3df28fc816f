/*
 * jsonl.c - the operation stream as JSON lines, for golden tests of a
 * connector. Each validated operation becomes one line in a stable format
 * (docs/jsonl.md). There is no warehouse: the state is the working
 * directory's (sync/state_policy.h), and every run writes a fresh stream. A rollback
 * cuts a regular file back to the last checkpoint; a pipe cannot be cut, so
 * it gets a {"op":"rollback"} line instead.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dest.h"
#include "base/json.h"

typedef struct jsonl_dest {
    dest base;
    FILE *out;
    const char *name;   /* the file, or "standard output", for messages */
    int owned;          /* fclose on close: not stdout */
    int seekable;       /* a regular file, which a rollback can cut */
    off_t committed;    /* where the file ended at the last commit */
    int pending;        /* lines written since the last commit */
    yajl_gen g;         /* the line */
    yajl_gen inner;     /* a JSON column's text */
    char *const *masks; /* dest_open_opts.masks: values written as MASKED */
    size_t nmasks;
} jsonl_dest;

/* What a masked value is written as: a string, whatever the type, so that it never varies. */
#define MASKED "<masked>"

static int io_fail(jsonl_dest *d, ch_error *err, const char *what)
{
    return err_set(err, "jsonl destination %s: %s: %s", d->name, what, strerror(errno));
}

/* Writes the line the generator holds and makes the generator ready for the next. */
static int emit(jsonl_dest *d, ch_error *err)
{
    const unsigned char *buf;
    size_t len;
    int ok = yajl_gen_map_close(d->g) == yajl_gen_status_ok &&
             yajl_gen_get_buf(d->g, &buf, &len) == yajl_gen_status_ok;
    if (!ok) {
        yajl_gen_clear(d->g);
        yajl_gen_reset(d->g, NULL);
        return err_set(err, "jsonl destination %s: cannot encode the line", d->name);
    }
    errno = 0;
    ok = fwrite(buf, 1, len, d->out) == len && putc('\n', d->out) != EOF;
    yajl_gen_clear(d->g);
    yajl_gen_reset(d->g, NULL);
    if (!ok)
        return io_fail(d, err, "cannot write");
    d->pending = 1;
    return CH_OK;
}

static void key(jsonl_dest *d, const char *k)
{
    yajl_gen_string(d->g, (const unsigned char *)k, strlen(k));
}

static void pair(jsonl_dest *d, const char *k, const char *v)
{
    key(d, k);
    json_gen_cstring(d->g, v);
}

/* Opens a line: {"op":OP,"table":T */
static void begin(jsonl_dest *d, const char *op, const table_def *t)
{
    yajl_gen_map_open(d->g);
    pair(d, "op", op);
    if (t)
        pair(d, "table", t->dest_name);
}

static void gen_type(jsonl_dest *d, type_spec ts)
{
    char buf[32];
    if (ts.type == T_NONE)
        yajl_gen_null(d->g); /* an undeclared column that has seen only NULLs */
    else
        json_gen_cstring(d->g, type_format(ts.type, ts.precision, ts.scale, buf, sizeof buf));
}

/* The shortest text that reads back as the number: 0.1, not 0.10000000000000001. */
static void gen_real(jsonl_dest *d, double v, int is_float)
{
    char text[40];
    if (isnan(v) || isinf(v)) {
        json_gen_cstring(d->g, isnan(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
        return;
    }
    for (int p = 1; p <= 17; p++) {
        snprintf(text, sizeof text, "%.*g", p, v);
        if (is_float ? strtof(text, NULL) == (float)v : strtod(text, NULL) == v)
            break;
    }
    yajl_gen_number(d->g, text, strlen(text));
}

static int gen_base64(jsonl_dest *d, const unsigned char *s, size_t len)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *out = malloc((len + 2) / 3 * 4 + 1), *o = out;
    if (out == NULL)
        return CH_ERROR;
    for (size_t i = 0; i < len; i += 3) {
        unsigned long n = (unsigned long)s[i] << 16;
        if (i + 1 < len)
            n |= (unsigned long)s[i + 1] << 8;
        if (i + 2 < len)
            n |= s[i + 2];
        *o++ = alphabet[n >> 18 & 63];
        *o++ = alphabet[n >> 12 & 63];
        *o++ = i + 1 < len ? alphabet[n >> 6 & 63] : '=';
        *o++ = i + 2 < len ? alphabet[n & 63] : '=';
    }
    yajl_gen_string(d->g, (const unsigned char *)out, (size_t)(o - out));
    free(out);
    return CH_OK;
}

/* Parses JSON text and writes it through gen: compact, so that it stays on one line. */
static int regenerate(yajl_gen gen, const char *text, size_t len, const char *where, ch_error *err)
{
    yajl_val tree;
    int rc;
    if (json_parse_tree(text, len, where, &tree, err) != CH_OK)
        return CH_ERROR;
    rc = json_gen_tree(gen, tree);
    yajl_tree_free(tree);
    return rc == CH_OK ? CH_OK : err_set(err, "%s: cannot encode", where);
}

/*
 * A JSON column's value as a string holding its compact text: embedded as
 * itself, the JSON value null could not be told from SQL NULL.
 */
static int gen_json_column(jsonl_dest *d, const char *text, size_t len, ch_error *err)
{
    const unsigned char *buf;
    size_t n;
    int rc = regenerate(d->inner, text, len, "JSON value", err);
    if (rc == CH_OK && yajl_gen_get_buf(d->inner, &buf, &n) == yajl_gen_status_ok)
        yajl_gen_string(d->g, buf, n);
    yajl_gen_clear(d->inner);
    yajl_gen_reset(d->inner, NULL);
    return rc;
}

static int gen_value(jsonl_dest *d, const value *v, ch_error *err)
{
    switch (v->type) {
    case T_NONE:
        yajl_gen_null(d->g);
        return CH_OK;
    case T_BOOLEAN:
        yajl_gen_bool(d->g, v->i != 0);
        return CH_OK;
    case T_SHORT:
    case T_INT:
    case T_LONG:
        yajl_gen_integer(d->g, (long long)v->i);
        return CH_OK;
    case T_FLOAT:
    case T_DOUBLE:
        gen_real(d, v->d, v->type == T_FLOAT);
        return CH_OK;
    case T_BINARY:
        return gen_base64(d, (const unsigned char *)v->ptr, v->len) == CH_OK
                   ? CH_OK
                   : err_set(err, "out of memory");
    case T_JSON:
        return gen_json_column(d, v->ptr, v->len, err);
    default: /* DECIMAL as text keeps every digit; dates and times are ISO text */
        yajl_gen_string(d->g, (const unsigned char *)v->ptr, v->len);
        return CH_OK;
    }
}

/*
 * True when --mask names the field: a column (table t) or, with t NULL, a
 * key of the state. NAME names it in every table and in the state;
 * TABLE.COLUMN one table's column.
 */
static int masked(const jsonl_dest *d, const table_def *t, const char *field)
{
    size_t tlen = t ? strlen(t->dest_name) : 0;
    for (size_t i = 0; i < d->nmasks; i++) {
        const char *m = d->masks[i];
        if (strcmp(m, field) == 0 || (t && strncmp(m, t->dest_name, tlen) == 0 && m[tlen] == '.' &&
                                      strcmp(m + tlen + 1, field) == 0))
            return 1;
    }
    return 0;
}

/* "NAME": the values of the columns `present` selects (every column when NULL). */
static int gen_values(jsonl_dest *d, const char *name, const table_def *t, const value *vals,
                      const unsigned char *present, int keys_only, ch_error *err)
{
    key(d, name);
    yajl_gen_map_open(d->g);
    for (size_t c = 0; c < t->ncols; c++) {
        if ((present && !present[c]) || (keys_only && !table_is_key(t, c)))
            continue;
        key(d, t->cols[c].dest_name);
        /* a NULL stays null: whether a value came is what a test can still check */
        if (vals[c].type != T_NONE && masked(d, t, t->cols[c].dest_name)) {
            json_gen_cstring(d->g, MASKED);
            continue;
        }
        if (gen_value(d, &vals[c], err) != CH_OK) {
            err_prefix(err, "column '%s'", t->cols[c].name);
            yajl_gen_clear(d->g);
            yajl_gen_reset(d->g, NULL);
            return CH_ERROR;
        }
    }
    yajl_gen_map_close(d->g);
    return CH_OK;
}

static int prepare_table(dest *base, table_def *t, int *schema_changes, ch_error *err)
{
    jsonl_dest *d = (jsonl_dest *)base;
    begin(d, "table", t);
    key(d, "columns");
    yajl_gen_array_open(d->g);
    for (size_t c = 0; c < t->ncols; c++) {
        type_spec ts = {t->cols[c].type, t->cols[c].precision, t->cols[c].scale};
        yajl_gen_map_open(d->g);
        pair(d, "name", t->cols[c].dest_name);
        key(d, "type");
        gen_type(d, ts);
        if (table_is_key(t, c)) {
            key(d, "key");
            yajl_gen_bool(d->g, 1);
        }
        yajl_gen_map_close(d->g);
    }
    yajl_gen_array_close(d->g);
    *schema_changes = 1; /* every stream starts empty, so each table is new to it */
    return emit(d, err);
}

static int add_column(dest *base, table_def *t, size_t col, ch_error *err)
{
    jsonl_dest *d = (jsonl_dest *)base;
    type_spec ts = {t->cols[col].type, t->cols[col].precision, t->cols[col].scale};
    begin(d, "add_column", t);
    pair(d, "column", t->cols[col].dest_name);
    key(d, "type");
    gen_type(d, ts);
    return emit(d, err);
}

static int change_type(dest *base, table_def *t, size_t col, type_spec from, type_spec to,
                       int *lossy, ch_error *err)
{
    jsonl_dest *d = (jsonl_dest *)base;
    *lossy = 0; /* no stored values to convert */
    begin(d, "change_type", t);
    pair(d, "column", t->cols[col].dest_name);
    key(d, "from");
    gen_type(d, from);
    key(d, "to");
    gen_type(d, to);
    return emit(d, err);
}

static int upsert(dest *base, table_def *t, const value *vals, const char *id, const char *synced,
                  ch_error *err)
{
    jsonl_dest *d = (jsonl_dest *)base;
    begin(d, "upsert", t);
    if (gen_values(d, "data", t, vals, NULL, 0, err) != CH_OK)
        return CH_ERROR;
    return emit(d, err);
}

static int update(dest *base, table_def *t, const value *vals, const unsigned char *present,
                  const char *synced, long op, int *found, ch_error *err)
{
    (void)op; /* every key is found: no report names it */
    jsonl_dest *d = (jsonl_dest *)base;
    *found = 1; /* unknowable without a warehouse */
    begin(d, "update", t);
    if (gen_values(d, "data", t, vals, present, 0, err) != CH_OK)
        return CH_ERROR;
    return emit(d, err);
}

static int remove_row(dest *base, table_def *t, const value *vals, const char *synced, long op,
                      int *found, ch_error *err)
{
    (void)op; /* every key is found: no report names it */
    jsonl_dest *d = (jsonl_dest *)base;
    *found = 1;
    begin(d, "delete", t);
    if (gen_values(d, "keys", t, vals, NULL, 1, err) != CH_OK)
        return CH_ERROR;
    return emit(d, err);
}

static int truncate_table(dest *base, table_def *t, const char *synced, long *rows, ch_error *err)
{
    jsonl_dest *d = (jsonl_dest *)base;
    *rows = 0;
    begin(d, "truncate", t);
    return emit(d, err);
}

/* The state object, with the values of the keys --mask names written masked. */
static int gen_state(jsonl_dest *d, const char *json, ch_error *err)
{
    yajl_val tree;
    int rc = CH_OK;
    if (d->nmasks == 0)
        return regenerate(d->g, json, strlen(json), "state", err);
    if (json_parse_tree(json, strlen(json), "state", &tree, err) != CH_OK)
        return CH_ERROR;
    if (!YAJL_IS_OBJECT(tree)) {
        rc = json_gen_tree(d->g, tree); /* never: a state is an object */
    } else {
        yajl_gen_map_open(d->g);
        for (size_t i = 0; rc == CH_OK && i < tree->u.object.len; i++) {
            const yajl_val v = tree->u.object.values[i];
            key(d, tree->u.object.keys[i]);
            if (!YAJL_IS_NULL(v) && masked(d, NULL, tree->u.object.keys[i]))
                json_gen_cstring(d->g, MASKED);
            else
                rc = json_gen_tree(d->g, v);
        }
        yajl_gen_map_close(d->g);
    }
    yajl_tree_free(tree);
    return rc == CH_OK ? CH_OK : err_set(err, "state: cannot encode");
}

static int commit(dest *base, const char *connector, const char *state_json, const char *synced,
                  ch_error *err)
{
    jsonl_dest *d = (jsonl_dest *)base;
    begin(d, "checkpoint", NULL);
    key(d, "state");
    if (gen_state(d, state_json, err) != CH_OK || emit(d, err) != CH_OK)
        return CH_ERROR;
    if (fflush(d->out) != 0)
        return io_fail(d, err, "cannot write");
    /* the checkpoint must be on disk before a state file says it happened */
    if (d->seekable && fsync(fileno(d->out)) != 0)
        return io_fail(d, err, "cannot sync");
    if (d->seekable && (d->committed = ftello(d->out)) < 0)
        return io_fail(d, err, "cannot tell the file position");
    d->pending = 0;
    return CH_OK;
}

static void rollback(dest *base)
{
    jsonl_dest *d = (jsonl_dest *)base;
    ch_error ignored;
    if (!d->pending)
        return;
    fflush(d->out);
    if (d->seekable && ftruncate(fileno(d->out), d->committed) == 0 &&
        fseeko(d->out, d->committed, SEEK_SET) == 0) {
        d->pending = 0;
        return;
    }
    begin(d, "rollback", NULL);
    emit(d, &ignored);
    fflush(d->out);
    d->pending = 0;
}

static void close_dest(dest *base)
{
    jsonl_dest *d = (jsonl_dest *)base;
    rollback(base);
    if (d->owned)
        fclose(d->out);
    else
        fflush(d->out);
    yajl_gen_free(d->g);
    yajl_gen_free(d->inner);
    dest_base_free(&d->base);
    free(d);
}

/* No load_state: the state is the working directory's (sync/state_policy.h). */
static const dest_ops jsonl_ops = {
    .prepare_table = prepare_table,
    .add_column = add_column,
    .change_type = change_type,
    .upsert = upsert,
    .update = update,
    .remove = remove_row,
    .truncate = truncate_table,
    .commit = commit,
    .rollback = rollback,
    .close = close_dest,
};

static int open_jsonl(const char *path, const dest_open_opts *opts, dest **out, ch_error *err)
{
    jsonl_dest *d = calloc(1, sizeof *d);
    size_t len = strlen(path) + 8;
    struct stat st;
    if (d == NULL || (d->base.description = malloc(len)) == NULL ||
        (d->g = yajl_gen_alloc(NULL)) == NULL || (d->inner = yajl_gen_alloc(NULL)) == NULL) {
        if (d) {
            dest_base_free(&d->base);
            if (d->g)
                yajl_gen_free(d->g);
        }
        free(d);
        return err_set(err, "out of memory");
    }
    snprintf(d->base.description, len, "jsonl:%s", path);
    d->base.ops = &jsonl_ops;
    d->masks = opts->masks;
    d->nmasks = opts->nmasks;
    if (strcmp(path, "-") == 0) {
        d->out = stdout;
        d->name = "standard output";
    } else if ((d->out = fopen(path, "w")) != NULL) {
        d->name = d->base.description + 6; /* the path, alive as long as the destination */
        d->owned = 1;
    } else {
        err_set(err, "cannot open jsonl destination %s: %s", path, strerror(errno));
        yajl_gen_free(d->g);
        yajl_gen_free(d->inner);
        dest_base_free(&d->base);
        free(d);
        return CH_ERROR;
    }
    /* a file appended to (>>) keeps what came before: it is never cut, only marked */
    d->seekable = fstat(fileno(d->out), &st) == 0 && S_ISREG(st.st_mode) &&
                  !(fcntl(fileno(d->out), F_GETFL) & O_APPEND);
    if (d->seekable)
        d->committed = ftello(d->out);
    *out = &d->base;
    return CH_OK;
}

/* The spec is SCHEME followed by the path. */
#define SCHEME "jsonl:"

static int check(const char *spec, ch_error *err)
{
    if (spec[sizeof SCHEME - 1] == '\0')
        return err_set(err,
                       "destination '%s': the jsonl destination needs a file path, or - for "
                       "standard output",
                       spec);
    return CH_OK;
}

static int open_spec(const char *spec, const dest_open_opts *opts, dest **out, ch_error *err)
{
    /* a stream commits nothing: a dry run is refused before it opens */
    return open_jsonl(spec + sizeof SCHEME - 1, opts, out, err);
}

/* jsonl:- owns standard output, even before the destination is open. */
static int uses_stdout(const char *spec)
{
    return strcmp(spec + sizeof SCHEME - 1, "-") == 0;
}

const dest_kind dest_kind_jsonl = {
    .name = "jsonl",
    .schemes = {SCHEME, NULL},
    .usage = "jsonl:PATH",
    .help = "                        jsonl:PATH, the operation stream as JSON lines (jsonl:-\n"
            "                        for standard output; the summary then goes to standard\n"
            "                        error); it starts from the working directory's\n"
            "                        state, and advances it only where no warehouse\n"
            "                        keeps it (files/state/NAME.store says jsonl)\n",
    .flags = DEST_STREAM | DEST_MASKS,
    .check = check,
    .open = open_spec,
    .uses_stdout = uses_stdout,
};

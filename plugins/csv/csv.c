/*
 * csv.c - the csv demo connector: syncs one CSV file named in the configuration into one
 * table, every value a STRING. Incremental either by file position (rows appended since
 * the last sync) or by a cursor column (rows whose cursor is at least the largest seen).
 * The RFC 4180 parsing is csv_reader.c's; this file decides what lands and what state
 * is kept. See plugins/csv/README.md for the choices and why.
 */
#include <connector-host.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csv_compare.h"
#include "csv_reader.h"

#define DEFAULT_CHECKPOINT_ROWS 1000
/* Bytes before the synced position whose hash must still match: a file rewritten with
   other content of the same or greater length is noticed without reading it all. */
#define TAIL_BYTES 64
#define ERR_SIZE   768

static const ch_config_key csv_keys[] = {
    {"file", "path of the CSV file to sync", 1},
    {"primary_key",
     "comma-separated header columns forming the primary key (default: none, rows are keyed "
     "by _fivetran_id, a hash of their values)",
     0},
    {"table", "destination table (default: the file's base name without its extension)", 0},
    {"cursor",
     "a header column whose values grow: each sync upserts the rows whose value is at least "
     "the largest seen before (default: sync the rows appended since the last sync)",
     0},
    {"checkpoint_rows", "rows between checkpoints (default 1000)", 0},
    {NULL, NULL, 0},
};

/* The header row: column names and where the data starts. */
typedef struct header {
    char **names;
    size_t n;
    uint64_t end;            /* byte offset of the first data row */
    unsigned long next_line; /* its line */
    int terminated;          /* a line end follows it (else the file is the header, so far) */
    char hash[17];           /* of the names: a changed header means a different file */
} header;

/* The configuration, checked against the header. */
typedef struct settings {
    const char *file;
    char *table;
    size_t *key; /* header indexes of the primary key columns */
    size_t nkey;
    int by_cursor; /* the configuration names a cursor column */
    long cursor;   /* its header index, or -1 */
    unsigned long every;
} settings;

/* ---- small helpers ------------------------------------------------------ */

/* FNV-1a, 64 bits: a fingerprint, not a defence against anyone. */
static uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

#define FNV_START 14695981039346656037ULL

static void hex64(uint64_t h, char out[17])
{
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* Parses a whole decimal number; -1 when the text is not one. */
static int parse_u64(const char *text, uint64_t *out)
{
    char *end;
    if (text == NULL || *text < '0' || *text > '9')
        return -1;
    errno = 0;
    *out = strtoull(text, &end, 10);
    return errno == 0 && *end == '\0' ? 0 : -1;
}

/* The file's base name without its extension: "data/orders.csv" gives "orders". */
static char *default_table(const char *file)
{
    const char *base = strrchr(file, '/');
    const char *dot;
    base = base ? base + 1 : file;
    dot = strrchr(base, '.');
    if (dot == NULL || dot == base)
        return strdup(base);
    return strndup(base, (size_t)(dot - base));
}

static void header_free(header *h)
{
    for (size_t i = 0; i < h->n; i++)
        free(h->names[i]);
    free(h->names);
    memset(h, 0, sizeof *h);
}

static void settings_free(settings *s)
{
    free(s->table);
    free(s->key);
    memset(s, 0, sizeof *s);
}

/* ---- header and configuration ------------------------------------------- */

/*
 * Reads the header row with `r`: 1 when read, 0 when the file has no rows at all, -1 on
 * error (err says why, with the position). Empty and duplicate names are refused here,
 * where their position is known.
 */
static int header_read(csv_reader *r, const char *file, header *h, char *err)
{
    csv_record rec;
    uint64_t hash = FNV_START;
    int got = csv_reader_next(r, &rec);
    memset(h, 0, sizeof *h);
    if (got == CSV_EOF)
        return 0;
    if (got == CSV_ERROR) {
        snprintf(err, ERR_SIZE, "%s", csv_reader_error(r)->message);
        return -1;
    }
    if ((h->names = calloc(rec.nfields, sizeof *h->names)) == NULL)
        return snprintf(err, ERR_SIZE, "out of memory"), -1;
    for (size_t i = 0; i < rec.nfields; i++) {
        const csv_field *f = &rec.fields[i];
        if (f->len == 0) {
            snprintf(err, ERR_SIZE, "%s:%lu:%lu: header column %zu has no name", file, f->line,
                     f->column, i + 1);
            return header_free(h), -1;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(h->names[j], f->text) == 0) {
                snprintf(err, ERR_SIZE, "%s:%lu:%lu: header column '%s' appears twice", file,
                         f->line, f->column, f->text);
                return header_free(h), -1;
            }
        if ((h->names[i] = strdup(f->text)) == NULL)
            return header_free(h), snprintf(err, ERR_SIZE, "out of memory"), -1;
        h->n = i + 1;
        hash = fnv1a(hash, f->text, f->len + 1);
    }
    h->end = rec.end;
    h->terminated = rec.terminated;
    h->next_line = rec.next_line;
    hex64(hash, h->hash);
    return 1;
}

static long column_index(const header *h, const char *name)
{
    for (size_t i = 0; i < h->n; i++)
        if (strcmp(h->names[i], name) == 0)
            return (long)i;
    return -1;
}

#define KEY_NAME_MAX 256

/*
 * The next column name of a primary_key value ("a, b"), spaces around it dropped: 1 and the
 * name, 0 at the end, -1 for an empty or overlong name ("a,,b", "a,"). *text is NULL after
 * the last; an empty value should be passed as NULL.
 */
static int next_key_name(const char **text, char name[KEY_NAME_MAX])
{
    const char *t = *text, *end;
    size_t len;
    if (t == NULL)
        return 0;
    end = strchr(t, ',');
    len = end ? (size_t)(end - t) : strlen(t);
    *text = end ? end + 1 : NULL;
    while (len > 0 && (*t == ' ' || *t == '\t'))
        t++, len--;
    while (len > 0 && (t[len - 1] == ' ' || t[len - 1] == '\t'))
        len--;
    if (len == 0 || len >= KEY_NAME_MAX)
        return -1;
    memcpy(name, t, len);
    name[len] = '\0';
    return 1;
}

/* Reads the configuration against the header; fails naming the key and the columns. */
static int settings_load(settings *s, const ch_config *config, const header *h, char *err)
{
    const char *key = ch_config_get(config, "primary_key");
    const char *cursor = ch_config_get(config, "cursor");
    const char *table = ch_config_get(config, "table");
    const char *every = ch_config_get(config, "checkpoint_rows");
    uint64_t n;
    memset(s, 0, sizeof *s);
    s->file = ch_config_get(config, "file");
    s->cursor = -1;
    s->by_cursor = cursor && *cursor;
    if (key && *key == '\0')
        key = NULL;
    s->every = DEFAULT_CHECKPOINT_ROWS;
    s->table = table && *table ? strdup(table) : default_table(s->file);
    if (s->table == NULL)
        return snprintf(err, ERR_SIZE, "out of memory"), -1;
    if (every) {
        if (parse_u64(every, &n) != 0 || n == 0 || n > 100000000) {
            snprintf(err, ERR_SIZE,
                     "configuration key 'checkpoint_rows' must be a whole number from 1 to "
                     "100000000");
            return settings_free(s), -1;
        }
        s->every = (unsigned long)n;
    }
    if (h == NULL)
        return 0;
    if (cursor && *cursor && (s->cursor = column_index(h, cursor)) < 0) {
        snprintf(err, ERR_SIZE,
                 "configuration key 'cursor' names column '%s', which is not in the header of %s",
                 cursor, s->file);
        return settings_free(s), -1;
    }
    for (;;) {
        char name[KEY_NAME_MAX];
        size_t *grown;
        long at;
        int got = next_key_name(&key, name);
        if (got == 0)
            break;
        if (got < 0) {
            snprintf(err, ERR_SIZE,
                     "configuration key 'primary_key' has an empty or overlong column name: "
                     "give header columns separated by commas");
            return settings_free(s), -1;
        }
        if ((at = column_index(h, name)) < 0) {
            snprintf(err, ERR_SIZE,
                     "configuration key 'primary_key' names column '%s', which is not in the "
                     "header of %s",
                     name, s->file);
            return settings_free(s), -1;
        }
        for (size_t i = 0; i < s->nkey; i++)
            if (s->key[i] == (size_t)at) {
                snprintf(err, ERR_SIZE, "configuration key 'primary_key' names column '%s' twice",
                         name);
                return settings_free(s), -1;
            }
        if ((grown = realloc(s->key, (s->nkey + 1) * sizeof *s->key)) == NULL)
            return settings_free(s), snprintf(err, ERR_SIZE, "out of memory"), -1;
        s->key = grown;
        s->key[s->nkey++] = (size_t)at;
    }
    return 0;
}

/* ---- schema ----------------------------------------------------------------- */

/*
 * Declares the table from the header: every column STRING, the key from the configuration.
 * A file that cannot be read (or is empty), or a configuration that does not fit it,
 * declares only the table and its configured key: the schema handler cannot say why, so
 * the update handler fails with the reason and its position before anything is written.
 */
static int csv_schema(ch_schema *schema, const ch_config *config)
{
    const char *file = ch_config_get(config, "file");
    char err[ERR_SIZE];
    settings s;
    header h;
    csv_reader *r;
    ch_table *t;
    FILE *in;
    int got;
    if (file == NULL || settings_load(&s, config, NULL, err) != 0)
        return CH_OK; /* `schema` without a configuration: nothing to declare yet */
    t = ch_schema_table(schema, s.table);
    settings_free(&s);
    if (t == NULL)
        return CH_OK;
    got = -1;
    if ((in = fopen(file, "rb")) != NULL) {
        r = csv_reader_new(in, file);
        got = r ? header_read(r, file, &h, err) : -1;
        csv_reader_free(r);
        fclose(in);
    }
    if (got == 1 && settings_load(&s, config, &h, err) == 0) {
        for (size_t i = 0; i < s.nkey; i++)
            ch_table_primary_key(t, h.names[s.key[i]]);
        for (size_t i = 0; i < h.n; i++)
            ch_table_column(t, h.names[i], "STRING");
        settings_free(&s);
    } else {
        /* The key alone, as configured, so that the warehouse table still matches it. */
        const char *key = ch_config_get(config, "primary_key");
        char name[KEY_NAME_MAX];
        if (key && *key == '\0')
            key = NULL;
        while (next_key_name(&key, name) > 0)
            ch_table_primary_key(t, name);
    }
    if (got == 1)
        header_free(&h);
    return CH_OK;
}

/* ---- one sync ----------------------------------------------------------------- */

typedef struct run {
    ch_sync *sync;
    const settings *s;
    const header *h;
    FILE *in;
    int cursor_mode;
    char *threshold; /* cursor mode: rows at or above it are synced; NULL syncs every row */
    char *max;       /* cursor mode: the largest cursor seen in this pass */
    uint64_t offset; /* after the last row that is safe to resume after */
    unsigned long line;
    unsigned long pending; /* rows upserted since the last checkpoint */
    unsigned long rows;    /* rows upserted in this sync */
} run;

/* Hash of up to TAIL_BYTES bytes before `offset` (but after the header). */
static int tail_hash(run *w, uint64_t offset, char out[17])
{
    unsigned char buf[TAIL_BYTES];
    uint64_t from = offset - w->h->end > TAIL_BYTES ? offset - TAIL_BYTES : w->h->end;
    size_t want = (size_t)(offset - from);
    ssize_t got = want ? pread(fileno(w->in), buf, want, (off_t)from) : 0;
    if (got < 0)
        return ch_fail(w->sync, "%s: cannot read: %s", w->s->file, strerror(errno));
    if ((size_t)got != want)
        return hex64(0, out), CH_OK; /* the file shrank under us: will not match */
    hex64(fnv1a(FNV_START, buf, want), out);
    return CH_OK;
}

/*
 * Replaces the state with where this sync stands. `final`: the whole file was read, so
 * cursor mode keeps only the new threshold; otherwise the position to resume from.
 */
static int state_save(run *w, int final)
{
    char num[32], tail[17];
    ch_sync *sync = w->sync;
    const char *cursor = w->threshold;
    if (final && w->max && (cursor == NULL || csv_compare(w->max, cursor) > 0))
        cursor = w->max; /* the cursor never moves back, even if the file was rewritten */
    if (ch_state_set_json(sync, "{}") != CH_OK ||
        ch_state_set(sync, "mode", w->cursor_mode ? "cursor" : "position") != CH_OK ||
        ch_state_set(sync, "header", w->h->hash) != CH_OK)
        return CH_ERROR;
    if (w->cursor_mode) {
        if (ch_state_set(sync, "cursor_column", w->h->names[w->s->cursor]) != CH_OK ||
            (cursor && ch_state_set(sync, "cursor", cursor) != CH_OK) ||
            (!final && w->max && ch_state_set(sync, "max", w->max) != CH_OK))
            return CH_ERROR;
        if (final)
            return CH_OK;
    }
    if (!w->h->terminated)
        return CH_OK; /* the header may still grow: no position past it yet */
    if (tail_hash(w, w->offset, tail) != CH_OK)
        return CH_ERROR;
    snprintf(num, sizeof num, "%llu", (unsigned long long)w->offset);
    if (ch_state_set(sync, "offset", num) != CH_OK || ch_state_set(sync, "tail", tail) != CH_OK)
        return CH_ERROR;
    snprintf(num, sizeof num, "%lu", w->line);
    return ch_state_set(sync, "line", num);
}

static int set_text(char **slot, const char *text)
{
    char *copy = strdup(text);
    if (copy == NULL)
        return CH_ERROR;
    free(*slot);
    *slot = copy;
    return CH_OK;
}

/*
 * Decides where this sync starts from the stored state: the offset and line to read from,
 * and in cursor mode the threshold. Starts over, saying why, when the state is for another
 * file, header or mode; a file that changed under a position truncates the table first,
 * since its old rows are gone from the source.
 */
static int plan_start(run *w, uint64_t size)
{
    ch_sync *sync = w->sync;
    const char *file = w->s->file;
    const char *mode = ch_state_get(sync, "mode");
    const char *hash = ch_state_get(sync, "header");
    const char *want_mode = w->cursor_mode ? "cursor" : "position";
    const char *column = ch_state_get(sync, "cursor_column");
    const char *text;
    uint64_t offset, line;
    char tail[17];
    w->offset = w->h->end;
    w->line = w->h->next_line;
    if (mode == NULL || hash == NULL) {
        ch_log_info(sync, "%s: first sync, reading every row", file);
        return CH_OK;
    }
    if (strcmp(hash, w->h->hash) != 0) {
        ch_log_warning(sync,
                       "%s: the header changed since the last sync: the file was "
                       "replaced; truncating table '%s' and reading every row",
                       file, w->s->table);
        return ch_truncate(sync, w->s->table);
    }
    if (strcmp(mode, want_mode) != 0 ||
        (w->cursor_mode && (column == NULL || strcmp(column, w->h->names[w->s->cursor]) != 0))) {
        ch_log_info(sync,
                    "%s: the last sync was incremental by %s '%s', the configuration now "
                    "asks for %s '%s': reading every row",
                    file, column ? "cursor column" : "file", column ? column : "position",
                    w->cursor_mode ? "cursor column" : "file",
                    w->cursor_mode ? w->h->names[w->s->cursor] : "position");
        return CH_OK;
    }
    if (w->cursor_mode) {
        if ((text = ch_state_get(sync, "cursor")) && set_text(&w->threshold, text) != CH_OK)
            return ch_fail(sync, "out of memory");
        if ((text = ch_state_get(sync, "max")) && set_text(&w->max, text) != CH_OK)
            return ch_fail(sync, "out of memory");
    }
    text = ch_state_get(sync, "offset");
    if (text == NULL && w->cursor_mode) { /* after a whole pass: every row, by cursor */
        ch_log_info(sync, "%s: syncing rows whose %s is at least '%s'", file,
                    w->h->names[w->s->cursor], w->threshold ? w->threshold : "");
        return CH_OK;
    }
    if (text == NULL) { /* the file was a header without a line end */
        ch_log_info(sync, "%s: no rows synced yet, reading every row", file);
        return CH_OK;
    }
    if (parse_u64(text, &offset) != 0 || parse_u64(ch_state_get(sync, "line"), &line) != 0 ||
        offset < w->h->end || line < w->h->next_line) {
        ch_log_warning(sync, "%s: the stored position is damaged: reading every row", file);
        return w->cursor_mode ? CH_OK : ch_truncate(sync, w->s->table);
    }
    if (offset > size) {
        ch_log_warning(sync,
                       "%s: the file is shorter (%llu bytes) than the synced position "
                       "(%llu): it was truncated or replaced; %sreading every row",
                       file, (unsigned long long)size, (unsigned long long)offset,
                       w->cursor_mode ? "" : "truncating the table and ");
        return w->cursor_mode ? CH_OK : ch_truncate(sync, w->s->table);
    }
    if (tail_hash(w, offset, tail) != CH_OK)
        return CH_ERROR;
    text = ch_state_get(sync, "tail");
    if (text == NULL || strcmp(text, tail) != 0) {
        ch_log_warning(sync,
                       "%s: the rows before the synced position (byte %llu) changed: the "
                       "file was replaced; %sreading every row",
                       file, (unsigned long long)offset,
                       w->cursor_mode ? "" : "truncating the table and ");
        return w->cursor_mode ? CH_OK : ch_truncate(sync, w->s->table);
    }
    w->offset = offset;
    w->line = (unsigned long)line;
    ch_log_info(sync, "%s: resuming at line %lu (byte %llu)", file, w->line,
                (unsigned long long)offset);
    return CH_OK;
}

/* Fills the row from a record: an empty unquoted field is NULL, "" is the empty string. */
static int fill_row(run *w, ch_row *row, const csv_record *rec)
{
    ch_row_clear(row);
    for (size_t i = 0; i < rec->nfields; i++) {
        const csv_field *f = &rec->fields[i];
        if (f->quoted || f->len > 0) {
            if (ch_row_set_string(row, w->h->names[i], f->text) != CH_OK)
                return ch_fail(w->sync, "%s:%lu:%lu: column '%s': value refused", w->s->file,
                               f->line, f->column, w->h->names[i]);
            continue;
        }
        for (size_t k = 0; k < w->s->nkey; k++)
            if (w->s->key[k] == i)
                return ch_fail(w->sync,
                               "%s:%lu:%lu: primary key column '%s' is empty (write \"\" for "
                               "an empty string)",
                               w->s->file, f->line, f->column, w->h->names[i]);
        ch_row_set_null(row, w->h->names[i]);
    }
    return CH_OK;
}

/* Cursor mode: whether the row is synced, tracking the largest cursor seen. */
static int wanted(run *w, const csv_record *rec, int *yes)
{
    const char *value = rec->fields[w->s->cursor].text;
    *yes = w->threshold == NULL || csv_compare(value, w->threshold) >= 0;
    if ((w->max == NULL || csv_compare(value, w->max) > 0) && set_text(&w->max, value) != CH_OK)
        return ch_fail(w->sync, "out of memory");
    return CH_OK;
}

/* Reads from the planned position to the end of the file, upserting and checkpointing. */
static int read_rows(run *w, csv_reader *r, ch_row *row)
{
    csv_record rec;
    int got;
    if (fseeko(w->in, (off_t)w->offset, SEEK_SET) != 0)
        return ch_fail(w->sync, "%s: cannot seek to byte %llu: %s", w->s->file,
                       (unsigned long long)w->offset, strerror(errno));
    csv_reader_resume_at(r, w->offset, w->line);
    csv_reader_expect_fields(r, w->h->n);
    while ((got = csv_reader_next(r, &rec)) == CSV_RECORD) {
        int yes = 1;
        if (w->cursor_mode && wanted(w, &rec, &yes) != CH_OK)
            return CH_ERROR;
        if (yes) {
            if (fill_row(w, row, &rec) != CH_OK)
                return CH_ERROR;
            if (ch_upsert(w->sync, w->s->table, row) != CH_OK) {
                ch_log_severe(w->sync, "%s:%lu: this row was refused", w->s->file, rec.line);
                return CH_ERROR;
            }
            w->rows++;
            w->pending++;
        }
        if (!rec.terminated) {
            /* A writer may still be appending to it: sync it as it is, but resume before
               it, so that next time it is read again, complete. */
            ch_log_info(w->sync,
                        "%s:%lu: the last row has no line end; it is read again next "
                        "sync in case it was still being written",
                        w->s->file, rec.line);
            break;
        }
        w->offset = rec.end;
        w->line = rec.next_line;
        if (w->pending >= w->s->every) {
            if (state_save(w, 0) != CH_OK || ch_checkpoint(w->sync) != CH_OK)
                return CH_ERROR;
            w->pending = 0;
        }
    }
    if (got == CSV_ERROR)
        return ch_fail(w->sync, "%s", csv_reader_error(r)->message);
    return CH_OK;
}

static int sync_file(ch_sync *sync, const settings *s, const header *h, FILE *in, csv_reader *r)
{
    run w = {.sync = sync, .s = s, .h = h, .in = in, .cursor_mode = s->cursor >= 0};
    struct stat st;
    ch_row *row = NULL;
    int rc;
    if (fstat(fileno(in), &st) != 0)
        return ch_fail(sync, "%s: cannot stat: %s", s->file, strerror(errno));
    rc = plan_start(&w, (uint64_t)st.st_size);
    if (rc == CH_OK && (row = ch_row_new()) == NULL)
        rc = ch_fail(sync, "out of memory");
    if (rc == CH_OK)
        rc = read_rows(&w, r, row);
    if (rc == CH_OK)
        rc = state_save(&w, 1);
    if (rc == CH_OK)
        rc = ch_checkpoint(sync);
    if (rc == CH_OK && w.cursor_mode)
        ch_log_info(sync, "%s: %lu rows upserted into '%s'", s->file, w.rows, s->table);
    else if (rc == CH_OK)
        ch_log_info(sync, "%s: %lu rows upserted into '%s'; the next sync starts at line %lu",
                    s->file, w.rows, s->table, w.line);
    ch_row_free(row);
    free(w.threshold);
    free(w.max);
    return rc;
}

/*
 * A file without even a header. By position, rows synced before are gone from the source:
 * the table is truncated and the state forgotten. By cursor, the state stays: the cursor
 * never moves back.
 */
static int sync_empty(ch_sync *sync, const settings *s)
{
    const char *mode = ch_state_get(sync, "mode");
    if (!s->by_cursor && mode && strcmp(mode, "position") == 0) {
        ch_log_warning(sync, "%s is now empty: truncating table '%s'", s->file, s->table);
        if (ch_truncate(sync, s->table) != CH_OK || ch_state_set_json(sync, "{}") != CH_OK)
            return CH_ERROR;
    } else {
        ch_log_warning(sync, "%s is empty: no header row, nothing to sync", s->file);
    }
    return ch_checkpoint(sync);
}

static int csv_update(ch_sync *sync, const ch_config *config)
{
    const char *file = ch_config_get(config, "file");
    char err[ERR_SIZE];
    settings s;
    header h = {0};
    csv_reader *r;
    FILE *in;
    int got, rc;
    if ((in = fopen(file, "rb")) == NULL)
        return ch_fail(sync, "%s: cannot open: %s", file, strerror(errno));
    if ((r = csv_reader_new(in, file)) == NULL) {
        fclose(in);
        return ch_fail(sync, "out of memory");
    }
    got = header_read(r, file, &h, err);
    if (got < 0)
        rc = ch_fail(sync, "%s", err);
    else if (settings_load(&s, config, got ? &h : NULL, err) != 0)
        rc = ch_fail(sync, "%s", err);
    else {
        if (got == 0) {
            rc = sync_empty(sync, &s);
        } else {
            rc = sync_file(sync, &s, &h, in, r);
        }
        settings_free(&s);
    }
    header_free(&h);
    csv_reader_free(r);
    fclose(in);
    return rc;
}

static const ch_connector csv_connector = {
    .name = "csv",
    .description = "Syncs a CSV file (RFC 4180) into one table, incrementally",
    .schema = csv_schema,
    .update = csv_update,
    .config_keys = csv_keys,
};

int connector_plugin_init(ch_registry *registry)
{
    return CH_REGISTER(registry, &csv_connector);
}

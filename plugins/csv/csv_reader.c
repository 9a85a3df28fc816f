/* csv_reader.c - RFC 4180 as a byte-at-a-time state machine over a buffered stream. */
#include "csv_reader.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define INPUT_SIZE 65536

enum state {
    FIELD_START, /* before a field's first byte */
    UNQUOTED,    /* inside an unquoted field */
    QUOTED,      /* inside a quoted field */
    QUOTE_SEEN,  /* a quote inside a quoted field: closing, or the first of "" */
    CR_SEEN,     /* a carriage return ended the record: a line feed must follow */
    CR_BLANK     /* a carriage return on a blank line: a line feed must follow */
};

/* Where a field starts in the record's text buffer, kept as an offset while it grows. */
typedef struct field_mark {
    size_t at;
    size_t len;
    int quoted;
    unsigned long line, column;
} field_mark;

struct csv_reader {
    FILE *in;
    char *name;
    unsigned char input[INPUT_SIZE];
    size_t input_len, input_pos;
    int eof;

    uint64_t offset;      /* of the next byte */
    unsigned long line;   /* of the next byte */
    unsigned long column; /* of the next character */
    int at_start;         /* a byte order mark may come next */

    /* UTF-8: continuation bytes still due, and the range the next one must fall in
       (narrower than 80-BF after E0, ED, F0 and F4, to refuse overlong forms and surrogates). */
    int utf8_due;
    unsigned char utf8_lo, utf8_hi;

    size_t expect; /* fields per record; 0 until the first record */
    size_t max_record;

    char *text; /* the record's fields, each followed by a NUL */
    size_t text_len, text_cap;
    field_mark *marks;
    csv_field *fields;
    size_t nmarks, marks_cap, fields_cap;

    int failed;
    csv_error error;
};

csv_reader *csv_reader_new(FILE *in, const char *name)
{
    csv_reader *r = calloc(1, sizeof *r);
    if (r == NULL || (r->name = strdup(name ? name : "(input)")) == NULL) {
        free(r);
        return NULL;
    }
    r->in = in;
    r->line = 1;
    r->column = 1;
    r->at_start = 1;
    r->max_record = CSV_DEFAULT_MAX_RECORD;
    return r;
}

void csv_reader_free(csv_reader *r)
{
    if (r == NULL)
        return;
    free(r->name);
    free(r->text);
    free(r->marks);
    free(r->fields);
    free(r);
}

void csv_reader_resume_at(csv_reader *r, uint64_t offset, unsigned long line)
{
    r->offset = offset;
    r->line = line;
    r->column = 1;
    r->at_start = offset == 0;
    /* Whatever was read ahead came from the old position. */
    r->input_len = r->input_pos = 0;
    r->eof = 0;
    r->utf8_due = 0;
}

void csv_reader_expect_fields(csv_reader *r, size_t nfields)
{
    r->expect = nfields;
}

void csv_reader_max_record(csv_reader *r, size_t bytes)
{
    r->max_record = bytes;
}

const csv_error *csv_reader_error(const csv_reader *r)
{
    return &r->error;
}

static int fail_at(csv_reader *r, unsigned long line, unsigned long column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Records the first error with its position; the reader refuses to go on after it. */
static int fail_at(csv_reader *r, unsigned long line, unsigned long column, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->error.what, sizeof r->error.what, fmt, ap);
    va_end(ap);
    r->error.line = line;
    r->error.column = column;
    snprintf(r->error.message, sizeof r->error.message, "%s:%lu:%lu: %s", r->name, line, column,
             r->error.what);
    r->failed = 1;
    return CSV_ERROR;
}

/* Refills the input buffer; 0 at the end of the file, -1 on a read error. */
static int refill(csv_reader *r)
{
    if (r->eof)
        return 0;
    r->input_len = fread(r->input, 1, sizeof r->input, r->in);
    r->input_pos = 0;
    if (r->input_len > 0)
        return 1;
    if (ferror(r->in))
        return fail_at(r, r->line, r->column, "read error: %s", strerror(errno));
    r->eof = 1;
    return 0;
}

/* Skips a UTF-8 byte order mark at the very start of the file. */
static int skip_bom(csv_reader *r)
{
    static const unsigned char bom[3] = {0xEF, 0xBB, 0xBF};
    r->at_start = 0;
    /* A short first read could split the mark: gather three bytes first. */
    while (r->input_len - r->input_pos < 3 && !r->eof) {
        size_t have = r->input_len - r->input_pos;
        size_t got;
        memmove(r->input, r->input + r->input_pos, have);
        r->input_pos = 0;
        got = fread(r->input + have, 1, sizeof r->input - have, r->in);
        r->input_len = have + got;
        if (got == 0) {
            if (ferror(r->in))
                return fail_at(r, 1, 1, "read error: %s", strerror(errno));
            r->eof = 1;
        }
    }
    if (r->input_len - r->input_pos >= 3 && memcmp(r->input + r->input_pos, bom, 3) == 0) {
        r->input_pos += 3;
        r->offset += 3;
    }
    return CSV_RECORD;
}

/* Checks one byte of UTF-8 at the given column; refuses NUL too. */
static int check_utf8(csv_reader *r, unsigned char c, unsigned long line, unsigned long column)
{
    if (r->utf8_due > 0) {
        if (c < r->utf8_lo || c > r->utf8_hi)
            return fail_at(r, line, column,
                           "invalid UTF-8: byte 0x%02X where a continuation byte was due", c);
        r->utf8_due--;
        r->utf8_lo = 0x80;
        r->utf8_hi = 0xBF;
        return CSV_RECORD;
    }
    if (c == 0)
        return fail_at(r, line, column, "NUL byte in the text");
    if (c < 0x80)
        return CSV_RECORD;
    r->utf8_lo = 0x80;
    r->utf8_hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        r->utf8_due = 1;
    else if (c >= 0xE0 && c <= 0xEF) {
        r->utf8_due = 2;
        if (c == 0xE0)
            r->utf8_lo = 0xA0;
        else if (c == 0xED)
            r->utf8_hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        r->utf8_due = 3;
        if (c == 0xF0)
            r->utf8_lo = 0x90;
        else if (c == 0xF4)
            r->utf8_hi = 0x8F;
    } else
        return fail_at(r, line, column, "invalid UTF-8: byte 0x%02X cannot start a character", c);
    return CSV_RECORD;
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
    size_t n = *cap ? *cap : 16;
    void *q;
    if (need <= *cap)
        return 0;
    while (n < need)
        n *= 2;
    if ((q = realloc(*p, n * size)) == NULL)
        return -1;
    *p = q;
    *cap = n;
    return 0;
}

static int append(csv_reader *r, unsigned char c)
{
    if (r->text_len + 1 >= r->text_cap &&
        grow((void **)&r->text, &r->text_cap, r->text_len + 2, 1) != 0)
        return fail_at(r, r->line, r->column, "out of memory");
    r->text[r->text_len++] = (char)c;
    return CSV_RECORD;
}

static int begin_field(csv_reader *r, int quoted, unsigned long line, unsigned long column)
{
    field_mark *m;
    if (grow((void **)&r->marks, &r->marks_cap, r->nmarks + 1, sizeof *r->marks) != 0)
        return fail_at(r, line, column, "out of memory");
    m = &r->marks[r->nmarks++];
    m->at = r->text_len;
    m->quoted = quoted;
    m->line = line;
    m->column = column;
    return CSV_RECORD;
}

static int end_field(csv_reader *r)
{
    field_mark *m = &r->marks[r->nmarks - 1];
    m->len = r->text_len - m->at;
    return append(r, '\0');
}

/* Checks the field count and hands the record out. */
static int finish_record(csv_reader *r, csv_record *rec, uint64_t start, unsigned long line,
                         int terminated, unsigned long end_line, unsigned long end_column)
{
    if (r->expect == 0)
        r->expect = r->nmarks;
    if (r->nmarks > r->expect) {
        const field_mark *extra = &r->marks[r->expect];
        return fail_at(r, extra->line, extra->column,
                       "row has %zu fields, expected %zu as in the header", r->nmarks, r->expect);
    }
    if (r->nmarks < r->expect)
        return fail_at(r, end_line, end_column, "row has %zu fields, expected %zu as in the header",
                       r->nmarks, r->expect);
    if (grow((void **)&r->fields, &r->fields_cap, r->nmarks, sizeof *r->fields) != 0)
        return fail_at(r, line, 1, "out of memory");
    for (size_t i = 0; i < r->nmarks; i++) {
        r->fields[i].text = r->text + r->marks[i].at;
        r->fields[i].len = r->marks[i].len;
        r->fields[i].quoted = r->marks[i].quoted;
        r->fields[i].line = r->marks[i].line;
        r->fields[i].column = r->marks[i].column;
    }
    rec->fields = r->fields;
    rec->nfields = r->nmarks;
    rec->line = line;
    rec->start = start;
    rec->end = r->offset;
    rec->next_line = r->line;
    rec->terminated = terminated;
    return CSV_RECORD;
}

int csv_reader_next(csv_reader *r, csv_record *rec)
{
    enum state st = FIELD_START;
    uint64_t start = r->offset;
    unsigned long line = r->line;
    unsigned long open_line = 0, open_column = 0; /* the quote that opened a quoted field */
    unsigned long cr_column = 0;

    if (r->failed)
        return CSV_ERROR;
    if (r->at_start && skip_bom(r) != CSV_RECORD)
        return CSV_ERROR;
    start = r->offset;
    r->text_len = 0;
    r->nmarks = 0;
    for (;;) {
        unsigned char c;
        unsigned long byte_line = r->line, column;
        if (r->input_pos == r->input_len) {
            int got = refill(r);
            if (got < 0)
                return CSV_ERROR;
            if (got == 0)
                break;
        }
        c = r->input[r->input_pos++];
        /* A continuation byte belongs to the character before it. */
        column = (c & 0xC0) == 0x80 && r->utf8_due > 0 ? r->column - 1 : r->column;
        if (check_utf8(r, c, byte_line, column) != CSV_RECORD)
            return CSV_ERROR;
        r->offset++;
        if (c == '\n') {
            r->line++;
            r->column = 1;
        } else if ((c & 0xC0) != 0x80) {
            r->column++;
        }
        if (r->text_len > r->max_record)
            return fail_at(r, line, 1, "row longer than %zu bytes (is a quote not closed?)",
                           r->max_record);
        switch (st) {
        case FIELD_START:
            if (r->nmarks == 0 && (c == '\n' || c == '\r')) {
                /* A blank line: nothing to hand out; the next record starts after it. */
                if (c == '\r') {
                    st = CR_BLANK;
                    cr_column = column;
                } else {
                    start = r->offset;
                    line = r->line;
                }
                break;
            }
            if (begin_field(r, c == '"', byte_line, column) != CSV_RECORD)
                return CSV_ERROR;
            if (c == '"') {
                open_line = byte_line;
                open_column = column;
                st = QUOTED;
            } else if (c == ',') {
                if (end_field(r) != CSV_RECORD)
                    return CSV_ERROR;
            } else if (c == '\n') {
                if (end_field(r) != CSV_RECORD)
                    return CSV_ERROR;
                return finish_record(r, rec, start, line, 1, byte_line, column);
            } else if (c == '\r') {
                if (end_field(r) != CSV_RECORD)
                    return CSV_ERROR;
                st = CR_SEEN;
                cr_column = column;
            } else {
                if (append(r, c) != CSV_RECORD)
                    return CSV_ERROR;
                st = UNQUOTED;
            }
            break;
        case UNQUOTED:
            if (c == ',' || c == '\n' || c == '\r') {
                if (end_field(r) != CSV_RECORD)
                    return CSV_ERROR;
                if (c == '\n')
                    return finish_record(r, rec, start, line, 1, byte_line, column);
                st = c == ',' ? FIELD_START : CR_SEEN;
                cr_column = column;
            } else if (c == '"') {
                return fail_at(r, byte_line, column,
                               "quote inside an unquoted field (quote the whole field and "
                               "double the quote: \"\")");
            } else if (append(r, c) != CSV_RECORD) {
                return CSV_ERROR;
            }
            break;
        case QUOTED:
            if (c == '"')
                st = QUOTE_SEEN;
            else if (append(r, c) != CSV_RECORD)
                return CSV_ERROR;
            break;
        case QUOTE_SEEN:
            if (c == '"') {
                if (append(r, c) != CSV_RECORD)
                    return CSV_ERROR;
                st = QUOTED;
            } else if (c == ',' || c == '\n' || c == '\r') {
                if (end_field(r) != CSV_RECORD)
                    return CSV_ERROR;
                if (c == '\n')
                    return finish_record(r, rec, start, line, 1, byte_line, column);
                st = c == ',' ? FIELD_START : CR_SEEN;
                cr_column = column;
            } else {
                return fail_at(r, byte_line, column,
                               "text after the closing quote of a field (expected a comma or "
                               "a line end)");
            }
            break;
        case CR_SEEN:
        case CR_BLANK:
            if (c != '\n')
                return fail_at(r, byte_line, cr_column,
                               "carriage return not followed by a line feed");
            if (st == CR_SEEN)
                return finish_record(r, rec, start, line, 1, byte_line, cr_column);
            st = FIELD_START;
            start = r->offset;
            line = r->line;
            break;
        }
    }
    /* The end of the file. */
    if (r->utf8_due > 0)
        return fail_at(r, r->line, r->column - 1,
                       "invalid UTF-8: the file ends inside a character");
    switch (st) {
    case FIELD_START:
        if (r->nmarks == 0)
            return CSV_EOF;
        /* After a final comma: one more, empty, field. */
        if (begin_field(r, 0, r->line, r->column) != CSV_RECORD || end_field(r) != CSV_RECORD)
            return CSV_ERROR;
        break;
    case UNQUOTED:
    case QUOTE_SEEN:
        if (end_field(r) != CSV_RECORD)
            return CSV_ERROR;
        break;
    case QUOTED:
        return fail_at(r, open_line, open_column,
                       "quoted field is not closed before the end of the file");
    case CR_SEEN:
    case CR_BLANK:
        return fail_at(r, r->line, cr_column, "carriage return not followed by a line feed");
    }
    return finish_record(r, rec, start, line, 0, r->line, r->column);
}

/*
 * csv_reader.h - a streaming RFC 4180 reader: comma-separated fields, CRLF or LF line ends,
 * double-quoted fields holding commas, line breaks and doubled quotes. Standalone: it knows
 * nothing of the host, so tests and other connectors can use it as it is.
 *
 * Beyond RFC 4180, and why: a UTF-8 byte order mark at the start of the file is skipped
 * (spreadsheets write one); blank lines are skipped (they carry no data, and Python's
 * csv.DictReader skips them too); the text must be valid UTF-8 without NUL bytes, because
 * every field becomes warehouse text. Errors carry the file name, line and column, where
 * lines are physical lines (a line break inside quotes starts a new one) and columns count
 * characters from 1.
 */
#ifndef CSV_READER_H
#define CSV_READER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CSV_RECORD 1 /* csv_reader_next: a record was read */
#define CSV_EOF    0 /* csv_reader_next: no more records */
#define CSV_ERROR  (-1)

/* Longest record accepted by default: an unclosed quote must not eat all memory. */
#define CSV_DEFAULT_MAX_RECORD ((size_t)64 << 20)

typedef struct csv_field {
    const char *text;     /* NUL-terminated; valid until the next csv_reader_next */
    size_t len;           /* bytes, without the NUL */
    int quoted;           /* written in double quotes: "" is an empty string, not nothing */
    unsigned long line;   /* where the field starts */
    unsigned long column; /* of its first character (the opening quote if quoted) */
} csv_field;

typedef struct csv_record {
    const csv_field *fields;
    size_t nfields;
    unsigned long line;      /* the line the record starts on */
    uint64_t start;          /* byte offset of its first byte */
    uint64_t end;            /* byte offset just after it, line end included */
    unsigned long next_line; /* the line at `end`: where a read resumed there starts */
    int terminated;          /* ended by a line end, not by the end of the file */
} csv_record;

typedef struct csv_error {
    unsigned long line;
    unsigned long column;
    char what[160];    /* what is wrong, without the position */
    char message[512]; /* "NAME:LINE:COLUMN: what" */
} csv_error;

typedef struct csv_reader csv_reader;

/* A reader of `in` (not closed by the reader), named `name` in errors; NULL when out of
   memory. It starts at offset 0, line 1, and takes the field count from the first record. */
csv_reader *csv_reader_new(FILE *in, const char *name);

/* Frees the reader; NULL is allowed. */
void csv_reader_free(csv_reader *r);

/* The caller positioned `in` at `offset`, the start of line `line`: report from there.
   A byte order mark is looked for only at offset 0. Input read ahead is discarded, so the
   caller may seek and resume at any time, for example after reading the header. */
void csv_reader_resume_at(csv_reader *r, uint64_t offset, unsigned long line);

/* Every record must have `nfields` fields (0: take the count from the first record). */
void csv_reader_expect_fields(csv_reader *r, size_t nfields);

/* Records longer than `bytes` are an error. */
void csv_reader_max_record(csv_reader *r, size_t bytes);

/* Reads the next record into *rec: CSV_RECORD, CSV_EOF or CSV_ERROR (see csv_reader_error).
   After an error the reader stays failed. */
int csv_reader_next(csv_reader *r, csv_record *rec);

/* Why the last csv_reader_next failed. */
const csv_error *csv_reader_error(const csv_reader *r);

#endif

/* test_csv_reader.c - the RFC 4180 reader: every quoting case, every error and its position. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_reader.h"
#include "tap.h"

/*
 * Reads `len` bytes of `input` and renders every record on its own line, an unquoted field
 * as <text> and a quoted one as {text}; a failure ends the text with "ERROR message". The
 * records' line, start, end and terminated flag are appended when `detail` is set.
 */
static const char *parse_n(const char *input, size_t len, int detail, size_t max_record)
{
    static char out[8192];
    size_t n = 0;
    FILE *in = fmemopen((void *)input, len, "r");
    csv_reader *r = csv_reader_new(in, "t.csv");
    csv_record rec;
    int got;
    out[0] = '\0';
    if (max_record)
        csv_reader_max_record(r, max_record);
    while ((got = csv_reader_next(r, &rec)) == CSV_RECORD) {
        for (size_t i = 0; i < rec.nfields; i++)
            n += (size_t)snprintf(out + n, sizeof out - n, rec.fields[i].quoted ? "{%s}" : "<%s>",
                                  rec.fields[i].text);
        if (detail)
            n += (size_t)snprintf(out + n, sizeof out - n, " @%lu %llu-%llu%s", rec.line,
                                  (unsigned long long)rec.start, (unsigned long long)rec.end,
                                  rec.terminated ? "" : " unterminated");
        n += (size_t)snprintf(out + n, sizeof out - n, "\n");
    }
    if (got == CSV_ERROR)
        snprintf(out + n, sizeof out - n, "ERROR %s", csv_reader_error(r)->message);
    csv_reader_free(r);
    fclose(in);
    return out;
}

static const char *parse(const char *input)
{
    return parse_n(input, strlen(input), 0, 0);
}

static const char *parse_detail(const char *input)
{
    return parse_n(input, strlen(input), 1, 0);
}

static void quoting(void)
{
    is_str(parse("a,b,c\n1,2,3\n"), "<a><b><c>\n<1><2><3>\n", "plain fields, LF");
    is_str(parse("a,b\r\n1,2\r\n"), "<a><b>\n<1><2>\n", "CRLF line ends");
    is_str(parse("a,b\r\n1,2\n3,4\r\n"), "<a><b>\n<1><2>\n<3><4>\n", "CRLF and LF mixed");
    is_str(parse("a,b\n1,2"), "<a><b>\n<1><2>\n", "last line without a line end");
    is_str(parse("a,b\n\"x,y\",2\n"), "<a><b>\n{x,y}<2>\n", "comma inside quotes");
    is_str(parse("a,b\n\"say \"\"hi\"\"\",2\n"), "<a><b>\n{say \"hi\"}<2>\n", "doubled quotes");
    is_str(parse("a\n\"\"\"\"\n"), "<a>\n{\"}\n", "a field that is one quote");
    is_str(parse("a,b\n\"line1\nline2\",2\n"), "<a><b>\n{line1\nline2}<2>\n", "LF inside quotes");
    is_str(parse("a,b\r\n\"l1\r\nl2\",2\r\n"), "<a><b>\n{l1\r\nl2}<2>\n",
           "CRLF inside quotes is kept as it is");
    is_str(parse("a,b,c\n,,\n"), "<a><b><c>\n<><><>\n", "empty unquoted fields");
    is_str(parse("a,b\n\"\",\"\"\n"), "<a><b>\n{}{}\n", "empty quoted fields differ from empty");
    is_str(parse("a,b\n1,\n"), "<a><b>\n<1><>\n", "trailing comma gives an empty last field");
    is_str(parse("a,b\n1,"), "<a><b>\n<1><>\n", "trailing comma at the end of the file");
    is_str(parse("a,b\n1,\"\""), "<a><b>\n<1>{}\n", "quoted empty at the end of the file");
    is_str(parse("a,b\n1,\"x\""), "<a><b>\n<1>{x}\n", "quoted last field, no line end");
    is_str(parse("a,b\n 1 , 2 \n"), "<a><b>\n< 1 >< 2 >\n", "spaces are data");
    is_str(parse("a,b\n\"\"\"\",\"a\"\"\"\n"), "<a><b>\n{\"}{a\"}\n", "quotes at both ends");
    is_str(parse("a,b\n\",\"\",\n\",2\n"), "<a><b>\n{,\",\n}<2>\n", "comma, quote, LF together");
    is_str(parse("h\n\"\xc3\xa9t\xc3\xa9\"\n\xe2\x82\xac\n"),
           "<h>\n{\xc3\xa9t\xc3\xa9}\n<\xe2\x82\xac>\n", "UTF-8 text");
    is_str(parse("\xef\xbb\xbf"
                 "a,b\n1,2\n"),
           "<a><b>\n<1><2>\n", "a byte order mark is skipped");
    is_str(parse("a,\xef\xbb\xbf\n1,2\n"), "<a><\xef\xbb\xbf>\n<1><2>\n",
           "a BOM-like sequence later on is data");
    is_str(parse(""), "", "empty file: no records");
    is_str(parse("\xef\xbb\xbf"), "", "only a byte order mark: no records");
    is_str(parse("a,b\n"), "<a><b>\n", "header only");
    is_str(parse("a,b"), "<a><b>\n", "header only, no line end");
    is_str(parse("a,b\n\n1,2\n\r\n\n3,4\n\n"), "<a><b>\n<1><2>\n<3><4>\n", "blank lines skipped");
    is_str(parse("\n\na\n1\n"), "<a>\n<1>\n", "blank lines before the header skipped");
    is_str(parse("a\n\"\"\n"), "<a>\n{}\n", "one column: an empty value needs quotes");
}

static void positions(void)
{
    is_str(parse_detail("a,b\n1,2\r\n3,4"),
           "<a><b> @1 0-4\n<1><2> @2 4-9\n<3><4> @3 9-12 unterminated\n",
           "record lines, byte offsets and the terminated flag");
    is_str(parse_detail("\xef\xbb\xbf"
                        "a\n1\n"),
           "<a> @1 3-5\n<1> @2 5-7\n", "offsets count the byte order mark");
    is_str(parse_detail("a,b\n\"x\ny\",2\n3,4\n"),
           "<a><b> @1 0-4\n{x\ny}<2> @2 4-12\n<3><4> @4 12-16\n",
           "a line break in quotes moves the next record's line");
    is_str(parse_detail("a\n\n\n1\n"), "<a> @1 0-2\n<1> @4 4-6\n",
           "a record after blank lines starts after them");

    /* Resuming in the middle of a file, as the connector does from its state. */
    {
        const char *text = "a,b\n1,2\n3,x\"\n";
        FILE *in = fmemopen((void *)text, strlen(text), "r");
        csv_reader *r = csv_reader_new(in, "t.csv");
        csv_record rec;
        fseek(in, 4, SEEK_SET);
        csv_reader_resume_at(r, 4, 2);
        csv_reader_expect_fields(r, 2);
        ok(csv_reader_next(r, &rec) == CSV_RECORD && rec.line == 2 && rec.start == 4 &&
               rec.end == 8 && strcmp(rec.fields[0].text, "1") == 0,
           "resumed at offset 4, line 2");
        ok(csv_reader_next(r, &rec) == CSV_ERROR, "error after resuming");
        is_str(csv_reader_error(r)->message,
               "t.csv:3:4: quote inside an unquoted field (quote the whole field and double the "
               "quote: \"\")",
               "positions after resuming are the file's");
        ok(csv_reader_next(r, &rec) == CSV_ERROR, "a failed reader stays failed");
        csv_reader_free(r);
        fclose(in);
    }
    {
        const char *text = "1,2,3\n";
        FILE *in = fmemopen((void *)text, strlen(text), "r");
        csv_reader *r = csv_reader_new(in, "t.csv");
        csv_record rec;
        csv_reader_expect_fields(r, 2);
        ok(csv_reader_next(r, &rec) == CSV_ERROR,
           "an expected field count applies to the first row");
        csv_reader_free(r);
        fclose(in);
    }
    /* Field positions, for the connector's own errors (an empty key, say). */
    {
        const char *text = "a,b\n\xc3\xa9\xc3\xa9,\"x\ny\",z\n";
        FILE *in = fmemopen((void *)text, strlen(text), "r");
        csv_reader *r = csv_reader_new(in, "t.csv");
        csv_record rec;
        csv_reader_expect_fields(r, 3);
        ok(csv_reader_next(r, &rec) == CSV_ERROR, "header with 2 fields against 3 expected");
        csv_reader_free(r);
        fclose(in);
        in = fmemopen((void *)text + 4, strlen(text) - 4, "r");
        r = csv_reader_new(in, "t.csv");
        ok(csv_reader_next(r, &rec) == CSV_RECORD && rec.nfields == 3, "three fields");
        ok(rec.fields[1].line == 1 && rec.fields[1].column == 4,
           "second field at 1:4 (columns count characters, not bytes)");
        ok(rec.fields[2].line == 2 && rec.fields[2].column == 4, "third field at 2:4");
        csv_reader_free(r);
        fclose(in);
    }
}

static void big(void)
{
    /* Records across many input buffers, and one field longer than a buffer. */
    size_t rows = 20000, n = 0, cap = rows * 16 + 200000;
    char *text = malloc(cap);
    FILE *in;
    csv_reader *r;
    csv_record rec;
    size_t seen = 0, bad = 0;
    n += (size_t)snprintf(text + n, cap - n, "id,v\n");
    for (size_t i = 0; i < rows; i++)
        n += (size_t)snprintf(text + n, cap - n, "%zu,\"x\"\"%zu\"\r\n", i, i);
    text[n++] = '"';
    for (size_t i = 0; i < 150000; i++)
        text[n++] = i % 1000 == 999 ? '\n' : 'y';
    n += (size_t)snprintf(text + n, cap - n, "\",end\n");
    in = fmemopen(text, n, "r");
    r = csv_reader_new(in, "big.csv");
    csv_reader_next(r, &rec);
    while (csv_reader_next(r, &rec) == CSV_RECORD) {
        char want[64];
        if (seen < rows) {
            snprintf(want, sizeof want, "x\"%zu", seen);
            bad += strcmp(rec.fields[1].text, want) != 0;
        } else {
            bad += rec.fields[0].len != 150000 || strcmp(rec.fields[1].text, "end") != 0;
            bad += rec.line != rows + 2;
        }
        seen++;
    }
    ok(seen == rows + 1 && bad == 0, "20000 rows and a 150000-byte field across buffers");
    ok(rec.end == n, "the last record ends at the end of the file");
    csv_reader_free(r);
    fclose(in);
    free(text);
}

static void errors(void)
{
    is_str(parse("a,b\n1,x\"y\n"),
           "<a><b>\nERROR t.csv:2:4: quote inside an unquoted field (quote the whole field and "
           "double the quote: \"\")",
           "bare quote inside an unquoted field, at the quote");
    is_str(parse("a,b\n1,\"x\"y\n"),
           "<a><b>\nERROR t.csv:2:6: text after the closing quote of a field (expected a comma "
           "or a line end)",
           "text after a closing quote, at the text");
    is_str(parse("a,b\n1,\"x\" \n"),
           "<a><b>\nERROR t.csv:2:6: text after the closing quote of a field (expected a comma "
           "or a line end)",
           "a space after a closing quote");
    is_str(parse("a,b\n1,2\n3,\"open\n4,5\n"),
           "<a><b>\n<1><2>\nERROR t.csv:3:3: quoted field is not closed before the end of the file",
           "unterminated quoted field, at its opening quote");
    is_str(parse("a,b\n\""),
           "<a><b>\nERROR t.csv:2:1: quoted field is not closed before the end of the file",
           "a lone quote at the end");
    is_str(parse("a,b,c\n1,2\n"),
           "<a><b><c>\nERROR t.csv:2:4: row has 2 fields, expected 3 as in the header",
           "too few fields, at the line end");
    is_str(parse("a,b,c\n1,2"),
           "<a><b><c>\nERROR t.csv:2:4: row has 2 fields, expected 3 as in the header",
           "too few fields on the last line, at the end of the file");
    is_str(parse("a,b\n1,2,3,4\n"),
           "<a><b>\nERROR t.csv:2:5: row has 4 fields, expected 2 as in the header",
           "too many fields, at the first extra one");
    is_str(parse("a,b\r\n1,2\r\n\"x\ny\",2,3\r\n"),
           "<a><b>\n<1><2>\nERROR t.csv:4:6: row has 3 fields, expected 2 as in the header",
           "too many fields after a line break in quotes");
    is_str(parse("a,b\n1\r2,3\n"),
           "<a><b>\nERROR t.csv:2:2: carriage return not followed by a line feed",
           "a bare carriage return");
    is_str(parse("a,b\n1,2\r"),
           "<a><b>\nERROR t.csv:2:4: carriage return not followed by a line feed",
           "a carriage return at the end of the file");
    is_str(parse("a,b\n\rx\n"),
           "<a><b>\nERROR t.csv:2:1: carriage return not followed by a line feed",
           "a bare carriage return on an otherwise blank line");
    is_str(parse_n("a,b\n1,x\0y\n", 10, 0, 0), "<a><b>\nERROR t.csv:2:4: NUL byte in the text",
           "a NUL byte");
    is_str(parse("a,b\n\xc3\xa9,\xff\n"),
           "<a><b>\nERROR t.csv:2:3: invalid UTF-8: byte 0xFF cannot start a character",
           "an invalid byte, columns counted in characters");
    is_str(parse("a,b\n\xc3,x\n"),
           "<a><b>\nERROR t.csv:2:2: invalid UTF-8: byte 0x2C where a continuation byte was due",
           "a truncated character");
    is_str(parse("a,b\n\xed\xa0\x80,x\n"),
           "<a><b>\nERROR t.csv:2:1: invalid UTF-8: byte 0xA0 where a continuation byte was due",
           "an encoded surrogate");
    is_str(parse("a,b\n\xc0\xaf,x\n"),
           "<a><b>\nERROR t.csv:2:1: invalid UTF-8: byte 0xC0 cannot start a character",
           "an overlong form");
    is_str(parse("a,b\n1,\xe2\x82"),
           "<a><b>\nERROR t.csv:2:3: invalid UTF-8: the file ends inside a character",
           "the file ends inside a character");
    is_str(parse_n("a,b\n1,\"xxxxxxxxxxxxxxxxxxxx\n", 26, 0, 10),
           "<a><b>\nERROR t.csv:2:1: row longer than 10 bytes (is a quote not closed?)",
           "a record over the length limit, at its start");
}

int main(void)
{
    quoting();
    positions();
    big();
    errors();
    return tap_done();
}

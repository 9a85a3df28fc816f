/* test_row.c - the row builder: one setter per type, reuse, and refusals. */
#include <math.h>

#include "contract/row.h"
#include "tap.h"

int main(void)
{
    ch_row *row = ch_row_new();
    const field *f;
    ok(row != NULL, "a row is created");
    ok(ch_row_set_boolean(row, "b", 7) == CH_OK, "boolean");
    ok(ch_row_set_short(row, "s", INT16_MIN) == CH_OK, "short");
    ok(ch_row_set_int(row, "i", INT32_MAX) == CH_OK, "int");
    ok(ch_row_set_long(row, "l", INT64_MIN) == CH_OK, "long");
    ok(ch_row_set_decimal(row, "dec", "0012.340") == CH_OK, "decimal");
    ok(ch_row_set_float(row, "f", 1.5f) == CH_OK, "float");
    ok(ch_row_set_double(row, "d", -2.25) == CH_OK, "double");
    ok(ch_row_set_naive_date(row, "nd", "2024-02-29") == CH_OK, "naive date");
    ok(ch_row_set_naive_time(row, "nt", "23:59:59.999999") == CH_OK, "naive time");
    ok(ch_row_set_naive_datetime(row, "ndt", "2024-02-29 12:00:00") == CH_OK, "naive datetime");
    ok(ch_row_set_utc_datetime(row, "u", "2024-02-29T12:00:00+01:00") == CH_OK, "utc datetime");
    ok(ch_row_set_binary(row, "bin", "\0\1\2", 3) == CH_OK, "binary");
    ok(ch_row_set_xml(row, "x", "<a>1</a>") == CH_OK, "xml");
    ok(ch_row_set_string(row, "str", "h\xc3\xa9") == CH_OK, "string");
    ok(ch_row_set_json(row, "j", "{\"k\":[1,2]}") == CH_OK, "json");
    ok(ch_row_set_null(row, "n") == CH_OK, "null");
    ok(row->count == 16 && !row->invalid, "16 fields, row valid");

    f = row_find(row, "b");
    ok(f && f->v.type == T_BOOLEAN && f->v.i == 1, "boolean stored as 1");
    f = row_find(row, "l");
    ok(f && f->v.type == T_LONG && f->v.i == INT64_MIN, "LONG min kept");
    f = row_find(row, "dec");
    is_str(f ? f->v.ptr : NULL, "12.340", "decimal canonical, own scale kept");
    f = row_find(row, "ndt");
    is_str(f ? f->v.ptr : NULL, "2024-02-29T12:00:00.000000", "naive datetime canonical");
    f = row_find(row, "nt");
    is_str(f ? f->v.ptr : NULL, "23:59:59.999999", "naive time canonical");
    f = row_find(row, "u");
    is_str(f ? f->v.ptr : NULL, "2024-02-29T11:00:00.000000Z", "utc datetime normalised");
    f = row_find(row, "bin");
    ok(f && f->v.len == 3 && f->v.ptr[0] == 0 && f->v.ptr[2] == 2, "binary bytes kept");
    f = row_find(row, "n");
    ok(f && f->v.type == T_NONE, "null is NULL");

    ok(ch_row_set_int(row, "i", 5) == CH_OK, "setting a column again");
    f = row_find(row, "i");
    ok(row->count == 16 && f && f->v.i == 5, "replaces its value");

    ch_row_clear(row);
    ok(row->count == 0 && row_find(row, "i") == NULL, "clear forgets every value");

    ok(ch_row_set_naive_date(row, "d", "2026-02-30") == CH_ERROR, "bad date refused");
    ok(row->invalid, "row marked invalid");
    is_str(row->invalid_column, "d", "the refused column is kept");
    has_str(row->invalid_why.msg, "2026-02-30", "reason names the value");
    ok(strstr(row->invalid_why.msg, "column") == NULL,
       "the reason leaves naming the column to the operation");
    ok(ch_row_set_naive_date(row, "e", "2026-02-31") == CH_ERROR &&
           strcmp(row->invalid_column, "d") == 0,
       "a later refusal keeps the first column");
    ch_row_clear(row);
    ok(!row->invalid && row->invalid_column == NULL, "clear makes the row valid again");

    ok(ch_row_set_string(row, "s", "\xff\xfe") == CH_ERROR, "invalid UTF-8 refused");
    ch_row_clear(row);
    ok(ch_row_set_json(row, "j", "{") == CH_ERROR, "invalid JSON refused");
    has_str(row->invalid_why.msg, "not valid JSON", "reason says JSON");
    ch_row_clear(row);
    ok(ch_row_set_decimal(row, "x", "1.2.3") == CH_ERROR, "bad decimal refused");
    ch_row_clear(row);
    ok(ch_row_set_double(row, "x", NAN) == CH_ERROR, "NaN refused");
    ch_row_clear(row);
    ok(ch_row_set_string(row, "", "x") == CH_ERROR, "empty column name refused");
    is_str(row->invalid_column, "", "the empty name is the refused column");
    ch_row_clear(row);
    ok(ch_row_set_string(row, "s", NULL) == CH_OK && row_find(row, "s")->v.type == T_NONE,
       "NULL text is a NULL value");
    ok(ch_row_set_binary(row, "e", NULL, 0) == CH_OK && row_find(row, "e")->v.type == T_BINARY &&
           row_find(row, "e")->v.len == 0,
       "empty binary is not NULL");
    ok(ch_row_set_int(NULL, "x", 1) == CH_ERROR, "NULL row refused without crashing");
    for (int i = 0; i < 100; i++) {
        char name[16];
        snprintf(name, sizeof name, "c%d", i);
        ch_row_set_int(row, name, i);
    }
    ok(row->count == 102 && row_find(row, "c99")->v.i == 99, "rows grow past their first size");
    ch_row_free(row);
    ch_row_free(NULL);

    /* A cleared row refilled keeps its names; a column set twice is still one field. */
    row = ch_row_new();
    ch_row_set_int(row, "a", 1), ch_row_set_int(row, "b", 2), ch_row_set_int(row, "c", 3);
    ch_row_clear(row);
    ch_row_set_int(row, "c", 4); /* "c" now also at the first place, and still at the third */
    ch_row_clear(row);
    ch_row_set_int(row, "c", 5), ch_row_set_int(row, "b", 6), ch_row_set_int(row, "c", 7);
    ok(row->count == 2, "refilled c, b, c: two fields, not three");
    f = row_find(row, "c");
    ok(f && f->v.i == 7, "c is its last value");
    ch_row_clear(row);
    ch_row_set_int(row, "c", 8), ch_row_set_int(row, "c", 9), ch_row_set_int(row, "b", 10);
    ok(row->count == 2, "refilled c, c, b: two fields");
    f = row_find(row, "c");
    ok(f && f->v.i == 9 && row_find(row, "b") && row_find(row, "b")->v.i == 10,
       "c and b hold their values");
    ch_row_free(row);
    return tap_done();
}

/* test_pg.c - the PostgreSQL destination's parts that need no server: types, text forms, rows by
 * key. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dest/postgresql/pg.h"
#include "tap.h"

static void types(void)
{
    static const struct {
        const char *pg;
        col_type type;
    } cases[] = {
        {"boolean", T_BOOLEAN},
        {"smallint", T_SHORT},
        {"integer", T_INT},
        {"bigint", T_LONG},
        {"real", T_FLOAT},
        {"double precision", T_DOUBLE},
        {"date", T_NAIVE_DATE},
        {"time without time zone", T_NAIVE_TIME},
        {"time(3) without time zone", T_NAIVE_TIME},
        {"time(3) with time zone", T_STRING},
        {"time with time zone", T_STRING},
        {"timestamp without time zone", T_NAIVE_DATETIME},
        {"timestamp(3) without time zone", T_NAIVE_DATETIME},
        {"timestamp with time zone", T_UTC_DATETIME},
        {"timestamp(0) with time zone", T_UTC_DATETIME},
        {"bytea", T_BINARY},
        {"xml", T_XML},
        {"text", T_STRING},
        {"jsonb", T_JSON},
        {"json", T_JSON},
        {"character varying(20)", T_STRING},
        {"numeric", T_STRING},
        {"uuid", T_STRING},
    };
    char buf[40];
    type_spec ts;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        ok(pg_type_parse(cases[i].pg).type == cases[i].type, "'%s' reads as %s", cases[i].pg,
           type_name(cases[i].type));
    ts = pg_type_parse("numeric(10,2)");
    ok(ts.type == T_DECIMAL && ts.precision == 10 && ts.scale == 2,
       "numeric(10,2) is DECIMAL(10,2)");
    ok(pg_type_parse("numeric(39,0)").type == T_STRING, "numeric(39,0) is beyond DECIMAL: STRING");
    /* every contract type maps to a column type that reads back as itself */
    for (col_type t = T_BOOLEAN; t <= T_JSON; t++) {
        const char *sql = pg_type_sql(t, 12, 3, buf, sizeof buf);
        char formatted[48];
        /* format_type() spells the short names out */
        snprintf(formatted, sizeof formatted, "%s",
                 strcmp(sql, "time") == 0          ? "time without time zone"
                 : strcmp(sql, "timestamp") == 0   ? "timestamp without time zone"
                 : strcmp(sql, "timestamptz") == 0 ? "timestamp with time zone"
                                                   : sql);
        ts = pg_type_parse(formatted);
        ok(ts.type == t && (t != T_DECIMAL || (ts.precision == 12 && ts.scale == 3)),
           "%s is created as %s and read back", type_name(t), sql);
    }
}

/* text of v through pg_value_text */
static const char *text_of(value v, char **buf, size_t *cap)
{
    const char *out = NULL;
    ch_error e;
    return pg_value_text(&v, buf, cap, &out, &e) == CH_OK ? out : "(error)";
}

static void texts(void)
{
    char *buf = NULL;
    size_t cap = 0;
    is_str(text_of((value){.type = T_BOOLEAN, .i = 1}, &buf, &cap), "true", "BOOLEAN true");
    is_str(text_of((value){.type = T_LONG, .i = INT64_MIN}, &buf, &cap), "-9223372036854775808",
           "LONG minimum");
    is_str(text_of((value){.type = T_DOUBLE, .d = 0.1}, &buf, &cap), "0.10000000000000001",
           "DOUBLE 0.1 with 17 digits: exact");
    is_str(text_of((value){.type = T_FLOAT, .d = (double)0.1f}, &buf, &cap), "0.100000001",
           "FLOAT 0.1f with 9 digits: exact");
    is_str(text_of((value){.type = T_DOUBLE, .d = -INFINITY}, &buf, &cap), "-Infinity",
           "-inf in PostgreSQL's spelling");
    is_str(text_of((value){.type = T_FLOAT, .d = INFINITY}, &buf, &cap), "Infinity",
           "inf in PostgreSQL's spelling");
    is_str(text_of((value){.type = T_DOUBLE, .d = -0.0}, &buf, &cap), "-0", "-0 kept");
    is_str(text_of((value){.type = T_BINARY, .ptr = "\x00\xff\x10", .len = 3}, &buf, &cap),
           "\\x00ff10", "BINARY as \\x hex");
    is_str(text_of((value){.type = T_BINARY, .ptr = "", .len = 0}, &buf, &cap), "\\x",
           "empty BINARY");
    is_str(text_of((value){.type = T_UTC_DATETIME, .ptr = "2024-01-01T04:00:00.000000Z", .len = 27},
                   &buf, &cap),
           "2024-01-01T04:00:00.000000Z", "UTC_DATETIME as the contract writes it");
    free(buf);
}

static void parse(void)
{
    value v = {0};
    ch_error e;
    ok(pg_value_parse("2024-01-01 04:00:00.5+00", 24, T_UTC_DATETIME, &v, &e) == CH_OK &&
           strcmp(v.ptr, "2024-01-01T04:00:00.500000Z") == 0,
       "timestamptz text in UTC reads as the contract's form: 'T', six digits, 'Z'");
    ok(pg_value_parse("2024-01-01 04:00:00+00", 22, T_UTC_DATETIME, &v, &e) == CH_OK &&
           strcmp(v.ptr, "2024-01-01T04:00:00.000000Z") == 0,
       "a timestamptz without a fraction reads with six zeros");
    ok(pg_value_parse("0001-01-01 00:00:00", 19, T_NAIVE_DATETIME, &v, &e) == CH_OK &&
           strcmp(v.ptr, "0001-01-01T00:00:00.000000") == 0,
       "timestamp text reads with 'T' and six digits");
    ok(pg_value_parse("12:34:56.5", 10, T_NAIVE_TIME, &v, &e) == CH_OK &&
           strcmp(v.ptr, "12:34:56.500000") == 0,
       "time text reads with six digits");
    ok(pg_value_parse("0044-03-15 12:00:00 BC", 22, T_NAIVE_DATETIME, &v, &e) == CH_ERROR,
       "a timestamp BC (a column made by hand) is refused");
    has_str(e.msg, "cannot be read back", "with a message");
    ok(pg_value_parse("2024-01-01 04:00:00+05:30", 25, T_UTC_DATETIME, &v, &e) == CH_ERROR,
       "a timestamptz not in UTC is refused");
    has_str(e.msg, "cannot be read back", "with a message");
    ok(pg_value_parse("\\x00ff", 6, T_BINARY, &v, &e) == CH_OK && v.len == 2 &&
           (unsigned char)v.ptr[0] == 0 && (unsigned char)v.ptr[1] == 0xff,
       "bytea hex reads as its bytes");
    ok(pg_value_parse("\\x0g", 4, T_BINARY, &v, &e) == CH_ERROR, "bad hex refused");
    ok(pg_value_parse("-Infinity", 9, T_DOUBLE, &v, &e) == CH_OK && isinf(v.d) && v.d < 0,
       "-Infinity reads back");
    ok(pg_value_parse("t", 1, T_BOOLEAN, &v, &e) == CH_OK && v.i == 1, "t is true");
    ok(pg_value_parse("12x", 3, T_INT, &v, &e) == CH_ERROR, "trailing text after an integer");
    value_free(&v);
}

static pg_row *find(const pg_rows *m, const char *key)
{
    return pg_rows_find(m, key, pg_key_hash(key));
}

static void rows(void)
{
    pg_rows m = {0};
    int all = 1;
    char key[32];
    for (int i = 0; i < 5000; i++) { /* enough to grow the table several times */
        pg_row *r;
        snprintf(key, sizeof key, "k%d", i % 3000);
        r = pg_row_new(&m, key, 2);
        r->deleted = i; /* the last row of each key wins */
        all &= pg_rows_put(&m, r) == CH_OK;
    }
    ok(all && m.count == 3000, "3000 keys after 5000 puts (%zu)", m.count);
    ok(find(&m, "k42") && find(&m, "k42")->deleted == 3042, "a key's row is its last put");
    ok(find(&m, "k2999") && find(&m, "k2999")->deleted == 2999, "a key put once keeps its row");
    ok(find(&m, "k3000") == NULL, "an absent key is not found");
    pg_rows_clear(&m);
    ok(m.count == 0 && find(&m, "k42") == NULL, "clear empties it");
    pg_rows_free(&m);
}

int main(void)
{
    types();
    texts();
    parse();
    rows();
    return tap_done();
}

/*
 * test_ch.c - the ClickHouse destination's parts that need no server: the
 * dialect a version gives, the storage type of every contract type in both
 * dialects (the new one is only tested here: Debian's server is 18.16),
 * the DDL, quoting, and values to and from TabSeparated text.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "contract/schema.h"
#include "dest/clickhouse/ch.h"
#include "tap.h"

static const chd_dialect old_dl = {18, 16, 0};
static const chd_dialect new_dl = {24, 3, 1};

static void dialects(void)
{
    ok(!chd_dialect_of("18.16.1").modern, "18.16.1 speaks the old dialect");
    ok(!chd_dialect_of("21.11.4.14").modern, "21.11 speaks the old dialect (no Bool)");
    ok(chd_dialect_of("21.12.2.17").modern, "21.12 speaks the new dialect");
    ok(chd_dialect_of("24.3.2.23").modern, "24.3 speaks the new dialect");
    ok(!chd_dialect_of("garbage").modern, "an unreadable version speaks the old dialect");
}

static void types(void)
{
    static const struct {
        col_type type;
        const char *old_sql, *new_sql;
    } cases[] = {
        {T_BOOLEAN, "UInt8", "Bool"},
        {T_SHORT, "Int16", "Int16"},
        {T_INT, "Int32", "Int32"},
        {T_LONG, "Int64", "Int64"},
        {T_DECIMAL, "Decimal(12, 3)", "Decimal(12, 3)"},
        {T_FLOAT, "Float32", "Float32"},
        {T_DOUBLE, "Float64", "Float64"},
        {T_NAIVE_DATE, "String", "Date32"},
        {T_NAIVE_TIME, "String", "String"},
        {T_NAIVE_DATETIME, "String", "DateTime64(6)"},
        {T_UTC_DATETIME, "String", "DateTime64(6, 'UTC')"},
        {T_BINARY, "String", "String"},
        {T_XML, "String", "String"},
        {T_STRING, "String", "String"},
        {T_JSON, "String", "String"},
        {T_NONE, "String", "String"},
    };
    char buf[64], want[80];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        type_spec ts = {cases[i].type, 12, 3};
        is_str(chd_type_sql(ts, &old_dl, 0, buf, sizeof buf), cases[i].old_sql, "%s, old dialect",
               type_name(cases[i].type));
        is_str(chd_type_sql(ts, &new_dl, 0, buf, sizeof buf), cases[i].new_sql, "%s, new dialect",
               type_name(cases[i].type));
        snprintf(want, sizeof want, "Nullable(%s)", cases[i].new_sql);
        is_str(chd_type_sql(ts, &new_dl, 1, buf, sizeof buf), want, "%s, nullable",
               type_name(cases[i].type));
        /* a type the new dialect makes reads back as its contract type, when it is its own */
        if (strcmp(cases[i].new_sql, "String") != 0 && strcmp(cases[i].new_sql, "Int16") != 0) {
            type_spec back = chd_type_parse(want);
            ok(back.type == cases[i].type &&
                   (back.type != T_DECIMAL || (back.precision == 12 && back.scale == 3)),
               "%s reads back as %s", want, type_name(cases[i].type));
        }
    }
    ok(chd_type_parse("LowCardinality(String)").type == T_STRING, "an unknown type is STRING");
    ok(chd_type_parse("Decimal(39, 2)").type == T_STRING, "Decimal(39, 2) is beyond DECIMAL");
}

/* A table of three columns keyed by id, or keyless. */
static table_def *table(schema *s, int keyed)
{
    ch_error err;
    table_def *t = schema_add_table(s, keyed ? "orders" : "log", &err);
    table_add_column(t, "id", T_LONG, 0, 0, 1, &err);
    table_add_column(t, "paid", T_BOOLEAN, 0, 0, 1, &err);
    table_add_column(t, "at", T_UTC_DATETIME, 0, 0, 1, &err);
    if (keyed) {
        t->key = malloc(sizeof *t->key);
        t->key[0] = 0;
        t->nkey = 1;
        t->key_bits = 1; /* as schema_finish() would make it: column 0 */
    }
    return t;
}

static void ddl(void)
{
    schema *s = schema_new(NULL);
    table_def *t = table(s, 1), *log = table(s, 0);
    textbuf b = {0};
    chd_create_sql(&b, "db", "orders", t, &new_dl);
    is_str(b.s,
           "CREATE TABLE IF NOT EXISTS `db`.`orders` (`id` Int64, `paid` Nullable(Bool), "
           "`at` Nullable(DateTime64(6, 'UTC')), `_fivetran_synced` DateTime64(6, 'UTC'), "
           "`_fivetran_deleted` UInt8, `_connector_version` UInt64) ENGINE = "
           "ReplacingMergeTree(`_connector_version`) ORDER BY (`id`)",
           "the new dialect's CREATE TABLE");
    free(b.s);
    memset(&b, 0, sizeof b);
    chd_create_sql(&b, "db", "orders", t, &old_dl);
    is_str(b.s,
           "CREATE TABLE IF NOT EXISTS `db`.`orders` (`id` Int64, `paid` Nullable(UInt8), "
           "`at` Nullable(String), `_fivetran_synced` String, `_fivetran_deleted` UInt8, "
           "`_connector_version` UInt64) ENGINE = ReplacingMergeTree(`_connector_version`) "
           "ORDER BY (`id`)",
           "the old dialect's CREATE TABLE");
    free(b.s);
    memset(&b, 0, sizeof b);
    chd_create_sql(&b, "db", "log_local", log, &new_dl);
    has_str(b.s, "`_fivetran_id` String, ", "a keyless table has _fivetran_id");
    has_str(b.s, "ORDER BY (`_fivetran_id`)", "a keyless table is ordered by _fivetran_id");
    has_str(b.s, "`id` Nullable(Int64)", "a keyless table's columns are nullable");
    free(b.s);
    memset(&b, 0, sizeof b);
    chd_distributed_sql(&b, "db", "two", t);
    is_str(b.s,
           "CREATE TABLE IF NOT EXISTS `db`.`orders` AS `db`.`orders_local` ENGINE = "
           "Distributed('two', 'db', "
           "'orders_local', cityHash64(`id`))",
           "a Distributed table shards by the key's hash");
    free(b.s);
    schema_free(s);
}

static void quoting(void)
{
    textbuf b = {0};
    char text[] = "a\\tb\\\\c\\0d\\'e";
    size_t n;
    chd_ident(&b, "we`ird\\");
    is_str(b.s, "`we\\`ird\\\\`", "identifiers escape ` and \\");
    free(b.s);
    memset(&b, 0, sizeof b);
    chd_string(&b, "it's");
    is_str(b.s, "'it\\'s'", "strings escape '");
    free(b.s);
    memset(&b, 0, sizeof b);
    chd_tsv_escape(&b, "a\tb\nc\\d\0e", 9);
    is_str(b.s, "a\\tb\\nc\\\\d\\0e", "TabSeparated escapes tab, newline, backslash, NUL");
    free(b.s);
    n = chd_tsv_unescape(text, strlen(text));
    ok(n == 9 && memcmp(text, "a\tb\\c\0d'e", 9) == 0, "and unescapes them");
}

static void values(void)
{
    textbuf b = {0};
    ch_error err;
    value v = {0};
    value at = {.type = T_UTC_DATETIME, .ptr = "2024-01-01T04:00:00.500000Z", .len = 27};
    value old = {.type = T_UTC_DATETIME, .ptr = "1850-01-01T00:00:00.000000Z", .len = 27};
    value yes = {.type = T_BOOLEAN, .i = 1};
    value third = {.type = T_DOUBLE, .d = 1.0 / 3};
    value tenth = {.type = T_FLOAT, .d = (double)0.1f};
    value inf = {.type = T_DOUBLE, .d = INFINITY};
    chd_value_tsv(&b, &at, &new_dl, &err);
    is_str(b.s, "2024-01-01 04:00:00.500000", "the new dialect writes DateTime64's form");
    free(b.s);
    memset(&b, 0, sizeof b);
    chd_value_tsv(&b, &at, &old_dl, &err);
    is_str(b.s, "2024-01-01T04:00:00.500000Z", "the old dialect writes the contract's text");
    free(b.s);
    memset(&b, 0, sizeof b);
    ok(chd_value_tsv(&b, &old, &new_dl, &err) == CH_ERROR, "DateTime64 refuses the year 1850");
    has_str(err.msg, "1900 to 2299", "saying its range");
    free(b.s);
    memset(&b, 0, sizeof b);
    chd_value_tsv(&b, &yes, &new_dl, &err);
    textbuf_add(&b, " ");
    chd_value_tsv(&b, &yes, &old_dl, &err);
    textbuf_add(&b, " ");
    chd_value_tsv(&b, &third, &old_dl, &err);
    textbuf_add(&b, " ");
    chd_value_tsv(&b, &tenth, &old_dl, &err);
    textbuf_add(&b, " ");
    chd_value_tsv(&b, &inf, &old_dl, &err);
    is_str(b.s, "true 1 0.3333333333333333 0.1 inf", "booleans and the shortest exact floats");
    free(b.s);
    memset(&b, 0, sizeof b);
    chd_value_literal(&b, &(value){.type = T_STRING, .ptr = "it's\\", .len = 5}, 0, &old_dl, &err);
    is_str(b.s, "'it\\'s\\\\'", "a string literal");
    free(b.s);
    memset(&b, 0, sizeof b);
    chd_value_literal(&b, &(value){.type = T_DECIMAL, .ptr = "-1.50", .len = 5}, 10, &old_dl, &err);
    is_str(b.s, "CAST('-1.50' AS Decimal(10, 2))", "a DECIMAL literal has its column's type");
    free(b.s);
    ok(chd_value_parse("2024-01-01 04:00:00.500000", 26, T_UTC_DATETIME, &new_dl, &v, &err) ==
               CH_OK &&
           strcmp(v.ptr, "2024-01-01T04:00:00.500000Z") == 0,
       "DateTime64's text reads back as the contract's");
    ok(chd_value_parse("true", 4, T_BOOLEAN, &new_dl, &v, &err) == CH_OK && v.i == 1,
       "Bool's true reads back");
    ok(chd_value_parse("maybe", 5, T_BOOLEAN, &new_dl, &v, &err) == CH_ERROR,
       "an unreadable boolean is refused");
    ok(chd_value_parse("0.1", 3, T_FLOAT, &old_dl, &v, &err) == CH_OK && v.d == (double)0.1f,
       "a Float32's text reads back as the float");
    value_free(&v);
}

static void rows(void)
{
    chd_rows m = {0};
    char key[16];
    int all = 1;
    for (int i = 0; i < 5000; i++) {
        chd_row *row;
        snprintf(key, sizeof key, "k%d", i % 3000);
        row = chd_row_new(key, 2);
        if (row == NULL) {
            all = 0;
            break;
        }
        row->deleted = i;
        all = all && chd_rows_put(&m, row) == CH_OK;
    }
    ok(all && m.count == 3000, "3000 keys after 5000 puts (%zu)", m.count);
    ok(chd_rows_find(&m, "k42") && chd_rows_find(&m, "k42")->deleted == 3042,
       "a key's row is its last put");
    ok(chd_rows_find(&m, "k3000") == NULL, "an absent key is not found");
    chd_rows_free(&m);
}

int main(void)
{
    dialects();
    types();
    ddl();
    quoting();
    values();
    rows();
    return tap_done();
}

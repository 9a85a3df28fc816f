/*
 * types.c - the `types` connector: one declared column of every type, and
 * upserts of edge values that must land in the warehouse exactly (checked
 * value by value by tests/types.sh). Rows 1-9 use each column's own setter;
 * rows 10-12 reach the columns through other setters the host converts
 * exactly. Every run writes the same rows, so a second run changes nothing
 * but _fivetran_synced.
 */
#include <connector-host.h>
#include <float.h>
#include <math.h>
#include <stdint.h>

#define T "typed"

static int types_schema(ch_schema *schema, const ch_config *config)
{
    ch_table *t = ch_schema_table(schema, T);
    (void)config;
    ch_table_primary_key(t, "id");
    ch_table_column(t, "id", "INT");
    ch_table_column(t, "v_boolean", "BOOLEAN");
    ch_table_column(t, "v_short", "SHORT");
    ch_table_column(t, "v_int", "INT");
    ch_table_column(t, "v_long", "LONG");
    ch_table_column(t, "v_dec38", "DECIMAL(38,0)");
    ch_table_column(t, "v_dec10", "DECIMAL(10,2)");
    ch_table_column(t, "v_float", "FLOAT");
    ch_table_column(t, "v_double", "DOUBLE");
    ch_table_column(t, "v_date", "NAIVE_DATE");
    ch_table_column(t, "v_time", "NAIVE_TIME");
    ch_table_column(t, "v_naive_datetime", "NAIVE_DATETIME");
    ch_table_column(t, "v_utc_datetime", "UTC_DATETIME");
    ch_table_column(t, "v_binary", "BINARY");
    ch_table_column(t, "v_xml", "XML");
    ch_table_column(t, "v_string", "STRING");
    ch_table_column(t, "v_json", "JSON");
    return CH_OK;
}

/* Every non-key column, for the all-NULL row. */
static const char *const columns[] = {
    "v_boolean", "v_short",  "v_int",    "v_long", "v_dec38",          "v_dec10",
    "v_float",   "v_double", "v_date",   "v_time", "v_naive_datetime", "v_utc_datetime",
    "v_binary",  "v_xml",    "v_string", "v_json",
};

#define NINES38 "99999999999999999999999999999999999999"

/* Row 1: the minimum of every range, and a first sample of each text type. */
static void row_minimums(ch_row *r)
{
    static const unsigned char bytes[] = {0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff, 0x00};
    ch_row_set_int(r, "id", 1);
    ch_row_set_boolean(r, "v_boolean", 0);
    ch_row_set_short(r, "v_short", INT16_MIN);
    ch_row_set_int(r, "v_int", INT32_MIN);
    ch_row_set_long(r, "v_long", INT64_MIN);
    ch_row_set_decimal(r, "v_dec38", "-" NINES38);
    ch_row_set_decimal(r, "v_dec10", "-12345678.90");
    ch_row_set_float(r, "v_float", -FLT_MAX);
    ch_row_set_double(r, "v_double", -DBL_MAX);
    ch_row_set_naive_date(r, "v_date", "0001-01-01");
    ch_row_set_naive_time(r, "v_time", "00:00:00");
    ch_row_set_naive_datetime(r, "v_naive_datetime", "0001-01-01 00:00:00");
    ch_row_set_utc_datetime(r, "v_utc_datetime", "2024-02-29T03:00:00+05:30");
    ch_row_set_binary(r, "v_binary", bytes, sizeof bytes);
    ch_row_set_xml(r, "v_xml", "<?xml version=\"1.0\"?><r a=\"1\">&lt;x&gt; \xc3\xbc</r>");
    ch_row_set_string(r, "v_string",
                      "Gr\xc3\xbc\xc3\x9f"
                      "e, \xe6\x97\xa5\xe6\x9c\xac, \xf0\x9f\x8e\x89");
    ch_row_set_json(r, "v_json", "{\"a\":[1,2.5,null],\"\xc3\xbc\":\"\xe6\x97\xa5\"}");
}

/* Row 2: the maximum of every range, and the empty values. */
static void row_maximums(ch_row *r)
{
    ch_row_set_int(r, "id", 2);
    ch_row_set_boolean(r, "v_boolean", 42); /* any non-zero is true */
    ch_row_set_short(r, "v_short", INT16_MAX);
    ch_row_set_int(r, "v_int", INT32_MAX);
    ch_row_set_long(r, "v_long", INT64_MAX);
    ch_row_set_decimal(r, "v_dec38", NINES38);
    ch_row_set_decimal(r, "v_dec10", "0.5");
    ch_row_set_float(r, "v_float", FLT_MAX);
    ch_row_set_double(r, "v_double", DBL_MAX);
    ch_row_set_naive_date(r, "v_date", "9999-12-31");
    ch_row_set_naive_time(r, "v_time", "23:59:59.999999");
    ch_row_set_naive_datetime(r, "v_naive_datetime", "9999-12-31T23:59:59.999999");
    ch_row_set_utc_datetime(r, "v_utc_datetime", "2023-12-31T20:00:00-08:00");
    ch_row_set_binary(r, "v_binary", "", 0);
    ch_row_set_xml(r, "v_xml", "");
    ch_row_set_string(r, "v_string", "");
    ch_row_set_json(r, "v_json", "[1,\"two\",[],{}]");
}

/* Row 3: every non-key column explicitly NULL. */
static void row_nulls(ch_row *r)
{
    ch_row_set_int(r, "id", 3);
    for (unsigned i = 0; i < sizeof columns / sizeof columns[0]; i++)
        ch_row_set_null(r, columns[i]);
}

/* Row 4: zeros, the smallest subnormals, the epoch. */
static void row_small(ch_row *r)
{
    ch_row_set_int(r, "id", 4);
    ch_row_set_short(r, "v_short", 0);
    ch_row_set_int(r, "v_int", 0);
    ch_row_set_long(r, "v_long", 0);
    ch_row_set_decimal(r, "v_dec38", "0");
    ch_row_set_decimal(r, "v_dec10", "-0.000"); /* negative zero is zero */
    ch_row_set_float(r, "v_float", FLT_TRUE_MIN);
    ch_row_set_double(r, "v_double", DBL_TRUE_MIN);
    ch_row_set_naive_date(r, "v_date", "1970-01-01");
    ch_row_set_naive_time(r, "v_time", "12:34:56.5");
    ch_row_set_naive_datetime(r, "v_naive_datetime", "1970-01-01T00:00:00.000001");
    ch_row_set_utc_datetime(r, "v_utc_datetime", "1970-01-01T00:00:00Z");
    ch_row_set_json(r, "v_json", "\"text \\\"quoted\\\" \\u00fc\"");
}

/* Row 5: values that are not exact in binary, a leap day, microseconds across midnight. */
static void row_fractions(ch_row *r)
{
    ch_row_set_int(r, "id", 5);
    ch_row_set_decimal(r, "v_dec10", "-0.01");
    ch_row_set_float(r, "v_float", 0.1f);
    ch_row_set_double(r, "v_double", 0.1);
    ch_row_set_naive_date(r, "v_date", "2024-02-29");
    ch_row_set_utc_datetime(r, "v_utc_datetime", "2024-02-28T20:15:30.123456-08:00");
    ch_row_set_json(r, "v_json", "-1.5e3");
}

/* Row 6: infinities, the last instant of 9999 reached through an offset. */
static void row_infinities(ch_row *r)
{
    ch_row_set_int(r, "id", 6);
    ch_row_set_float(r, "v_float", -INFINITY);
    ch_row_set_double(r, "v_double", INFINITY);
    ch_row_set_utc_datetime(r, "v_utc_datetime", "9999-12-31T15:59:59.999999-08:00");
    ch_row_set_json(r, "v_json", "true");
}

/* Row 7: large doubles, a +00:00 offset, JSON null (which is not SQL NULL). */
static void row_large(ch_row *r)
{
    ch_row_set_int(r, "id", 7);
    ch_row_set_float(r, "v_float", 16777216.0f);
    ch_row_set_double(r, "v_double", 1e308);
    ch_row_set_utc_datetime(r, "v_utc_datetime", "2024-06-15T12:00:00+00:00");
    ch_row_set_json(r, "v_json", "null");
}

/* Row 8: negative zeros, and an offset that moves the time back across the epoch. */
static void row_negative_zero(ch_row *r)
{
    ch_row_set_int(r, "id", 8);
    ch_row_set_utc_datetime(r, "v_utc_datetime", "1970-01-01T05:29:59.25+05:30");
    ch_row_set_float(r, "v_float", -0.0f);
    ch_row_set_double(r, "v_double", -0.0);
}

/* Row 9, first written full: the key-only upsert that follows must clear it. */
static void row_replaced(ch_row *r)
{
    row_maximums(r);
    ch_row_set_int(r, "id", 9);
}

static void row_key_only(ch_row *r)
{
    ch_row_set_int(r, "id", 9);
}

/* Row 10: through other setters, converted exactly. */
static void row_converted_a(ch_row *r)
{
    ch_row_set_long(r, "id", 10);
    ch_row_set_boolean(r, "v_boolean", -1);
    ch_row_set_int(r, "v_short", INT16_MIN);
    ch_row_set_long(r, "v_int", INT32_MAX);
    ch_row_set_string(r, "v_long", "-9223372036854775808");
    ch_row_set_long(r, "v_dec38", INT64_MIN);
    ch_row_set_string(r, "v_dec10", "0012345678.9");
    ch_row_set_int(r, "v_float", 16777216);
    ch_row_set_long(r, "v_double", INT64_C(9007199254740992));
    ch_row_set_string(r, "v_date", "2024-02-29");
    ch_row_set_string(r, "v_time", "23:59:59.999999");
    ch_row_set_string(r, "v_naive_datetime", "2024-02-29 12:00:00");
    ch_row_set_string(r, "v_utc_datetime", "2024-03-01T00:30:00+05:30");
    ch_row_set_string(r, "v_binary", "abc");
    ch_row_set_string(r, "v_xml", "<a/>");
    ch_row_set_long(r, "v_string", INT64_MIN);
    ch_row_set_string(r, "v_json", "{\"k\":[true,false]}");
}

/* Row 11: more conversions. */
static void row_converted_b(ch_row *r)
{
    ch_row_set_short(r, "id", 11);
    ch_row_set_boolean(r, "v_boolean", 0);
    ch_row_set_string(r, "v_short", "32767");
    ch_row_set_decimal(r, "v_int", "-2147483648.000");
    ch_row_set_double(r, "v_long", 4611686018427387904.0); /* 2^62 */
    ch_row_set_decimal(r, "v_dec38", "+000123.000");
    ch_row_set_int(r, "v_dec10", -5);
    ch_row_set_double(r, "v_float", 0.5);
    ch_row_set_float(r, "v_double", 0.1f);
    ch_row_set_utc_datetime(r, "v_utc_datetime", "2024-02-29 23:59:59.5Z");
    ch_row_set_xml(r, "v_binary", "<b/>");
    ch_row_set_double(r, "v_string", 0.1);
}

/* Row 12: and more. */
static void row_converted_c(ch_row *r)
{
    ch_row_set_decimal(r, "id", "12");
    ch_row_set_double(r, "v_short", -32768.0);
    ch_row_set_string(r, "v_int", "-2147483648");
    ch_row_set_decimal(r, "v_long", "9223372036854775807");
    ch_row_set_short(r, "v_dec38", INT16_MIN);
    ch_row_set_decimal(r, "v_dec10", "-12345678.9");
    ch_row_set_string(r, "v_float", "0.5");
    ch_row_set_decimal(r, "v_double", "0.1");
    ch_row_set_boolean(r, "v_string", 1);
    ch_row_set_utc_datetime(r, "v_utc_datetime", "0001-01-01T05:30:00+05:30");
}

static int types_update(ch_sync *sync, const ch_config *config)
{
    static void (*const rows[])(ch_row *) = {
        row_minimums,    row_maximums,    row_nulls,         row_small,    row_fractions,
        row_infinities,  row_large,       row_negative_zero, row_replaced, row_key_only,
        row_converted_a, row_converted_b, row_converted_c,
    };
    ch_row *row = ch_row_new();
    int rc = CH_OK;
    (void)config;
    if (row == NULL)
        return ch_fail(sync, "out of memory");
    for (unsigned i = 0; i < sizeof rows / sizeof rows[0] && rc == CH_OK; i++) {
        ch_row_clear(row);
        rows[i](row);
        rc = ch_upsert(sync, T, row);
    }
    ch_row_free(row);
    if (rc == CH_OK)
        rc = ch_state_set(sync, "rows", "12");
    if (rc == CH_OK)
        rc = ch_checkpoint(sync);
    return rc;
}

static const ch_connector types = {
    .name = "types",
    .description = "Upserts edge values of every column type",
    .schema = types_schema,
    .update = types_update,
};

int connector_plugin_init(ch_registry *registry)
{
    return CH_REGISTER(registry, &types);
}

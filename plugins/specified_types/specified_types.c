/*
 * specified_types.c - one declared column of every type, set with its setter.
 *
 * Declaring a column's type fixes it: the host converts each value to that
 * type exactly or fails the operation, and never widens the column. (Compare
 * unspecified_types, where the values decide.) Each type has its own setter;
 * the text setters take the formats shown below and check them at once.
 */
#include <connector-host.h>
#include <stdint.h>

#define TABLE "all_types"

static int specified_types_schema(ch_schema *schema, const ch_config *config)
{
    (void)config;
    ch_table *t = ch_schema_table(schema, TABLE);
    ch_table_primary_key(t, "id");
    ch_table_column(t, "id", "INT");
    ch_table_column(t, "is_active", "BOOLEAN");
    ch_table_column(t, "small", "SHORT");         /* 16-bit */
    ch_table_column(t, "medium", "INT");          /* 32-bit */
    ch_table_column(t, "large", "LONG");          /* 64-bit */
    ch_table_column(t, "price", "DECIMAL(10,2)"); /* exact: 10 digits, 2 after the point */
    ch_table_column(t, "ratio", "FLOAT");         /* 32-bit IEEE */
    ch_table_column(t, "measure", "DOUBLE");      /* 64-bit IEEE */
    ch_table_column(t, "birthday", "NAIVE_DATE");
    ch_table_column(t, "alarm", "NAIVE_TIME");
    ch_table_column(t, "local_time", "NAIVE_DATETIME"); /* wall clock, no zone */
    ch_table_column(t, "instant", "UTC_DATETIME");      /* a moment, stored in UTC */
    ch_table_column(t, "payload", "BINARY");
    ch_table_column(t, "document", "XML");
    ch_table_column(t, "name", "STRING");
    ch_table_column(t, "attributes", "JSON");
    return CH_OK;
}

/* Row 1: a typical value of every type. */
static void typical_row(ch_row *r)
{
    static const unsigned char bytes[] = {0xca, 0xfe, 0x00, 0x01};
    ch_row_set_int(r, "id", 1);
    ch_row_set_boolean(r, "is_active", 1);
    ch_row_set_short(r, "small", 12345);
    ch_row_set_int(r, "medium", 2000000000);
    ch_row_set_long(r, "large", INT64_C(9000000000000000000));
    /* DECIMAL as text, so no binary rounding: "19.9" is stored as 19.90. */
    ch_row_set_decimal(r, "price", "19.9");
    ch_row_set_float(r, "ratio", 0.25f); /* exactly representable */
    ch_row_set_double(r, "measure", 3.141592653589793);
    ch_row_set_naive_date(r, "birthday", "1990-07-15");
    ch_row_set_naive_time(r, "alarm", "06:30:00");
    ch_row_set_naive_datetime(r, "local_time", "2024-03-10T02:30:00");
    /* An offset is applied: this is 2024-03-10T07:00:00Z. */
    ch_row_set_utc_datetime(r, "instant", "2024-03-10T08:00:00+01:00");
    ch_row_set_binary(r, "payload", bytes, sizeof bytes);
    ch_row_set_xml(r, "document", "<note lang=\"en\">hi</note>");
    ch_row_set_string(r, "name", "Zo\xc3\xab"); /* UTF-8 */
    ch_row_set_json(r, "attributes", "{\"tags\":[\"a\",\"b\"],\"score\":9.5}");
}

/* Row 2: the other end of each range; unset columns are NULL. */
static void extreme_row(ch_row *r)
{
    ch_row_set_int(r, "id", 2);
    ch_row_set_boolean(r, "is_active", 0);
    ch_row_set_short(r, "small", INT16_MIN);
    ch_row_set_int(r, "medium", INT32_MIN);
    ch_row_set_long(r, "large", INT64_MIN);
    ch_row_set_decimal(r, "price", "-99999999.99");
    ch_row_set_float(r, "ratio", -1.5f);
    ch_row_set_double(r, "measure", -1e-300);
    ch_row_set_naive_date(r, "birthday", "2024-02-29");
    ch_row_set_naive_time(r, "alarm", "23:59:59.999999");
    /* A space instead of the T is accepted and stored with the T. */
    ch_row_set_naive_datetime(r, "local_time", "1999-12-31 23:59:59");
    ch_row_set_utc_datetime(r, "instant", "1999-12-31T23:59:59Z");
    ch_row_set_binary(r, "payload", "", 0); /* empty, which is not NULL */
    ch_row_set_null(r, "document");         /* explicitly NULL, same as not set */
    ch_row_set_string(r, "name", "");
    ch_row_set_json(r, "attributes", "null"); /* JSON null, which is not SQL NULL */
}

static int specified_types_update(ch_sync *sync, const ch_config *config)
{
    (void)config;
    ch_row *row = ch_row_new();
    if (row == NULL)
        return ch_fail(sync, "out of memory");
    typical_row(row);
    int rc = ch_upsert(sync, TABLE, row);
    if (rc == CH_OK) {
        ch_row_clear(row); /* reuse the row's memory; forget its values */
        extreme_row(row);
        rc = ch_upsert(sync, TABLE, row);
    }
    ch_row_free(row);
    /* The same two rows every run: there is nothing to remember in state. */
    return rc == CH_OK ? ch_checkpoint(sync) : rc;
}

static const ch_connector specified_types = {
    .name = "specified_types",
    .description = "Declares a column of every type and upserts values into each",
    .schema = specified_types_schema,
    .update = specified_types_update,
};

int connector_plugin_init(ch_registry *registry)
{
    return CH_REGISTER(registry, &specified_types);
}

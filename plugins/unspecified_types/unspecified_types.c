/*
 * unspecified_types.c - columns typed by their values, and widened.
 *
 * The schema names the table and its key but declares no column types. The
 * host then types each column from the first non-NULL value written to it
 * (by which setter was used), and when a later value does not fit, widens
 * the column to a type that holds both without loss: SHORT < INT < LONG <
 * DOUBLE or DECIMAL; any other mix becomes STRING. Values already stored are
 * converted in the same transaction. The types are recorded in the warehouse
 * (table _connector_columns), so widening continues across syncs.
 *
 * The first sync writes rows 1-3; the second, row 4, which widens a column
 * typed by the first sync and adds a column. Later syncs write row 4 again,
 * which changes no type. The state counts the syncs to know which is which.
 */
#include <connector-host.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define TABLE "readings"

static int unspecified_types_schema(ch_schema *schema, const ch_config *config)
{
    (void)config;
    /* A key must keep its storage, so it is typed once by its first value
       and never widened: here, id is always set with ch_row_set_int. */
    ch_table_primary_key(ch_schema_table(schema, TABLE), "id");
    return CH_OK;
}

static int first_sync(ch_sync *sync, ch_row *r)
{
    ch_row_set_int(r, "id", 1);
    ch_row_set_int(r, "count", 1);                 /* count: INT */
    ch_row_set_int(r, "code", 42);                 /* code: INT */
    ch_row_set_boolean(r, "flag", 1);              /* flag: BOOLEAN */
    ch_row_set_naive_date(r, "day", "2024-01-01"); /* day: NAIVE_DATE */
    ch_row_set_null(r, "note");                    /* NULL types nothing yet */
    if (ch_upsert(sync, TABLE, r) != CH_OK)
        return CH_ERROR;

    ch_row_clear(r);
    ch_row_set_int(r, "id", 2);
    ch_row_set_long(r, "count", INT64_C(5000000000)); /* INT -> LONG */
    ch_row_set_string(r, "code", "A-7");              /* INT -> STRING: row 1's 42 becomes "42" */
    ch_row_set_string(r, "note", "first note");       /* note: STRING, its first value */
    if (ch_upsert(sync, TABLE, r) != CH_OK)
        return CH_ERROR;

    ch_row_clear(r);
    ch_row_set_int(r, "id", 3);
    ch_row_set_double(r, "count", 2.5); /* LONG -> DOUBLE: 1 and 5000000000 are exact doubles */
    return ch_upsert(sync, TABLE, r);
}

static int later_sync(ch_sync *sync, ch_row *r)
{
    ch_row_set_int(r, "id", 4);
    ch_row_set_short(r, "count", 3);                    /* a SHORT fits a DOUBLE: no change */
    ch_row_set_string(r, "flag", "unknown");            /* BOOLEAN -> STRING: true becomes "true" */
    ch_row_set_string(r, "comment", "added in sync 2"); /* a new column */
    return ch_upsert(sync, TABLE, r);
}

static int unspecified_types_update(ch_sync *sync, const ch_config *config)
{
    (void)config;
    /* ch_state_get returns NULL on the first sync: the state is {}. */
    const char *seen = ch_state_get(sync, "syncs");
    long syncs = seen ? strtol(seen, NULL, 10) : 0;

    ch_row *row = ch_row_new();
    if (row == NULL)
        return ch_fail(sync, "out of memory");
    int rc = syncs == 0 ? first_sync(sync, row) : later_sync(sync, row);
    ch_row_free(row);
    if (rc != CH_OK)
        return rc;

    char text[32];
    snprintf(text, sizeof text, "%ld", syncs + 1);
    if (ch_state_set(sync, "syncs", text) != CH_OK)
        return CH_ERROR;
    return ch_checkpoint(sync);
}

static const ch_connector unspecified_types = {
    .name = "unspecified_types",
    .description = "Declares no column types: the host infers and widens them",
    .schema = unspecified_types_schema,
    .update = unspecified_types_update,
};

int connector_plugin_init(ch_registry *registry)
{
    return CH_REGISTER(registry, &unspecified_types);
}

/*
 * evolve.c - schema evolution over several syncs, one per configuration "step".
 *
 * Table `items` declares only its key, so every other column is inferred and
 * widened; table `fixed` declares `val` with the type given by the
 * configuration key "fixed_type" (INT by default), to change a declaration
 * between syncs. Steps times1 and times2 widen times to STRING in table
 * `stamps`; times_kill dies mid-sync; moments writes times into a table
 * without a primary key.
 */
#include <connector-host.h>
#include <signal.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

static int schema(ch_schema *s, const ch_config *config)
{
    const char *fixed_type = ch_config_get(config, "fixed_type");
    ch_table *items = ch_schema_table(s, "items");
    ch_table *fixed = ch_schema_table(s, "fixed");
    ch_table *stamps = ch_schema_table(s, "stamps");
    ch_table_primary_key(items, "id");
    ch_table_primary_key(fixed, "id");
    ch_table_primary_key(stamps, "id"); /* its other columns are inferred */
    ch_table_column(fixed, "id", "INT");
    ch_table_column(fixed, "val", fixed_type ? fixed_type : "INT");
    return CH_OK;
}

/* Upserts items row `id` with one more column set by the caller. */
#define ITEM(setter, column, ...)                                                                  \
    do {                                                                                           \
        ch_row_clear(row);                                                                         \
        ch_row_set_int(row, "id", id++);                                                           \
        setter(row, column, __VA_ARGS__);                                                          \
        if (ch_upsert(sync, "items", row) != CH_OK)                                                \
            goto done;                                                                             \
    } while (0)

static int step1(ch_sync *sync, ch_row *row)
{
    int id = 1, rc = CH_ERROR;
    /* One row types every column from its first value. */
    ch_row_set_int(row, "id", id++);
    ch_row_set_short(row, "count", 5);
    ch_row_set_decimal(row, "price", "1.5");
    ch_row_set_float(row, "ratio", 0.5f);
    ch_row_set_boolean(row, "flag", 1);
    ch_row_set_string(row, "note", "x");
    ch_row_set_int(row, "big", 7);
    ch_row_set_naive_date(row, "day", "2024-02-29");
    if (ch_upsert(sync, "items", row) != CH_OK)
        goto done;
    ITEM(ch_row_set_int, "count", 70000);       /* SHORT -> INT */
    ITEM(ch_row_set_decimal, "price", "2.125"); /* DECIMAL(38,1) -> DECIMAL(38,3) */
    ITEM(ch_row_set_double, "ratio", 0.1);      /* FLOAT -> DOUBLE */
    ITEM(ch_row_set_string, "flag", "maybe");   /* BOOLEAN -> STRING */
    ITEM(ch_row_set_double, "big", 2.5);        /* INT -> DOUBLE */
    ITEM(ch_row_set_string, "extra", "new");    /* a new column mid-sync */
    ITEM(ch_row_set_short, "count", 3);         /* narrower: stays INT */
    ch_row_clear(row);
    ch_row_set_int(row, "id", 1);
    ch_row_set_int(row, "val", 70000);
    rc = ch_upsert(sync, "fixed", row);
done:
    return rc;
}

static int step2(ch_sync *sync, ch_row *row)
{
    int id = 9, rc = CH_ERROR;
    ITEM(ch_row_set_long, "count", INT64_C(5000000000));           /* INT -> LONG, across syncs */
    ITEM(ch_row_set_int, "note", 3);                               /* STRING keeps "3" */
    ITEM(ch_row_set_double, "price", 0.25);                        /* DECIMAL + DOUBLE -> STRING */
    ITEM(ch_row_set_long, "big", INT64_C(9007199254740993));       /* not a DOUBLE -> STRING */
    ITEM(ch_row_set_naive_datetime, "day", "2024-03-01T10:00:00"); /* DATE + DATETIME -> STRING */
    rc = CH_OK;
done:
    return rc;
}

static int update(ch_sync *sync, const ch_config *config)
{
    const char *step = ch_config_get(config, "step");
    ch_row *row = ch_row_new();
    int rc;
    if (row == NULL)
        return CH_ERROR;
    if (step == NULL || strcmp(step, "1") == 0) {
        rc = step1(sync, row);
    } else if (strcmp(step, "2") == 0) {
        rc = step2(sync, row);
    } else if (strcmp(step, "key") == 0) {
        /* A STRING key where the warehouse holds INT keys: refused. */
        ch_row_set_string(row, "id", "abc");
        rc = ch_upsert(sync, "items", row);
    } else if (strcmp(step, "later1") == 0) {
        /* Table `later` over two syncs: types and spellings must come from the warehouse. */
        ch_row_set_int(row, "id", 1);
        ch_row_set_boolean(row, "Foo Bar", 1);
        ch_row_set_int(row, "code", 5);
        rc = ch_upsert(sync, "later", row);
    } else if (strcmp(step, "later2") == 0) {
        ch_row_set_int(row, "id", 2);
        ch_row_set_string(row, "code", "007");
        rc = ch_upsert(sync, "later", row);
        ch_row_clear(row);
        ch_row_set_int(row, "id", 3);
        ch_row_set_boolean(row, "Foo Bar", 0);
        if (rc == CH_OK)
            rc = ch_upsert(sync, "later", row);
    } else if (strcmp(step, "badlog") == 0) {
        ch_log_info(sync, "bytes \xff\xfe are not UTF-8");
        rc = CH_OK;
    } else if (strcmp(step, "times1") == 0) {
        /* Undeclared times in table `stamps`, to widen to STRING in step times2. */
        ch_row_set_int(row, "id", 1);
        ch_row_set_utc_datetime(row, "at", "2024-01-01T00:00:00.5+01:00");
        ch_row_set_naive_datetime(row, "local", "2024-01-01 08:00:00");
        ch_row_set_naive_time(row, "alarm", "06:30:00");
        rc = ch_upsert(sync, "stamps", row);
    } else if (strcmp(step, "times2") == 0) {
        /* The stored times become STRING: their text is the contract's, in every destination. */
        ch_row_set_int(row, "id", 2);
        ch_row_set_string(row, "at", "soon");
        ch_row_set_string(row, "local", "later");
        ch_row_set_string(row, "alarm", "never");
        rc = ch_upsert(sync, "stamps", row);
    } else if (strcmp(step, "times_kill") == 0) {
        /* Killed with the first operation applied and not committed. */
        ch_row_set_int(row, "id", 1);
        ch_row_set_utc_datetime(row, "at", "2024-01-01T00:00:00.5+01:00");
        rc = ch_upsert(sync, "stamps", row);
        raise(SIGKILL);
    } else if (strcmp(step, "moments") == 0) {
        /* Table `moments` has no primary key: its rows are keyed by a hash of their values. */
        ch_row_set_int(row, "n", 1);
        ch_row_set_utc_datetime(row, "at", "2024-01-01T00:00:00Z");
        ch_row_set_naive_time(row, "alarm", "06:30:00");
        rc = ch_upsert(sync, "moments", row);
        ch_row_clear(row);
        ch_row_set_int(row, "n", 2);
        ch_row_set_utc_datetime(row, "at", "2024-01-01T01:00:00.5+01:00");
        if (rc == CH_OK)
            rc = ch_upsert(sync, "moments", row);
    } else if (strcmp(step, "binary") == 0) {
        /* Bytes that are not UTF-8 cannot join a STRING column. */
        ch_row_set_int(row, "id", 100);
        ch_row_set_binary(row, "note", "\xff\xfe", 2);
        rc = ch_upsert(sync, "items", row);
    } else {
        /* the declared table's type changes via fixed_type alone; fixed_id spares row 2 */
        const char *id = ch_config_get(config, "fixed_id");
        ch_row_set_int(row, "id", id ? atoi(id) : 2);
        if (ch_config_get(config, "fixed_float")) /* a float that no double text equals */
            ch_row_set_float(row, "val", strtof(ch_config_get(config, "fixed_float"), NULL));
        else
            ch_row_set_int(row, "val", 1);
        rc = ch_upsert(sync, "fixed", row);
    }
    ch_row_free(row);
    return rc == CH_OK ? ch_checkpoint(sync) : rc;
}

static const ch_connector evolve = {
    .name = "evolve",
    .description = "Schema evolution: inference, widening, declared type changes",
    .schema = schema,
    .update = update,
};

int connector_plugin_init(ch_registry *registry)
{
    return CH_REGISTER(registry, &evolve);
}

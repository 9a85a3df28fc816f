/*
 * badops.c - one connector, `badops`, whose configuration key `case` picks a
 * schema mistake or a bad operation, for the error catalogue (tests/catalogue.sh).
 *
 * case=good (or no configuration) declares the tables and writes good rows
 * with one checkpoint; the table `loose` declares only its key, so its
 * columns are typed from their values (k and n become LONG). Every other case first upserts a good
 * row into `other` (which the failure must roll back), then performs its one bad operation, then
 * ignores the result: it sets the state, checkpoints and returns CH_OK, so the host alone must
 * notice that the sync failed. Case idle_redeclare declares items.i as LONG and writes nothing.
 * Cases named schema_* break the schema instead and never reach update. Cases crash_* kill the host
 * with a signal; case sleep waits 2 s (for a test to signal the host) and then upserts.
 */
#include <connector-host.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <time.h>

static const char *case_of(const ch_config *config)
{
    const char *c = ch_config_get(config, "case");
    return c ? c : "good";
}

static int is(const char *c, const char *name)
{
    return strcmp(c, name) == 0;
}

/* items: every checked type; log: no primary key; other: the row rolled back; loose: inferred. */
static void declare_items(ch_schema *s, const char *key, const char *name_type, const char *i_type)
{
    ch_table *t = ch_schema_table(s, "items");
    ch_table_primary_key(t, key);
    ch_table_column(t, "id", "LONG");
    ch_table_column(t, "name", name_type);
    ch_table_column(t, "i", i_type);
    ch_table_column(t, "s", "SHORT");
    ch_table_column(t, "amount", "DECIMAL(5,2)");
    ch_table_column(t, "day", "NAIVE_DATE");
    ch_table_column(t, "at", "NAIVE_TIME");
    ch_table_column(t, "ndt", "NAIVE_DATETIME");
    ch_table_column(t, "utc", "UTC_DATETIME");
    ch_table_column(t, "doc", "JSON");
    ch_table_column(t, "flag", "BOOLEAN");
    ch_table_column(t, "f", "FLOAT");
    ch_table_column(t, "d", "DOUBLE");
    ch_table_column(t, "bin", "BINARY");
}

static int schema(ch_schema *s, const ch_config *config)
{
    const char *c = case_of(config);
    ch_table *t;
    declare_items(s, is(c, "pkchange") ? "name" : "id", is(c, "retype") ? "INT" : "STRING",
                  is(c, "idle_redeclare") ? "LONG" : "INT");
    t = ch_schema_table(s, "loose");
    ch_table_primary_key(t, "k");
    ch_table_column(ch_schema_table(s, "log"), "msg", "STRING");
    t = ch_schema_table(s, "other");
    ch_table_primary_key(t, "k");
    ch_table_column(t, "k", "STRING");

    if (strncmp(c, "schema_", 7) != 0)
        return CH_OK;
    c += 7;
    t = ch_schema_table(s, "extra");
    if (is(c, "empty_table")) {
        ch_schema_table(s, "");
    } else if (is(c, "dup_table")) {
        ch_schema_table(s, "items");
    } else if (is(c, "table_collide")) {
        ch_schema_table(s, "Extra");
    } else if (is(c, "empty_column")) {
        ch_table_column(t, "", "STRING");
    } else if (is(c, "dup_column")) {
        ch_table_column(t, "a", "STRING");
        ch_table_column(t, "a", "LONG");
    } else if (is(c, "system_column")) {
        ch_table_column(t, "_Fivetran_Synced", "STRING");
    } else if (is(c, "column_collide")) {
        ch_table_column(t, "a b", "STRING");
        ch_table_column(t, "A-B", "STRING");
    } else if (is(c, "empty_key")) {
        ch_table_primary_key(t, "");
    } else if (is(c, "dup_key")) {
        ch_table_primary_key(t, "a");
        ch_table_primary_key(t, "a");
    } else if (is(c, "missing_type")) {
        ch_table_column(t, "a", "");
    } else if (is(c, "decimal_bare")) {
        ch_table_column(t, "a", "DECIMAL");
    } else if (is(c, "decimal_syntax")) {
        ch_table_column(t, "a", "DECIMAL(10)");
    } else if (is(c, "decimal_scale")) {
        ch_table_column(t, "a", "DECIMAL(5,6)");
    } else if (is(c, "decimal_zero")) {
        ch_table_column(t, "a", "DECIMAL(0,0)");
    } else if (is(c, "many")) {
        char name[8];
        for (int i = 0; i < 20; i++) {
            name[0] = 'c';
            name[1] = (char)('a' + i);
            name[2] = '\0';
            ch_table_column(t, name, "NOPE");
        }
    } else if (is(c, "handler_error")) {
        return CH_ERROR; /* a valid schema, but the handler says it failed */
    } else if (is(c, "handler_error_invalid")) {
        ch_table_column(t, "a", "TEXTY");
        return CH_ERROR;
    }
    return CH_OK;
}

static int good(ch_sync *sync)
{
    ch_row *r = ch_row_new();
    int rc;
    static const unsigned char bytes[] = {0, 1, 2};
    ch_row_set_long(r, "id", 1);
    ch_row_set_string(r, "name", "first");
    ch_row_set_int(r, "i", 7);
    ch_row_set_short(r, "s", 3);
    ch_row_set_decimal(r, "amount", "123.45");
    ch_row_set_naive_date(r, "day", "2026-02-28");
    ch_row_set_naive_time(r, "at", "23:59:59");
    ch_row_set_naive_datetime(r, "ndt", "2026-02-28T12:00:00");
    ch_row_set_utc_datetime(r, "utc", "2026-02-28T12:00:00+01:00");
    ch_row_set_json(r, "doc", "{\"a\": [1, 2]}");
    ch_row_set_boolean(r, "flag", 1);
    ch_row_set_float(r, "f", 0.5f);
    ch_row_set_double(r, "d", 0.1);
    ch_row_set_binary(r, "bin", bytes, sizeof bytes);
    rc = ch_upsert(sync, "items", r);
    ch_row_clear(r);
    ch_row_set_long(r, "id", 2);
    ch_row_set_string(r, "name", "second");
    if (rc == CH_OK)
        rc = ch_upsert(sync, "items", r);
    ch_row_clear(r);
    ch_row_set_string(r, "msg", "hello");
    if (rc == CH_OK)
        rc = ch_upsert(sync, "log", r);
    ch_row_clear(r);
    ch_row_set_string(r, "k", "kept");
    if (rc == CH_OK)
        rc = ch_upsert(sync, "other", r);
    ch_row_clear(r);
    ch_row_set_long(r, "k", 1);
    ch_row_set_long(r, "n", 5);
    if (rc == CH_OK)
        rc = ch_upsert(sync, "loose", r);
    ch_row_free(r);
    if (rc == CH_OK)
        rc = ch_state_set(sync, "cursor", "good");
    if (rc == CH_OK)
        rc = ch_checkpoint(sync);
    return rc;
}

/* The one bad (or, for the destination cases, ordinary) operation of case c. */
static void bad(ch_sync *sync, const char *c)
{
    ch_row *r = ch_row_new();
    ch_row_set_long(r, "id", 1);

    /* values that do not convert to the declared column type */
    if (is(c, "int_range")) {
        ch_row_set_long(r, "i", 3000000000LL);
    } else if (is(c, "short_overflow")) {
        ch_row_set_int(r, "s", 40000);
    } else if (is(c, "decimal_precision")) {
        ch_row_set_decimal(r, "amount", "1234.5");
    } else if (is(c, "decimal_scale")) {
        ch_row_set_decimal(r, "amount", "1.234");
    } else if (is(c, "date_string")) {
        ch_row_set_string(r, "day", "2026-02-30");
    } else if (is(c, "time_string")) {
        ch_row_set_string(r, "at", "24:00:00");
    } else if (is(c, "datetime_string")) {
        ch_row_set_string(r, "ndt", "2026-01-01");
    } else if (is(c, "utc_string")) {
        ch_row_set_string(r, "utc", "2026-01-01T10:00:00");
    } else if (is(c, "json_string")) {
        ch_row_set_string(r, "doc", "{\"a\": 1");
    } else if (is(c, "string_boolean")) {
        ch_row_set_string(r, "flag", "true");
    } else if (is(c, "double_int")) {
        ch_row_set_double(r, "i", 1.5);
    } else if (is(c, "double_float")) {
        ch_row_set_double(r, "f", 0.1);
    } else if (is(c, "long_double")) {
        ch_row_set_long(r, "d", 9007199254740993LL);
    } else if (is(c, "string_int")) {
        ch_row_set_string(r, "i", "12abc");
    } else if (is(c, "boolean_int")) {
        ch_row_set_boolean(r, "i", 1);
    } else if (is(c, "binary_string")) {
        ch_row_set_binary(r, "name", "\xff\xfe", 2);
    } else if (is(c, "long_binary")) {
        ch_row_set_long(r, "bin", 5);
    } else if (is(c, "string_decimal")) {
        ch_row_set_string(r, "amount", "ten");
        /* values the setters refuse */
    } else if (is(c, "date_setter")) {
        ch_row_set_naive_date(r, "day", "2026-02-30");
    } else if (is(c, "time_setter")) {
        ch_row_set_naive_time(r, "at", "24:00:00");
    } else if (is(c, "datetime_setter")) {
        ch_row_set_naive_datetime(r, "ndt", "2026-01-01T10:60:00");
    } else if (is(c, "utc_setter")) {
        ch_row_set_utc_datetime(r, "utc", "2026-01-01T10:00:00");
    } else if (is(c, "utc_years")) {
        ch_row_set_utc_datetime(r, "utc", "0001-01-01T00:30:00+01:00");
    } else if (is(c, "json_setter")) {
        ch_row_set_json(r, "doc", "{\"a\": 1");
    } else if (is(c, "utf8_setter")) {
        ch_row_set_string(r, "name", "caf\xe9");
    } else if (is(c, "nan_setter")) {
        ch_row_set_double(r, "d", NAN);
    } else if (is(c, "decimal_setter")) {
        ch_row_set_decimal(r, "amount", "12a");
    } else if (is(c, "decimal_digits")) {
        ch_row_set_decimal(r, "amount", "123456789012345678901234567890123456789");
    } else if (is(c, "binary_setter")) {
        ch_row_set_binary(r, "bin", NULL, 3);
    } else if (is(c, "empty_column")) {
        ch_row_set_string(r, "", "x");
        /* undeclared names that do not fit */
    } else if (is(c, "column_collide")) {
        ch_row_set_string(r, "Name", "x");
    } else if (is(c, "system_column")) {
        ch_row_set_boolean(r, "_fivetran_deleted", 1);
    } else if (is(c, "table_collide")) {
        ch_upsert(sync, "Items", r);
        goto out;
    } else if (is(c, "reserved_table")) {
        ch_upsert(sync, "_Connector_Extra", r);
        goto out;
    }
    /* inferred columns that must widen */
    else if (is(c, "widen")) {
        ch_row_clear(r);
        ch_row_set_long(r, "k", 2);
        ch_row_set_string(r, "n", "text");
        ch_upsert(sync, "loose", r);
        goto out;
    } else if (is(c, "key_widen")) {
        ch_row_clear(r);
        ch_row_set_string(r, "k", "abc");
        ch_upsert(sync, "loose", r);
        goto out;
    } else if (is(c, "wide_table")) {
        ch_upsert(sync, "wide", r);
        goto out;
    }
    /* keys */
    else if (is(c, "upsert_no_key")) {
        ch_row_clear(r);
        ch_row_set_string(r, "name", "no key");
    } else if (is(c, "update_null_key")) {
        ch_row_set_null(r, "id");
        ch_update(sync, "items", r);
        goto out;
    } else if (is(c, "delete_no_key")) {
        ch_row_clear(r);
        ch_delete(sync, "items", r);
        goto out;
    } else if (is(c, "update_keyless")) {
        ch_row_clear(r);
        ch_row_set_string(r, "msg", "hello");
        ch_update(sync, "log", r);
        goto out;
    } else if (is(c, "delete_keyless")) {
        ch_row_clear(r);
        ch_row_set_string(r, "msg", "hello");
        ch_delete(sync, "log", r);
        goto out;
    }
    /* calls without a table or a row */
    else if (is(c, "upsert_no_table")) {
        ch_upsert(sync, NULL, r);
        goto out;
    } else if (is(c, "update_empty_table")) {
        ch_update(sync, "", r);
        goto out;
    } else if (is(c, "truncate_no_table")) {
        ch_truncate(sync, "");
        goto out;
    } else if (is(c, "no_row")) {
        ch_upsert(sync, "items", NULL);
        goto out;
    }
    /* two failures: the first is the one reported */
    else if (is(c, "two_errors")) {
        ch_row_set_long(r, "i", 3000000000LL);
        ch_upsert(sync, "items", r);
        ch_row_clear(r);
        ch_upsert(sync, NULL, r);
        goto out;
    }
    /* state */
    else if (is(c, "state_null")) {
        ch_state_set(sync, "cursor", NULL);
        goto out;
    } else if (is(c, "state_utf8")) {
        ch_state_set(sync, "cursor", "\xc3\x28");
        goto out;
    } else if (is(c, "state_json_syntax")) {
        ch_state_set_json(sync, "{\"cursor\": }");
        goto out;
    } else if (is(c, "state_json_array")) {
        ch_state_set_json(sync, "[\"cursor\"]");
        goto out;
    } else if (is(c, "state_json_empty")) {
        ch_state_set_json(sync, "");
        goto out;
    } else if (is(c, "state_json_null")) {
        ch_state_set_json(sync, NULL);
        goto out;
    }
    /* ordinary operations, for the destination and warning cases */
    else if (is(c, "upsert_new")) {
        ch_row_set_long(r, "id", 3);
    } else if (is(c, "update")) {
        ch_row_set_string(r, "name", "changed");
        ch_update(sync, "items", r);
        goto out;
    } else if (is(c, "delete")) {
        ch_delete(sync, "items", r);
        goto out;
    } else if (is(c, "truncate")) {
        ch_truncate(sync, "items");
        goto out;
    } else if (is(c, "new_table")) {
        ch_row_clear(r);
        ch_row_set_string(r, "note", "undeclared");
        ch_upsert(sync, "fresh", r);
        goto out;
    } else if (is(c, "update_missing")) {
        ch_row_set_long(r, "id", 404);
        ch_row_set_string(r, "name", "nobody");
        ch_update(sync, "items", r);
        goto out;
    } else if (is(c, "delete_missing")) {
        ch_row_set_long(r, "id", 404);
        ch_delete(sync, "items", r);
        goto out;
    } else if (is(c, "fail")) {
        ch_fail(sync, "source said %d", 418);
        goto out;
    }
    /* signals */
    else if (is(c, "sleep")) {
        struct timespec tick = {0, 10000000};
        for (int i = 0; i < 200; i++)
            nanosleep(&tick, NULL);
    } else if (is(c, "crash_fpe")) {
        raise(SIGFPE);
    } else if (is(c, "crash_ill")) {
        raise(SIGILL);
    } else if (is(c, "crash_bus")) {
        raise(SIGBUS);
    }
    ch_upsert(sync, "items", r);
out:
    ch_row_free(r);
}

/*
 * case=missing_then_widen: an update of a key with no row, then a value that
 * widens `loose.n` from LONG to DOUBLE; a destination that holds the update
 * back applies it before the column changes, and its warning must be logged
 * before the widening is.
 */
static int missing_then_widen(ch_sync *sync)
{
    ch_row *r = ch_row_new();
    int rc;
    ch_row_set_long(r, "k", 1);
    ch_row_set_long(r, "n", 5);
    rc = ch_upsert(sync, "loose", r);
    if (rc == CH_OK)
        rc = ch_checkpoint(sync);
    ch_row_clear(r);
    ch_row_set_long(r, "k", 99);
    ch_row_set_long(r, "n", 6);
    if (rc == CH_OK)
        rc = ch_update(sync, "loose", r);
    ch_row_clear(r);
    ch_row_set_long(r, "k", 2);
    ch_row_set_double(r, "n", 1.5);
    if (rc == CH_OK)
        rc = ch_upsert(sync, "loose", r);
    if (rc == CH_OK)
        rc = ch_checkpoint(sync);
    ch_row_free(r);
    return rc;
}

static int update(ch_sync *sync, const ch_config *config)
{
    const char *c = case_of(config);
    ch_row *r;
    ch_log(sync, CH_LOG_INFO, "update handler of case %s started", c); /* whether it ran at all */
    if (is(c, "good"))
        return good(sync);
    if (is(c, "missing_then_widen"))
        return missing_then_widen(sync);
    if (is(c, "idle_redeclare"))
        return CH_OK;
    r = ch_row_new();
    ch_row_set_string(r, "k", "rolled back");
    ch_upsert(sync, "other", r); /* must not survive a failure of this sync */
    ch_row_free(r);
    bad(sync, c);
    /* Ignore every result: the host alone decides that the sync failed. */
    ch_state_set(sync, "cursor", c);
    ch_checkpoint(sync);
    return CH_OK;
}

static const ch_connector badops = {
    .name = "badops",
    .description = "One bad operation or schema, chosen by the configuration key 'case'",
    .schema = schema,
    .update = update,
};

int connector_plugin_init(ch_registry *registry)
{
    return CH_REGISTER(registry, &badops);
}

/*
 * incremental.c - sync only what is new, by a cursor kept in state.
 *
 * The source is emulated: it holds records 1..N (N from the configuration
 * key "records", default 10), and record n was last changed n minutes after
 * 2024-01-01T00:00:00Z. Each sync reads the records changed after the cursor
 * (the newest updated_at already synced), upserts them, and every
 * checkpoint_every records (default 3) saves the cursor in state and
 * checkpoints. A checkpoint commits the rows and the cursor together, so if
 * the sync fails, the next one resumes from the last checkpoint: the rows
 * after it are rolled back and read again, and none is lost or doubled.
 *
 * To try it, raise "records" between runs (the source grew), or set
 * "fail_at" to a record number to make the source fail when it gets there.
 */
#include <connector-host.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TABLE "records"

static const ch_config_key keys[] = {
    {"records", "how many records the emulated source holds (default 10)", 0},
    {"checkpoint_every", "records between checkpoints (default 3)", 0},
    {"fail_at", "make the source fail when the sync reaches this record", 0},
    {NULL, NULL, 0},
};

/* ---- The emulated source ------------------------------------------------- */

typedef struct record {
    long id;
    char updated_at[32]; /* UTC_DATETIME text; ISO order is time order */
    char name[32];
    char amount[32]; /* DECIMAL text */
} record;

/* Record n, the same every time: what a real connector would fetch from an API. */
static void source_record(long n, record *r)
{
    time_t t = 1704067200 + (time_t)n * 60; /* 2024-01-01T00:00:00Z + n minutes */
    struct tm tm;
    gmtime_r(&t, &tm);
    r->id = n;
    strftime(r->updated_at, sizeof r->updated_at, "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(r->name, sizeof r->name, "record %ld", n);
    snprintf(r->amount, sizeof r->amount, "%ld.%02ld", n * 125 / 100, n * 125 % 100);
}

/* ---- The connector --------------------------------------------------------- */

static int incremental_schema(ch_schema *schema, const ch_config *config)
{
    (void)config;
    ch_table *t = ch_schema_table(schema, TABLE);
    ch_table_primary_key(t, "id");
    ch_table_column(t, "id", "LONG");
    ch_table_column(t, "updated_at", "UTC_DATETIME");
    ch_table_column(t, "name", "STRING");
    ch_table_column(t, "amount", "DECIMAL(10,2)");
    return CH_OK;
}

/* A whole number >= min from the configuration, or fallback when the key is absent. */
static int config_number(ch_sync *sync, const ch_config *config, const char *key, long fallback,
                         long min, long *out)
{
    const char *text = ch_config_get(config, key);
    if (text == NULL) {
        *out = fallback;
        return CH_OK;
    }
    char *end;
    errno = 0;
    *out = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || *out < min)
        return ch_fail(sync, "configuration: %s must be a whole number of at least %ld, not '%s'",
                       key, min, text);
    return CH_OK;
}

static int save_cursor(ch_sync *sync, const char *cursor)
{
    if (ch_state_set(sync, "cursor", cursor) != CH_OK)
        return CH_ERROR;
    return ch_checkpoint(sync);
}

static int incremental_update(ch_sync *sync, const ch_config *config)
{
    long count, every, fail_at;
    if (config_number(sync, config, "records", 10, 0, &count) != CH_OK ||
        config_number(sync, config, "checkpoint_every", 3, 1, &every) != CH_OK ||
        config_number(sync, config, "fail_at", 0, 0, &fail_at) != CH_OK)
        return CH_ERROR;

    /* Copy the cursor: the pointer ch_state_get returns is invalidated by
       the next ch_state_set. An empty cursor sorts before every time. */
    char cursor[32] = "";
    const char *saved = ch_state_get(sync, "cursor");
    if (saved != NULL)
        snprintf(cursor, sizeof cursor, "%s", saved);
    ch_log_info(sync, "source holds %ld records; cursor '%s'", count, cursor);

    ch_row *row = ch_row_new();
    if (row == NULL)
        return ch_fail(sync, "out of memory");
    long synced = 0;
    int rc = CH_OK;
    for (long n = 1; n <= count && rc == CH_OK; n++) {
        record r;
        source_record(n, &r);
        /* A real API would take the cursor as a filter (?updated_since=). */
        if (strcmp(r.updated_at, cursor) <= 0)
            continue;
        if (n == fail_at) {
            rc = ch_fail(sync, "source failed while reading record %ld (fail_at)", n);
            break;
        }
        ch_row_clear(row);
        ch_row_set_long(row, "id", r.id);
        ch_row_set_utc_datetime(row, "updated_at", r.updated_at);
        ch_row_set_string(row, "name", r.name);
        ch_row_set_decimal(row, "amount", r.amount);
        rc = ch_upsert(sync, TABLE, row);
        if (rc != CH_OK)
            break;
        /* The cursor moves past this record; state and checkpoint follow every N. */
        snprintf(cursor, sizeof cursor, "%s", r.updated_at);
        if (++synced % every == 0)
            rc = save_cursor(sync, cursor);
    }
    ch_row_free(row);
    if (rc != CH_OK)
        return rc;
    /* The last partial batch. With nothing new, there is nothing to commit. */
    if (synced % every != 0)
        rc = save_cursor(sync, cursor);
    ch_log_info(sync, "synced %ld new records", synced);
    return rc;
}

static const ch_connector incremental = {
    .name = "incremental",
    .description = "Syncs only new records of an emulated source, by a cursor in state",
    .schema = incremental_schema,
    .update = incremental_update,
    .config_keys = keys,
};

int connector_plugin_init(ch_registry *registry)
{
    return CH_REGISTER(registry, &incremental);
}

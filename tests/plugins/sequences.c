/*
 * sequences.c - every order of updates, deletes and upserts on one key that
 * a destination may reorder, for comparing destinations (pg_compare.sh).
 *
 * Table `s` (id LONG key, a STRING, b LONG). Each sequence below runs on
 * keys of its own, four ways: on a key that has a committed row or on one
 * never written, and with all its operations in one checkpoint or with a
 * checkpoint after each. The first checkpoint writes the committed rows.
 * Letters: a / b update that column only, n updates a to NULL, d deletes,
 * p upserts the whole row (a and b).
 */
#include <connector-host.h>
#include <stdio.h>
#include <string.h>

static const char *const sequences[] = {
    "da", "ad",   "ab",  "aa",  "ap",  "dp",   "pd",   "dd", "n", "an",
    "na", "padb", "apb", "dap", "dpa", "adpd", "bdab", "pa", "d", "a",
};
#define NSEQ (sizeof sequences / sizeof sequences[0])

static int schema(ch_schema *s, const ch_config *config)
{
    ch_table *t = ch_schema_table(s, "s");
    (void)config;
    ch_table_primary_key(t, "id");
    ch_table_column(t, "id", "LONG");
    ch_table_column(t, "a", "STRING");
    ch_table_column(t, "b", "LONG");
    return CH_OK;
}

/* Operation `op` of a sequence on key id; step numbers the operations so values differ. */
static int apply(ch_sync *sync, ch_row *row, char op, long id, long step)
{
    char text[32];
    ch_row_clear(row);
    ch_row_set_long(row, "id", id);
    snprintf(text, sizeof text, "%c%ld", op, step);
    switch (op) {
    case 'a':
        ch_row_set_string(row, "a", text);
        return ch_update(sync, "s", row);
    case 'b':
        ch_row_set_long(row, "b", step);
        return ch_update(sync, "s", row);
    case 'n':
        ch_row_set_null(row, "a");
        return ch_update(sync, "s", row);
    case 'd':
        return ch_delete(sync, "s", row);
    default:
        ch_row_set_string(row, "a", text);
        ch_row_set_long(row, "b", -step);
        return ch_upsert(sync, "s", row);
    }
}

static int update(ch_sync *sync, const ch_config *config)
{
    ch_row *row = ch_row_new();
    long step = 0;
    int rc = CH_OK;
    (void)config;
    if (row == NULL)
        return CH_ERROR;
    /* keys 4i+1 and 4i+3 have committed rows; 4i and 4i+2 never do before their sequence */
    for (size_t i = 0; i < NSEQ && rc == CH_OK; i++)
        for (long k = 1; k < 4 && rc == CH_OK; k += 2) {
            ch_row_clear(row);
            ch_row_set_long(row, "id", (long)(4 * i) + k);
            ch_row_set_string(row, "a", "old");
            ch_row_set_long(row, "b", (long)i);
            rc = ch_upsert(sync, "s", row);
        }
    if (rc == CH_OK)
        rc = ch_checkpoint(sync);
    /* keys 4i and 4i+1: the whole sequence in one checkpoint, all of them interleaved */
    for (size_t pos = 0; pos < 4 && rc == CH_OK; pos++)
        for (size_t i = 0; i < NSEQ && rc == CH_OK; i++)
            for (long k = 0; k < 2 && rc == CH_OK; k++)
                if (pos < strlen(sequences[i]))
                    rc = apply(sync, row, sequences[i][pos], (long)(4 * i) + k, ++step);
    if (rc == CH_OK)
        rc = ch_checkpoint(sync);
    /* keys 4i+2 and 4i+3: a checkpoint after each operation */
    for (size_t pos = 0; pos < 4 && rc == CH_OK; pos++)
        for (size_t i = 0; i < NSEQ && rc == CH_OK; i++)
            for (long k = 2; k < 4 && rc == CH_OK; k++)
                if (pos < strlen(sequences[i])) {
                    rc = apply(sync, row, sequences[i][pos], (long)(4 * i) + k, ++step);
                    if (rc == CH_OK)
                        rc = ch_checkpoint(sync);
                }
    ch_row_free(row);
    return rc;
}

static const ch_connector connector = {
    .name = "sequences",
    .description = "Every order of updates, deletes and upserts on one key, for comparisons",
    .schema = schema,
    .update = update,
};

int connector_plugin_init(ch_registry *registry)
{
    return CH_REGISTER(registry, &connector);
}

/*
 * initmark.c - a connector whose entry point leaves a mark: it creates the
 * file named by INITMARK (when set) before it registers `initmark`, so a test
 * can tell whether the host ran a plugin at all. Its sync only checkpoints:
 * configuration "checkpoints" times (default 1), after setting the state key
 * "big" to "state_bytes" x's when that is given. It logs the value of "log"
 * and fails with the value of "fail", when given, and upserts the text of
 * "row" into an INT column, and a row of "wide" columns into table wide;
 * "bad_type" is declared as a column type, which the schema refuses;
 * "key_row" is the STRING key of a row of table rk whose INT column it
 * cannot fill (a conversion error that names the row by that key).
 */
#include <connector-host.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int update(ch_sync *sync, const ch_config *config)
{
    const char *n = ch_config_get(config, "checkpoints");
    const char *bytes = ch_config_get(config, "state_bytes");
    const char *message = ch_config_get(config, "log"), *reason = ch_config_get(config, "fail");
    const char *text = ch_config_get(config, "row"), *wide = ch_config_get(config, "wide");
    const char *key_row = ch_config_get(config, "key_row");
    if (message)
        ch_log(sync, CH_LOG_INFO, "%s", message);
    if (reason)
        return ch_fail(sync, "%s", reason);
    if (wide) { /* one row of that many undeclared columns, into a table of its own */
        ch_row *row = ch_row_new();
        char column[32];
        for (long c = 0; c < atol(wide); c++) {
            snprintf(column, sizeof column, "c%ld", c);
            ch_row_set_long(row, column, c);
        }
        ch_upsert(sync, "wide", row);
        ch_row_free(row);
    }
    if (key_row) {
        ch_row *row = ch_row_new();
        ch_row_set_string(row, "k", key_row);
        ch_row_set_string(row, "n", "not a number");
        ch_upsert(sync, "rk", row);
        ch_row_free(row);
    }
    if (text) {
        ch_row *row = ch_row_new();
        ch_row_set_int(row, "k", 1);
        ch_row_set_string(row, "n", text);
        ch_upsert(sync, "r", row);
        ch_row_free(row);
    }
    long count = n ? atol(n) : 1;
    if (bytes) {
        size_t len = (size_t)atol(bytes);
        char *big = malloc(len + 1);
        if (big == NULL)
            return ch_fail(sync, "out of memory");
        memset(big, 'x', len);
        big[len] = '\0';
        ch_state_set(sync, "big", big);
        free(big);
    }
    for (long i = 0; i < count; i++)
        if (ch_checkpoint(sync) != CH_OK)
            return CH_ERROR;
    return CH_OK;
}

/* "shhh" is secret only because it is flagged; "row" goes into the INT column r.n. */
static const ch_config_key keys[] = {
    {"shhh", "a value marked secret by its flag, not its name", CH_KEY_SECRET},
    {"row", "a text upserted into an INT column (a conversion error)", 0},
    {"checkpoints", "how many checkpoints the sync makes (default 1)", 0},
    {"state_bytes", "the length of the state key big", 0},
    {"log", "a message to log", 0},
    {"fail", "a reason to fail with", 0},
    {"wide", "how many columns a row of table wide has", 0},
    {"bad_type", "a column type the schema refuses", 0},
    {"key_row", "the key of a row of table rk that fails to convert", 0},
    {NULL, NULL, 0},
};

static int schema(ch_schema *s, const ch_config *config)
{
    ch_table *t = ch_schema_table(s, "r");
    const char *bad = ch_config_get(config, "bad_type");
    if (bad) /* a declaration the schema refuses, quoting the configured text */
        ch_table_column(t, "x", bad);
    ch_table_primary_key(t, "k");
    ch_table_column(t, "k", "INT");
    ch_table_column(t, "n", "INT");
    t = ch_schema_table(s, "rk");
    ch_table_primary_key(t, "k");
    ch_table_column(t, "k", "STRING");
    ch_table_column(t, "n", "INT");
    return CH_OK;
}

static const ch_connector initmark = {
    .name = "initmark",
    .description = "Marks INITMARK when its plugin is initialised",
    .schema = schema,
    .update = update,
    .config_keys = keys,
};

int connector_plugin_init(ch_registry *registry)
{
    const char *mark = getenv("INITMARK");
    FILE *f = mark ? fopen(mark, "w") : NULL;
    if (f)
        fclose(f);
    return CH_REGISTER(registry, &initmark);
}

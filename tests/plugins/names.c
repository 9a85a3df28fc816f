/*
 * names.c - table and column names that the destination spells otherwise.
 *
 * The configuration key "case" picks a scenario: "good" (default) syncs
 * names that normalise cleanly; the others declare or emit names that
 * collide, which the host must refuse, or names of 64 bytes ("longtable",
 * "longcolumn"), more than PostgreSQL holds; "later" writes a column of
 * "2024 Sales" only in the table's second row.
 */
#include <connector-host.h>
#include <string.h>

/* 64 bytes: one more than PostgreSQL's identifiers hold. */
#define LONG_NAME "a_name_of_sixty_four_bytes_which_postgresql_cuts_to_sixty_three_"

static const char *scenario(const ch_config *config)
{
    const char *c = ch_config_get(config, "case");
    return c ? c : "good";
}

static int schema(ch_schema *s, const ch_config *config)
{
    const char *c = scenario(config);
    ch_table *t = ch_schema_table(s, "Order Items");
    ch_table_primary_key(t, "Order ID");
    ch_table_column(t, "Order ID", "STRING");
    ch_table_column(t, "Unit Price", "DECIMAL(10,2)");
    ch_table_column(t, "Größe", "STRING");
    if (strcmp(c, "tables") == 0) {
        ch_schema_table(s, "Foo");
        ch_schema_table(s, "foo");
    } else if (strcmp(c, "columns") == 0) {
        ch_table_column(t, "unit-price", "STRING");
    } else if (strcmp(c, "system") == 0) {
        ch_table_column(t, "_Fivetran_Synced", "STRING");
    } else if (strcmp(c, "manykeys") == 0) {
        ch_table *wide = ch_schema_table(s, "wide");
        char name[8];
        for (int i = 0; i < 65; i++) {
            name[0] = 'k';
            name[1] = (char)('0' + i / 10);
            name[2] = (char)('0' + i % 10);
            name[3] = '\0';
            ch_table_primary_key(wide, name);
        }
    } else if (strcmp(c, "reserved") == 0) {
        ch_schema_table(s, "_connector_state");
    } else if (strcmp(c, "casecolumns") == 0) {
        ch_table_column(t, "unit price", "STRING"); /* one name to SQLite under --naming source */
    } else if (strcmp(c, "reservedcolumn") == 0) {
        ch_table_column(t, "_Connector_New_Type", "STRING");
    } else if (strcmp(c, "longtable") == 0) {
        ch_schema_table(s, LONG_NAME);
    }
    return CH_OK;
}

static int update(ch_sync *sync, const ch_config *config)
{
    const char *c = scenario(config);
    ch_row *row = ch_row_new();
    int rc;
    if (row == NULL)
        return CH_ERROR;
    ch_row_set_string(row, "Order ID", "A-1");
    ch_row_set_decimal(row, "Unit Price", "9.5");
    ch_row_set_string(row, "Größe", "XL");
    rc = ch_upsert(sync, "Order Items", row);
    ch_row_clear(row);
    ch_row_set_string(row, "Q1-Total", "100");
    if (rc == CH_OK && strcmp(c, "later") == 0)
        rc = ch_upsert(sync, "2024 Sales", row); /* so that 9lives comes after the table is ready */
    ch_row_set_long(row, "9lives", 9);
    if (strcmp(c, "row") == 0)
        ch_row_set_string(row, "q1 total", "clash"); /* becomes q_1_total too */
    if (strcmp(c, "longcolumn") == 0)
        ch_row_set_string(row, LONG_NAME, "long");
    if (rc == CH_OK)
        rc = ch_upsert(sync, "2024 Sales", row);
    if (rc == CH_OK && strcmp(c, "reserved") == 0) {
        ch_row_clear(row);
        ch_row_set_int(row, "x", 1);
        rc = ch_upsert(sync, "_connector_state", row); /* the host's name, but for the '_' */
    }
    if (rc == CH_OK && strcmp(c, "longtable") == 0) {
        ch_row_clear(row);
        ch_row_set_int(row, "x", 1);
        rc = ch_upsert(sync, LONG_NAME, row);
    }
    ch_row_free(row);
    return rc == CH_OK ? ch_checkpoint(sync) : rc;
}

static const ch_connector names = {
    .name = "names",
    .description = "Names that need normalising, and collisions",
    .schema = schema,
    .update = update,
};

int connector_plugin_init(ch_registry *registry)
{
    return CH_REGISTER(registry, &names);
}

/* test_schema.c - schema declaration and validation (names: test_names.c). */
#include <stdlib.h>

#include "contract/schema.h"
#include "tap.h"

static void valid(void)
{
    schema *s = schema_new(NULL);
    ch_error e;
    ch_table *t = ch_schema_table(s, "three");
    ok(t != NULL, "table declared");
    ok(ch_table_primary_key(t, "id") == CH_OK, "key declared before its column");
    ok(ch_table_column(t, "id", "STRING") == CH_OK, "STRING column");
    ok(ch_table_column(t, "val2", "int") == CH_OK, "type names ignore case");
    ok(ch_table_column(t, "amount", "DECIMAL(10, 2)") == CH_OK, "DECIMAL with spaces");
    ok(schema_finish(s, &e) == CH_OK, "valid schema accepted");
    ok(t->nkey == 1 && t->key[0] == 0, "key resolved to column 0");
    ok(t->cols[2].type == T_DECIMAL && t->cols[2].precision == 10 && t->cols[2].scale == 2,
       "DECIMAL parameters kept");
    ok(schema_find(s, "three") == t && schema_find(s, "other") == NULL, "lookup by name");
    schema_free(s);

    s = schema_new(NULL);
    t = ch_schema_table(s, "keyonly");
    ch_table_primary_key(t, "k");
    ok(schema_finish(s, &e) == CH_OK, "key without declared columns is allowed");
    ok(t->ncols == 1 && t->cols[0].type == T_NONE && !t->cols[0].declared,
       "the key column waits for its first value");
    schema_free(s);
}

static void invalid(void)
{
    schema *s = schema_new(NULL);
    ch_error e;
    ch_table *t = ch_schema_table(s, "orders");
    ch_table_primary_key(t, "order_id");
    ch_table_column(t, "id", "LONG");
    ch_table_column(t, "amount", "DECIMAL(40,2)");
    ch_table_column(t, "scale", "DECIMAL(4,5)");
    ch_table_column(t, "bare", "DECIMAL");
    ch_table_column(t, "note", "TEXTY");
    ch_table_column(t, "id", "STRING");
    ch_table_column(t, "ID", "STRING");
    ch_table_column(t, "_fivetran_synced", "STRING");
    ok(ch_schema_table(s, "orders") == NULL, "duplicate table refused");
    ch_schema_table(s, "Orders");
    ok(ch_schema_table(s, "") == NULL, "empty table name refused");
    ok(schema_finish(s, &e) == CH_ERROR, "invalid schema refused");
    has_str(e.msg, "invalid schema (11 errors)", "every error counted");
    has_str(e.msg, "DECIMAL precision must be between 1 and 38", "precision limit");
    has_str(e.msg, "DECIMAL scale must not exceed its precision", "scale limit");
    has_str(e.msg, "DECIMAL needs a precision and a scale", "bare DECIMAL");
    has_str(e.msg, "unknown type 'TEXTY'", "unknown type named");
    has_str(e.msg, "column 'id' is declared twice", "duplicate column");
    has_str(e.msg, "columns 'id' and 'ID' both become 'id'", "column collision");
    has_str(e.msg, "collides with the system column", "system column");
    has_str(e.msg, "table 'orders' is declared twice", "duplicate table");
    has_str(e.msg, "tables 'orders' and 'Orders' both become 'orders'", "table collision");
    has_str(e.msg, "primary key column 'order_id' is not among its declared columns",
            "key naming an unknown column");
    schema_free(s);

    ok(ch_table_column(NULL, "x", "INT") == CH_ERROR, "NULL table refused without crashing");
    ok(ch_schema_table(NULL, "x") == NULL, "NULL schema refused without crashing");
}

int main(void)
{
    valid();
    invalid();
    return tap_done();
}

/* test_schema.c - schema declaration and validation (names: test_names.c). */
#include <stdio.h>
#include <stdlib.h>

#include "contract/schema.h"
#include "contract/value.h"
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

/* The name column_v1_name or table_v1_name gives, "(none)" for NULL. */
static const char *v1_of(table_def *t, long c, char *buf, size_t size)
{
    char *old = NULL;
    int rc = c < 0 ? table_v1_name(t, &old) : column_v1_name(t, (size_t)c, &old);
    snprintf(buf, size, "%s", rc != CH_OK ? "(error)" : old ? old : "(none)");
    free(old);
    return buf;
}

/* What a warehouse written by the host's first naming rule is matched by. */
static void earlier_names(void)
{
    schema *s = schema_new(NULL);
    ch_error e;
    char buf[64];
    table_def *t = ch_schema_table(s, "2024 Sales"), *other;
    long c, w;
    ch_table_column(t, "userData", "STRING");
    ch_table_column(t, "id", "STRING");
    ch_table_column(t, "_fivetran_iD", "STRING"); /* _fivetran_i_d now, _fivetran_id then */
    is_str(v1_of(t, -1, buf, sizeof buf), "_2024_sales", "the table's first-rule name");
    is_str(v1_of(t, 0, buf, sizeof buf), "userdata", "a column's first-rule name");
    is_str(v1_of(t, 1, buf, sizeof buf), "(none)", "none when both rules agree");
    is_str(v1_of(t, 2, buf, sizeof buf), "(none)", "none when it was a system column's");
    other = ch_schema_table(s, "_Connector_State");
    is_str(other ? other->dest_name : NULL, "connector_state", "a table named like the host's");
    is_str(v1_of(other, -1, buf, sizeof buf), "(none)", "is never matched to the host's table");
    other = ch_schema_table(s, "userData");
    ch_schema_table(s, "userdata");
    is_str(v1_of(other, -1, buf, sizeof buf), "(none)",
           "none when another table has the first-rule name now");

    /* warehouse columns keep their own names, normalised by neither rule */
    w = table_add_found_column(t, "address1", T_STRING, 0, 0, &e);
    ok(w >= 0 && strcmp(t->cols[w].dest_name, "address1") == 0 && t->cols[w].named_by_warehouse &&
           t->cols[w].in_warehouse,
       "a warehouse column is added under its own name");
    ok(table_add_found_column(t, "q1total", T_STRING, 0, 0, &e) >= 0 &&
           table_add_found_column(t, "q_1_total", T_STRING, 0, 0, &e) >= 0,
       "two warehouse columns that normalise alike are both kept");
    ok(table_add_found_column(t, "_Fivetran_Synced", T_STRING, 0, 0, &e) < 0,
       "a warehouse column named like a system column is refused");
    has_str(e.msg, "collides with the system column '_fivetran_synced'", "and says so");
    ok(table_add_found_column(t, "_connector_new_type", T_STRING, 0, 0, &e) < 0,
       "a warehouse column named like the host's working columns is refused");

    /* a row's column finds the warehouse's under its name now, or else under the first rule's */
    c = table_adopt_column(t, "address1");
    ok(c == w && strcmp(t->cols[c].name, "address1") == 0 && !t->cols[c].named_by_warehouse,
       "address1 finds the first rule's address1");
    ok(table_adopt_column(t, "Q1 Total") >= 0 &&
           strcmp(t->cols[table_find_column(t, "Q1 Total", 0)].dest_name, "q_1_total") == 0,
       "Q1 Total finds q_1_total before the first rule's q1_total");
    ok(table_adopt_column(t, "Q1Total") >= 0 &&
           strcmp(t->cols[table_find_column(t, "Q1Total", 0)].dest_name, "q1total") == 0,
       "Q1Total finds the first rule's q1total");
    ok(table_adopt_column(t, "nothere") < 0, "a name the warehouse lacks finds none");
    schema_free(s);

    s = schema_new(NULL);
    s->naming_source = 1;
    t = ch_schema_table(s, "userData");
    ch_table_column(t, "userData", "STRING");
    is_str(v1_of(t, -1, buf, sizeof buf), "(none)", "--naming source: no first-rule table name");
    is_str(v1_of(t, 0, buf, sizeof buf), "(none)", "--naming source: no first-rule column name");
    table_add_found_column(t, "userdata2", T_STRING, 0, 0, &e);
    ok(table_adopt_column(t, "userData2") < 0,
       "--naming source: the first rule's names are not found");
    schema_free(s);
}

/* How messages name a row by its key, and a data operation by its number and row. */
static void naming_rows(void)
{
    schema *s = schema_new(NULL);
    ch_table *t = ch_schema_table(s, "orders");
    char buf[600], big[200], small[30];
    ch_error e;
    value id = {.type = T_LONG, .i = 5}, region = {.type = T_STRING, .ptr = "eu\nx", .len = 4};
    value amount = {.type = T_DECIMAL, .ptr = "12.50", .len = 5}, nul = {.type = T_NONE};
    value flag = {.type = T_BOOLEAN, .i = 1};
    const value *both[3] = {&id, &region, &amount}, *none[3] = {NULL, NULL, NULL};
    const value *second[3] = {NULL, &region, &nul}, *boolean[3] = {&flag, NULL, NULL};
    ch_table_primary_key(t, "id");
    ch_table_primary_key(t, "Region");
    ch_table_primary_key(t, "amount");
    ch_table_column(t, "id", "LONG");
    ch_table_column(t, "Region", "STRING");
    ch_table_column(t, "amount", "DECIMAL(10,2)");
    ok(schema_finish(s, &e) == CH_OK, "a table of three key columns");
    is_str(table_key_describe(t, both, buf, sizeof buf), "id=5, Region='eu\\x0ax', amount=12.50",
           "a key: numbers bare, text quoted with control bytes escaped, the connector's names");
    is_str(table_key_describe(t, none, buf, sizeof buf), "", "a row without key values: nothing");
    is_str(table_key_describe(t, second, buf, sizeof buf), "Region='eu\\x0ax', amount=NULL",
           "only the key columns the row gives; NULL said");
    is_str(table_key_describe(t, boolean, buf, sizeof buf), "id=true", "a boolean as true");
    {
        char text[400];
        value longtext = {.type = T_STRING, .ptr = text, .len = 300};
        const value *one[3] = {NULL, &longtext, NULL};
        memset(text, 'a', 300);
        text[300] = '\0';
        table_key_describe(t, one, big, sizeof big);
        ok(strstr(big, "'...") != NULL && strlen(big) < 80, "a long text value is cut: %s", big);
        table_key_describe(t, both, small, sizeof small);
        ok(strlen(small) == sizeof small - 1 && strcmp(small + sizeof small - 4, "...") == 0,
           "a key too long for its buffer ends in ...: %s", small);
    }
    is_str(table_op_row(12, t, both, buf, sizeof buf),
           "operation 12 (key id=5, Region='eu\\x0ax', amount=12.50)", "an operation on a row");
    is_str(table_op_row(3, t, none, buf, sizeof buf), "operation 3", "an operation without a key");
    is_str(table_op_row(3, NULL, NULL, buf, sizeof buf), "operation 3", "an operation on no table");
    is_str(table_op_context("upsert", "orders", "amount", 7, t, both, buf, sizeof buf),
           "upsert on table 'orders', column 'amount', operation 7 (key id=5, "
           "Region='eu\\x0ax', amount=12.50)",
           "the context: operation kind, table, column, number, key");
    is_str(table_op_context("delete", "orders", NULL, 8, t, none, buf, sizeof buf),
           "delete on table 'orders', operation 8", "the context without a column or a key");
    is_str(table_op_context("upsert", NULL, NULL, 9, NULL, NULL, buf, sizeof buf),
           "upsert, operation 9", "the context of an operation that named no table");
    schema_free(s);
}

int main(void)
{
    valid();
    invalid();
    earlier_names();
    naming_rows();
    return tap_done();
}

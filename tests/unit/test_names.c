/*
 * test_names.c - the destination spelling of names: Fivetran's rule for
 * tables and for columns, case by case, and the host's earlier rule that
 * existing warehouses are named by.
 */
#include <stdlib.h>

#include "contract/names.h"
#include "tap.h"

/* Input, then the table name and the column name it becomes. */
static const struct {
    const char *name, *table, *column;
} cases[] = {
    /* the SDK's documented examples (SPEC, Table and column names) */
    {"userData", "user_data", "user_data"},
    {"user.data", "user_data", "user_data"},
    {"address1", "address_1", "address_1"},
    {"Order ID", "order_id", "order_id"},
    {"HTTPServer", "httpserver", "httpserver"}, /* only lower to upper starts a word */
    {"2fa_code", "2_fa_code", "2_fa_code"},     /* digit to letter starts one too */
    {"__private", "private", "_private"},
    {"$price", "price", "_price"},
    {"2024 Sales", "2024_sales", "2024_sales"}, /* digits are word characters: no prefix */
    /* word starts */
    {"userID", "user_id", "user_id"},
    {"ID2", "id_2", "id_2"},
    {"A1B2", "a_1_b_2", "a_1_b_2"},
    {"Q1-Total", "q_1_total", "q_1_total"},
    {"9lives", "9_lives", "9_lives"},
    {"camelCaseName", "camel_case_name", "camel_case_name"},
    {"already_snake", "already_snake", "already_snake"},
    /* other characters, and runs of '_' */
    {"a - b", "a_b", "a_b"},
    {"user__data", "user_data", "user_data"},
    {"a$b", "a_b", "a_b"},
    {"trailing_", "trailing_", "trailing_"}, /* what the collapse leaves stays */
    {"Order ID ", "order_id_", "order_id_"},
    {"__", "_", "_"},        /* no letter after the '_': a table keeps it */
    {"_2x", "_2_x", "_2_x"}, /* a digit after the '_': likewise */
    {"$2x", "_2_x", "_2_x"},
    {"_fivetran_synced", "fivetran_synced", "_fivetran_synced"},
    {"order", "order", "order"}, /* reserved words stay: the destinations quote names */
    /* transliteration: Latin-1 Supplement and Latin Extended-A */
    {"café", "cafe", "cafe"},
    {"Größe", "grosse", "grosse"},
    {"Ærø", "aero", "aero"},
    {"naïveData", "naive_data", "naive_data"},
    {"ÉcoleNormale", "ecole_normale", "ecole_normale"},
    {"xÆ", "x_ae", "x_ae"}, /* Æ is a capital: a word starts */
    {"mañana", "manana", "manana"},
    {"Łódź", "lodz", "lodz"},
    {"Œuvre", "oeuvre", "oeuvre"},
    {"þorn", "thorn", "thorn"},
    {"Ĳssel", "ijssel", "ijssel"},
    {"À", "a", "a"}, /* the first letter of the Latin-1 Supplement */
    {"ſ", "s", "s"}, /* the last of Latin Extended-A */
    /* what has no ASCII spelling becomes '_' */
    {"a×b", "a_b", "a_b"}, /* a sign, not a letter */
    {"price€", "price_", "price_"},
    {"名前", "_", "_"},
    {"ƀx", "x", "_x"},         /* past Latin Extended-A */
    {"a\xff-b", "a_b", "a_b"}, /* a byte that is no UTF-8 */
    {"a\xc3", "a_", "a_"},     /* a sequence cut short */
};

static void fivetran_rule(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *t = normalize_name(cases[i].name, NAME_TABLE);
        char *c = normalize_name(cases[i].name, NAME_COLUMN);
        char *again;
        is_str(t, cases[i].table, "table '%s' is '%s'", cases[i].name, cases[i].table);
        is_str(c, cases[i].column, "column '%s' is '%s'", cases[i].name, cases[i].column);
        again = c ? normalize_name(c, NAME_COLUMN) : NULL;
        is_str(again, c, "column '%s' stays so when normalised again", cases[i].column);
        free(again);
        again = t ? normalize_name(t, NAME_TABLE) : NULL;
        is_str(again, t, "table '%s' stays so when normalised again", cases[i].table);
        free(again);
        free(t);
        free(c);
    }
}

static void every_latin_letter(void)
{
    /* U+00C0..U+017F: all but × and ÷ have an ASCII spelling */
    int spelled = 0, signs = 0;
    for (unsigned cp = 0xC0; cp < 0x180; cp++) {
        char in[3] = {(char)(0xC0 | (cp >> 6)), (char)(0x80 | (cp & 0x3F)), '\0'};
        char *c = normalize_name(in, NAME_COLUMN);
        if (c && strcmp(c, "_") == 0)
            signs++;
        else if (c && strspn(c, "abcdefghijklmnopqrstuvwxyz") == strlen(c) && strlen(c) <= 2)
            spelled++;
        free(c);
    }
    ok(spelled == 0x180 - 0xC0 - 2, "every letter of U+00C0..U+017F has a lower-case spelling (%d)",
       spelled);
    ok(signs == 2, "the two signs of the block become '_' (%d)", signs);
}

static void earlier_rule(void)
{
    static const struct {
        const char *name, *v1;
    } old[] = {
        {"Order Items", "order_items"},  {"2fast", "_2fast"}, /* a leading digit got a '_' */
        {"caf\xc3\xa9-bar", "caf__bar"}, /* one '_' per character, no collapsing */
        {"userData", "userdata"},        {"address1", "address1"},
        {"__private", "__private"},      {"$price", "_price"},
    };
    for (size_t i = 0; i < sizeof old / sizeof old[0]; i++) {
        char *n = normalize_name_v1(old[i].name);
        is_str(n, old[i].v1, "by the earlier rule, '%s' was '%s'", old[i].name, old[i].v1);
        free(n);
    }
}

int main(void)
{
    fivetran_rule();
    every_latin_letter();
    earlier_rule();
    return tap_done();
}

/*
 * ch_sql.c - ClickHouse SQL text: quoting, the storage type of each
 * contract type in each dialect, and the tables' DDL. Nothing here talks to
 * a server, so the new dialect's statements are unit-tested without one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ch.h"

chd_dialect chd_dialect_of(const char *version)
{
    chd_dialect dl = {0, 0, 0};
    if (sscanf(version, "%d.%d", &dl.major, &dl.minor) != 2)
        dl.major = dl.minor = 0;
    /* Bool came with 21.12; Date32 with 21.9, DateTime64 earlier */
    dl.modern = dl.major > 21 || (dl.major == 21 && dl.minor >= 12);
    return dl;
}

/* Appends text between quotes, the quote and backslash escaped with a backslash. */
static void quoted(textbuf *b, const char *text, char quote)
{
    char q[2] = {quote, 0};
    textbuf_add(b, q);
    for (const char *p = text; *p;) {
        size_t n = strcspn(p, quote == '`' ? "`\\" : "'\\");
        textbuf_addn(b, p, n);
        p += n;
        if (*p) {
            char esc[3] = {'\\', *p, 0};
            textbuf_add(b, esc);
            p++;
        }
    }
    textbuf_add(b, q);
}

void chd_ident(textbuf *b, const char *name)
{
    quoted(b, name, '`');
}

void chd_qualified(textbuf *b, const char *db, const char *table)
{
    chd_ident(b, db);
    textbuf_add(b, ".");
    chd_ident(b, table);
}

void chd_string(textbuf *b, const char *text)
{
    quoted(b, text, '\'');
}

void chd_tsv_escape(textbuf *b, const char *text, size_t len)
{
    size_t from = 0;
    for (size_t i = 0; i < len; i++) {
        char c = text[i], e;
        switch (c) {
        case '\t':
            e = 't';
            break;
        case '\n':
            e = 'n';
            break;
        case '\r':
            e = 'r';
            break;
        case '\\':
            e = '\\';
            break;
        case '\0':
            e = '0';
            break;
        case '\b':
            e = 'b';
            break;
        case '\f':
            e = 'f';
            break;
        default:
            continue;
        }
        textbuf_addn(b, text + from, i - from);
        textbuf_addn(b, (char[2]){'\\', e}, 2);
        from = i + 1;
    }
    textbuf_addn(b, text + from, len - from);
}

size_t chd_tsv_unescape(char *text, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] != '\\' || i + 1 == len) {
            text[o++] = text[i];
            continue;
        }
        switch (text[++i]) {
        case 't':
            text[o++] = '\t';
            break;
        case 'n':
            text[o++] = '\n';
            break;
        case 'r':
            text[o++] = '\r';
            break;
        case '0':
            text[o++] = '\0';
            break;
        case 'b':
            text[o++] = '\b';
            break;
        case 'f':
            text[o++] = '\f';
            break;
        case 'a':
            text[o++] = '\a';
            break;
        case 'v':
            text[o++] = '\v';
            break;
        default: /* \\, \', \" and any other: the character itself */
            text[o++] = text[i];
        }
    }
    text[o] = '\0';
    return o;
}

size_t chd_split_fields(char *line, char **fields, size_t max)
{
    size_t n = 0;
    for (char *p = line; n < max;) {
        fields[n++] = p;
        if ((p = strchr(p, '\t')) == NULL)
            break;
        *p++ = '\0';
    }
    return n;
}

/* The type without Nullable(). */
static const char *base_type(type_spec ts, const chd_dialect *dl, char *buf, size_t size)
{
    switch (ts.type) {
    case T_BOOLEAN:
        return dl->modern ? "Bool" : "UInt8";
    case T_SHORT:
        return "Int16";
    case T_INT:
        return "Int32";
    case T_LONG:
        return "Int64";
    case T_DECIMAL:
        snprintf(buf, size, "Decimal(%d, %d)", ts.precision, ts.scale);
        return buf;
    case T_FLOAT:
        return "Float32";
    case T_DOUBLE:
        return "Float64";
    case T_NAIVE_DATE:
        return dl->modern ? "Date32" : "String";
    case T_NAIVE_DATETIME:
        return dl->modern ? "DateTime64(6)" : "String";
    case T_UTC_DATETIME:
        return dl->modern ? "DateTime64(6, 'UTC')" : "String";
    default:
        /* NAIVE_TIME (no time-of-day type), BINARY (bytes), XML, STRING, JSON, no type yet */
        return "String";
    }
}

const char *chd_type_sql(type_spec ts, const chd_dialect *dl, int nullable, char *buf, size_t size)
{
    char inner[40];
    const char *t = base_type(ts, dl, inner, sizeof inner);
    snprintf(buf, size, nullable ? "Nullable(%s)" : "%s", t);
    return buf;
}

type_spec chd_type_parse(const char *text)
{
    static const struct {
        const char *name;
        col_type type;
    } names[] = {
        {"Bool", T_BOOLEAN},  {"Int8", T_SHORT},     {"UInt8", T_SHORT},       {"Int16", T_SHORT},
        {"UInt16", T_INT},    {"Int32", T_INT},      {"UInt32", T_LONG},       {"Int64", T_LONG},
        {"Float32", T_FLOAT}, {"Float64", T_DOUBLE}, {"Date32", T_NAIVE_DATE},
    };
    type_spec ts = {T_STRING, 0, 0};
    char inner[64];
    int p, s;
    if (sscanf(text, "Nullable(%63[^)])", inner) == 1)
        text = inner;
    if (sscanf(text, "Decimal(%d, %d)", &p, &s) == 2 && p <= DECIMAL_MAX_PRECISION) {
        ts.type = T_DECIMAL;
        ts.precision = p;
        ts.scale = s;
        return ts;
    }
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(text, names[i].name) == 0)
            ts.type = names[i].type;
    if (strncmp(text, "DateTime64(6", 12) == 0)
        ts.type = strstr(text, "UTC") ? T_UTC_DATETIME : T_NAIVE_DATETIME;
    return ts; /* String, and types the host never makes: their values go in as text */
}

const char *chd_synced_type(const chd_dialect *dl)
{
    return dl->modern ? "DateTime64(6, 'UTC')" : "String";
}

void chd_create_sql(textbuf *b, const char *db, const char *name, const table_def *t,
                    const chd_dialect *dl)
{
    char buf[48];
    /* IF NOT EXISTS: a cluster's DDL is made good again on the servers a crash left without it */
    textbuf_add(b, "CREATE TABLE IF NOT EXISTS ");
    chd_qualified(b, db, name);
    textbuf_add(b, " (");
    for (size_t i = 0; i < t->ncols; i++) {
        chd_ident(b, t->cols[i].dest_name);
        textbuf_add(b, " ");
        /* a key cannot be Nullable: ReplacingMergeTree orders by it */
        textbuf_add(b, chd_type_sql(sql_column_type(&t->cols[i]), dl, !table_is_key(t, i), buf,
                                    sizeof buf));
        textbuf_add(b, ", ");
    }
    if (t->nkey == 0)
        textbuf_add(b, "`" COL_ID "` String, ");
    textbuf_add(b, "`" COL_SYNCED "` ");
    textbuf_add(b, chd_synced_type(dl));
    textbuf_add(b, ", `" COL_DELETED "` UInt8, `" CH_VERSION_COLUMN
                   "` UInt64) ENGINE = ReplacingMergeTree(`" CH_VERSION_COLUMN "`) ORDER BY (");
    for (size_t k = 0; k < (t->nkey ? t->nkey : 1); k++) {
        textbuf_add(b, k ? ", " : "");
        chd_ident(b, t->nkey ? t->cols[t->key[k]].dest_name : COL_ID);
    }
    textbuf_add(b, ")");
}

void chd_distributed_sql(textbuf *b, const char *db, const char *cluster, const table_def *t)
{
    textbuf local = {0};
    textbuf_add(&local, t->dest_name);
    textbuf_add(&local, CH_LOCAL_SUFFIX);
    textbuf_add(b, "CREATE TABLE IF NOT EXISTS ");
    chd_qualified(b, db, t->dest_name);
    textbuf_add(b, " AS ");
    chd_qualified(b, db, local.s ? local.s : "");
    textbuf_add(b, " ENGINE = Distributed(");
    chd_string(b, cluster);
    textbuf_add(b, ", ");
    chd_string(b, db);
    textbuf_add(b, ", ");
    chd_string(b, local.s ? local.s : "");
    /* every version of a key on one shard, so that FINAL on each shard sees them all */
    textbuf_add(b, ", cityHash64(");
    for (size_t k = 0; k < (t->nkey ? t->nkey : 1); k++) {
        textbuf_add(b, k ? ", " : "");
        chd_ident(b, t->nkey ? t->cols[t->key[k]].dest_name : COL_ID);
    }
    textbuf_add(b, "))");
    if (local.oom)
        b->oom = 1;
    free(local.s);
}

/* config.c - configuration parsing with yajl callbacks, so errors have positions. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "base/json.h"

typedef struct parse_ctx {
    config *cfg;
    yajl_handle h;
    const char *text;
    size_t len;
    const char *where;
    int depth;
    char *key;      /* the key whose value comes next */
    size_t problem; /* byte offset of the first shape problem */
    char why[256];  /* the shape problem, empty when none */
} parse_ctx;

static int refuse(parse_ctx *c, size_t token_len, const char *what)
{
    size_t end = yajl_get_bytes_consumed(c->h);
    c->problem = end >= token_len ? end - token_len : 0;
    if (c->depth == 0 && c->key == NULL)
        snprintf(c->why, sizeof c->why,
                 "the configuration must be a JSON object of string values, not %s", what);
    else
        snprintf(c->why, sizeof c->why, "value of key \"%s\" must be a string, not %s",
                 c->key ? c->key : "?", what);
    return 0;
}

static int add(parse_ctx *c, const char *value, size_t len)
{
    config *cfg = c->cfg;
    char **keys, **values;
    if (cfg->count == cfg->cap) {
        size_t cap = cfg->cap ? cfg->cap * 2 : 16;
        if ((keys = realloc(cfg->keys, cap * sizeof *keys)) == NULL)
            return 0;
        cfg->keys = keys;
        if ((values = realloc(cfg->values, cap * sizeof *values)) == NULL)
            return 0;
        cfg->values = values;
        cfg->cap = cap;
    }
    keys = cfg->keys;
    values = cfg->values;
    values[cfg->count] = malloc(len + 1);
    if (values[cfg->count] == NULL)
        return 0;
    memcpy(values[cfg->count], value, len);
    values[cfg->count][len] = '\0';
    keys[cfg->count] = c->key;
    c->key = NULL;
    cfg->count++;
    return 1;
}

static int on_null(void *ctx)
{
    return refuse(ctx, 4, "null");
}

static int on_bool(void *ctx, int b)
{
    return refuse(ctx, b ? 4 : 5, "a boolean");
}

static int on_number(void *ctx, const char *s, size_t len)
{
    (void)s;
    return refuse(ctx, len, "a number");
}

/* Where the string just parsed starts: its decoded length says nothing of its text ("\u0000"). */
static size_t string_start(const parse_ctx *c)
{
    return json_token_start(c->text, yajl_get_bytes_consumed(c->h));
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
    parse_ctx *c = ctx;
    if (c->depth != 1) {
        refuse(c, 0, "a string");
        c->problem = string_start(c);
        return 0;
    }
    if (memchr(s, '\0', len)) {
        c->problem = string_start(c);
        snprintf(c->why, sizeof c->why, "value of key \"%s\" contains a NUL character", c->key);
        return 0;
    }
    return add(c, (const char *)s, len);
}

static int on_map_start(void *ctx)
{
    parse_ctx *c = ctx;
    if (c->depth != 0)
        return refuse(c, 1, "an object");
    c->depth++;
    return 1;
}

static int on_map_key(void *ctx, const unsigned char *s, size_t len)
{
    parse_ctx *c = ctx;
    /* the limit also bounds the duplicate check below, which compares with every key so far */
    if (c->cfg->count >= CONFIG_MAX_KEYS) {
        c->problem = string_start(c);
        snprintf(c->why, sizeof c->why,
                 "more than %d keys; a configuration holds at most %d (Fivetran's: 100)",
                 CONFIG_MAX_KEYS, CONFIG_MAX_KEYS);
        return 0;
    }
    for (size_t i = 0; i < c->cfg->count; i++) {
        if (strlen(c->cfg->keys[i]) == len && memcmp(c->cfg->keys[i], s, len) == 0) {
            c->problem = string_start(c);
            snprintf(c->why, sizeof c->why, "key \"%s\" appears twice", c->cfg->keys[i]);
            return 0;
        }
    }
    c->key = malloc(len + 1);
    if (c->key == NULL)
        return 0;
    memcpy(c->key, s, len);
    c->key[len] = '\0';
    return 1;
}

static int on_map_end(void *ctx)
{
    ((parse_ctx *)ctx)->depth--;
    return 1;
}

static int on_array_start(void *ctx)
{
    return refuse(ctx, 1, "an array");
}

static const yajl_callbacks callbacks = {
    on_null,      on_bool,    NULL,       NULL,           on_number, on_string,
    on_map_start, on_map_key, on_map_end, on_array_start, NULL,
};

config *config_new(void)
{
    return calloc(1, sizeof(config));
}

void config_free(config *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->count; i++) {
        free(c->keys[i]);
        free(c->values[i]);
    }
    free(c->keys);
    free(c->values);
    free(c->working_dir);
    free(c);
}

int config_parse(const char *text, size_t len, const char *where, config **out, ch_error *err)
{
    parse_ctx c = {0};
    yajl_status st;
    int rc = CH_OK;
    c.cfg = config_new();
    c.text = text;
    c.len = len;
    c.where = where;
    c.h = c.cfg ? yajl_alloc(&callbacks, NULL, &c) : NULL;
    if (c.h == NULL) {
        config_free(c.cfg);
        return err_set(err, "%s: out of memory", where);
    }
    st = yajl_parse(c.h, (const unsigned char *)text, len);
    if (st == yajl_status_ok)
        st = yajl_complete_parse(c.h);
    if (c.why[0]) {
        rc = json_error_at(err, where, text, len, c.problem, c.why);
    } else if (st == yajl_status_ok) {
        rc = json_check_text(text, len, where, err); /* what yajl's own checks let through */
    } else {
        ch_error syntax;
        yajl_val unused = NULL;
        /* Re-parse without callbacks for yajl's own message and position. */
        if (json_parse_tree(text, len, where, &unused, &syntax) != CH_OK)
            rc = err_set(err, "%s", syntax.msg);
        else
            rc = err_set(err, "%s: out of memory", where);
        yajl_tree_free(unused);
    }
    yajl_free(c.h);
    free(c.key);
    if (rc != CH_OK) {
        config_free(c.cfg);
        return rc;
    }
    *out = c.cfg;
    return CH_OK;
}

int config_load(const char *path, config **out, ch_error *err)
{
    char *text;
    size_t len;
    int rc;
    if (file_read_all(path, &text, &len, err) != CH_OK)
        return err_prefix(err, "cannot read configuration");
    /* editors on Windows start UTF-8 files with a byte-order mark: it is not part of the JSON */
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        rc = config_parse(text + 3, len - 3, path, out, err);
    else
        rc = config_parse(text, len, path, out, err);
    free(text);
    return rc;
}

const char *ch_config_get(const ch_config *c, const char *key)
{
    if (c == NULL || key == NULL)
        return NULL;
    for (size_t i = 0; i < c->count; i++)
        if (strcmp(c->keys[i], key) == 0)
            return c->values[i];
    return NULL;
}

size_t ch_config_count(const ch_config *c)
{
    return c ? c->count : 0;
}

const char *ch_config_key_at(const ch_config *c, size_t i)
{
    return c && i < c->count ? c->keys[i] : NULL;
}

const char *ch_config_value_at(const ch_config *c, size_t i)
{
    return c && i < c->count ? c->values[i] : NULL;
}

const char *ch_config_working_dir(const ch_config *c)
{
    return c ? c->working_dir : NULL;
}

int config_key_is_secret(const char *name)
{
    static const char *const words[] = {"password", "passwd",    "secret",     "token",
                                        "apikey",   "accesskey", "privatekey", "credential"};
    char *folded = malloc(strlen(name) + 1);
    size_t n = 0;
    int secret = 0;
    if (folded == NULL)
        return 1; /* when in doubt, hide it */
    for (const char *p = name; *p; p++)
        if (*p != '_' && *p != '-' && *p != ' ')
            folded[n++] = (char)tolower((unsigned char)*p);
    folded[n] = '\0';
    for (size_t i = 0; i < sizeof words / sizeof words[0] && !secret; i++)
        secret = strstr(folded, words[i]) != NULL;
    free(folded);
    return secret;
}

const ch_config_key *config_key_find(const ch_config_key *keys, const char *name)
{
    for (const ch_config_key *k = keys; k && k->name; k++)
        if (strcmp(k->name, name) == 0)
            return k;
    return NULL;
}

static int flagged_secret(const ch_config_key *keys, const char *name)
{
    const ch_config_key *k = config_key_find(keys, name);
    return k && (k->required & CH_KEY_SECRET) != 0;
}

static int longest_first(const void *a, const void *b)
{
    size_t la = strlen(*(char *const *)a), lb = strlen(*(char *const *)b);
    return la < lb ? 1 : la > lb ? -1 : 0;
}

int secrets_find(secrets *out, const config *cfg, const ch_config_key *keys)
{
    memset(out, 0, sizeof *out);
    if (cfg == NULL || cfg->count == 0)
        return CH_OK;
    if ((out->values = calloc(cfg->count, sizeof *out->values)) == NULL)
        return CH_ERROR;
    for (size_t i = 0; i < cfg->count; i++) {
        if (strlen(cfg->values[i]) < 4 ||
            !(config_key_is_secret(cfg->keys[i]) || flagged_secret(keys, cfg->keys[i])))
            continue;
        if ((out->values[out->count] = strdup(cfg->values[i])) == NULL)
            return CH_ERROR;
        out->count++;
    }
    qsort(out->values, out->count, sizeof *out->values, longest_first);
    return CH_OK;
}

void secrets_free(secrets *s)
{
    for (size_t i = 0; i < s->count; i++)
        free(s->values[i]);
    free(s->values);
    memset(s, 0, sizeof *s);
}

/* state.c - state kept as top-level entries so connectors can read and set keys cheaply. */
#include "state.h"

#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "base/json.h"

state *state_new(void)
{
    return calloc(1, sizeof(state));
}

static void clear_entries(state *s)
{
    for (size_t i = 0; i < s->count; i++) {
        free(s->entries[i].key);
        free(s->entries[i].string);
        free(s->entries[i].json_cache);
    }
    s->count = 0;
    yajl_tree_free(s->root);
    s->root = NULL;
    free(s->json);
    s->json = NULL;
}

void state_free(state *s)
{
    if (s == NULL)
        return;
    clear_entries(s);
    free(s->entries);
    free(s);
}

static state_entry *find(state *s, const char *key)
{
    for (size_t i = 0; i < s->count; i++)
        if (strcmp(s->entries[i].key, key) == 0)
            return &s->entries[i];
    return NULL;
}

static state_entry *append(state *s, const char *key)
{
    state_entry *e;
    if (s->count == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 8;
        state_entry *entries = realloc(s->entries, cap * sizeof *entries);
        if (entries == NULL)
            return NULL;
        s->entries = entries;
        s->cap = cap;
    }
    e = &s->entries[s->count];
    memset(e, 0, sizeof *e);
    if ((e->key = strdup(key)) == NULL)
        return NULL;
    s->count++;
    return e;
}

int state_replace(state *s, const char *text, size_t len, const char *where, ch_error *err)
{
    yajl_val root;
    if (json_parse_tree(text, len, where, &root, err) != CH_OK)
        return CH_ERROR;
    if (!YAJL_IS_OBJECT(root)) {
        yajl_tree_free(root);
        return err_set(err, "%s: state must be a JSON object", where);
    }
    clear_entries(s);
    s->root = root;
    for (size_t i = 0; i < root->u.object.len; i++) {
        state_entry *e = find(s, root->u.object.keys[i]);
        if (e == NULL)
            e = append(s, root->u.object.keys[i]);
        if (e == NULL)
            return err_set(err, "%s: out of memory", where);
        e->tree = root->u.object.values[i];
    }
    return CH_OK;
}

int state_set_string(state *s, const char *key, const char *value)
{
    state_entry *e = find(s, key);
    char *copy = strdup(value);
    if (copy == NULL)
        return CH_ERROR;
    if (e == NULL && (e = append(s, key)) == NULL) {
        free(copy);
        return CH_ERROR;
    }
    free(e->string);
    free(e->json_cache);
    e->json_cache = NULL;
    e->string = copy;
    e->tree = NULL;
    free(s->json);
    s->json = NULL;
    return CH_OK;
}

/* Copies a generator's output into a new string. */
static char *gen_take(yajl_gen g)
{
    const unsigned char *buf;
    size_t len;
    char *out;
    if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok)
        return NULL;
    out = malloc(len + 1);
    if (out) {
        memcpy(out, buf, len);
        out[len] = '\0';
    }
    return out;
}

const char *state_get(state *s, const char *key)
{
    state_entry *e = find(s, key);
    yajl_gen g;
    if (e == NULL)
        return NULL;
    if (e->string)
        return e->string;
    if (YAJL_IS_STRING(e->tree))
        return e->tree->u.string;
    if (e->json_cache == NULL && (g = yajl_gen_alloc(NULL)) != NULL) {
        if (json_gen_tree(g, e->tree) == CH_OK)
            e->json_cache = gen_take(g);
        yajl_gen_free(g);
    }
    return e->json_cache;
}

const char *state_json(state *s)
{
    yajl_gen g;
    int ok;
    if (s->json)
        return s->json;
    g = yajl_gen_alloc(NULL);
    if (g == NULL)
        return NULL;
    ok = yajl_gen_map_open(g) == yajl_gen_status_ok;
    for (size_t i = 0; ok && i < s->count; i++) {
        const state_entry *e = &s->entries[i];
        ok = json_gen_cstring(g, e->key) == CH_OK &&
             (e->string ? json_gen_cstring(g, e->string) : json_gen_tree(g, e->tree)) == CH_OK;
    }
    ok = ok && yajl_gen_map_close(g) == yajl_gen_status_ok;
    if (ok)
        s->json = gen_take(g);
    yajl_gen_free(g);
    return s->json;
}

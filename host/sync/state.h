/* state.h - the connector's state: a JSON object, read and changed by key. */
#ifndef HOST_STATE_H
#define HOST_STATE_H

#include <stddef.h>
#include <yajl/yajl_tree.h>

/* At most this much of a state goes into a log line (text_cut): a state can be megabytes. */
#define STATE_LOG_MAX 2000

#include "base/error.h"

typedef struct state_entry {
    char *key;
    char *string;     /* a value set as a string, or NULL */
    yajl_val tree;    /* otherwise the parsed value, inside state.root */
    char *json_cache; /* tree as JSON text, made on first request */
} state_entry;

typedef struct state {
    state_entry *entries;
    size_t count, cap;
    yajl_val root; /* the parsed object that entries' trees belong to */
    char *json;    /* the whole state as JSON, NULL when it must be remade */
} state;

/* An empty state ({}); NULL when out of memory. */
state *state_new(void);

/* Frees the state; NULL is allowed. */
void state_free(state *s);

/* Replaces the contents with the JSON object in text; `where` names it in errors. */
int state_replace(state *s, const char *text, size_t len, const char *where, ch_error *err);

/* Sets a top-level key to a string value. */
int state_set_string(state *s, const char *key, const char *value);

/* The top-level value for key: a string's text, other values as JSON; NULL if absent. */
const char *state_get(state *s, const char *key);

/* The whole state as compact JSON; NULL when out of memory. */
const char *state_json(state *s);

#endif

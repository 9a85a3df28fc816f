/* config.h - configuration.json: a flat JSON object of string values. */
#ifndef HOST_CONFIG_H
#define HOST_CONFIG_H

#include <stddef.h>

#include "base/error.h"

/* At most this many keys: Fivetran allows 100; more is a mistake, not a configuration. */
#define CONFIG_MAX_KEYS 1000

struct ch_config {
    char **keys;
    char **values;
    size_t count, cap;
    char *working_dir; /* absolute; set by the session, NULL until then */
};
typedef struct ch_config config;

/* An empty configuration; NULL when out of memory. */
config *config_new(void);

/* Parses text (named `where` in errors) into a new configuration. */
int config_parse(const char *text, size_t len, const char *where, config **out, ch_error *err);

/*
 * Loads a file; refuses anything but a flat object of strings, with
 * file:line:column. A UTF-8 byte-order mark at the start is skipped.
 */
int config_load(const char *path, config **out, ch_error *err);

/* Frees the configuration; NULL is allowed. */
void config_free(config *c);

/* The values a configuration must never show, longest first (secrets_find). */
typedef struct secrets {
    char **values;
    size_t count;
} secrets;

/* The declared key of that name in keys (ended by a NULL name; keys may be NULL), or NULL. */
const ch_config_key *config_key_find(const ch_config_key *keys, const char *name);

/*
 * True when a key's name says it is secret: with '_', '-' and ' ' removed
 * and in lower case, it contains password, passwd, secret, token, apikey,
 * accesskey, privatekey or credential.
 */
int config_key_is_secret(const char *name);

/*
 * Collects the values of cfg's secret keys: those flagged CH_KEY_SECRET in
 * keys (may be NULL) and those whose names say so. Values shorter than 4
 * bytes are left out: hiding every "ab" in every log would hide the logs.
 */
int secrets_find(secrets *out, const config *cfg, const ch_config_key *keys);

/* Frees the collected values. */
void secrets_free(secrets *s);

#endif

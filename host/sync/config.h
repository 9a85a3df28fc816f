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

#endif

/* registry.h - the registration table: which plugin registered which connector. */
#ifndef HOST_REGISTRY_H
#define HOST_REGISTRY_H

#include <ltdl.h>
#include <stddef.h>

#include "base/error.h"

typedef struct registered {
    ch_connector def; /* strings and handlers live in the plugin, which stays loaded */
    char *plugin;     /* file the connector came from */
} registered;

struct ch_registry {
    registered *items;
    size_t count, cap;
    lt_dlhandle *handles; /* loaded plugins, closed with the registry */
    size_t nhandles;
    const char *loading; /* plugin whose entry point is running */
    int refused;         /* a registration of that plugin was refused */
    ch_error why;        /* the first refusal */
};
typedef struct ch_registry registry;

/* A new empty registry; NULL when out of memory. */
registry *registry_new(void);

/* Unloads every plugin and frees the registry; NULL is allowed. */
void registry_free(registry *r);

/* True when a connector may have this name: 1-100 letters, digits, '_', '-' or '.'. */
int registry_valid_name(const char *name);

/* The connector with this name, or NULL. */
const registered *registry_find(const registry *r, const char *name);

/* True when a plugin file of this path is already loaded. */
int registry_has_plugin(const registry *r, const char *path);

/* Drops the connectors registered by the plugin at path (after a failed load). */
void registry_forget_plugin(registry *r, const char *path);

#endif

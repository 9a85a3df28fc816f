/* registry.h - the registration table: which plugin registered which connector. */
#ifndef HOST_REGISTRY_H
#define HOST_REGISTRY_H

#include <ltdl.h>
#include <stddef.h>

#include "base/error.h"

typedef struct registered {
    ch_connector def; /* strings and handlers live in the plugin, which stays loaded */
    char *plugin;     /* file the connector came from */
    char *path;       /* built by a runtime from this file or directory; NULL for plugins */
} registered;

/* A runtime, which builds connectors from files (ch_register_runtime). */
typedef struct registered_runtime {
    ch_runtime def;
    char *plugin;
} registered_runtime;

struct ch_registry {
    registered *items;
    size_t count, cap;
    registered_runtime *runtimes;
    size_t nruntimes, runtimes_cap;
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

/* True when a connector may have this name: 1-100 letters, digits, '_' or '-'. */
int registry_valid_name(const char *name);

/* True when what `run` was given is a path for a runtime, not a name: it has a '/' or a '.'. */
int registry_is_path(const char *name);

/* The first runtime that claims path, or NULL. */
const registered_runtime *registry_claim(const registry *r, const char *path);

/*
 * Has rt build the connector at path into *out (owned by the caller, freed
 * with registered_clear); err gets the runtime's reason, prefixed by path.
 */
int registry_build(const registered_runtime *rt, const char *path, registered *out, ch_error *err);

/* Frees what registry_build allocated and runs the connector's shutdown hook. */
void registered_clear(registered *item);

/* The connector with this name, or NULL. */
const registered *registry_find(const registry *r, const char *name);

/* True when a plugin file of this path is already loaded. */
int registry_has_plugin(const registry *r, const char *path);

/* Drops the connectors registered by the plugin at path (after a failed load). */
void registry_forget_plugin(registry *r, const char *path);

#endif

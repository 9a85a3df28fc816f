/* registry.c - ch_register and the table it fills; every refusal says why. */
#include "registry.h"

#include <ctype.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

registry *registry_new(void)
{
    return calloc(1, sizeof(registry));
}

void registry_free(registry *r)
{
    if (r == NULL)
        return;
    /* Shutdown hooks run while every plugin is still loaded: one may use another's code. */
    for (size_t i = 0; i < r->count; i++)
        if (r->items[i].def.shutdown)
            r->items[i].def.shutdown(r->items[i].def.user_data);
    for (size_t i = 0; i < r->nruntimes; i++)
        if (r->runtimes[i].def.shutdown)
            r->runtimes[i].def.shutdown(r->runtimes[i].def.user_data);
    for (size_t i = 0; i < r->count; i++)
        free(r->items[i].plugin);
    free(r->items);
    for (size_t i = 0; i < r->nruntimes; i++)
        free(r->runtimes[i].plugin);
    free(r->runtimes);
    for (size_t i = 0; i < r->nhandles; i++)
        lt_dlclose(r->handles[i]);
    free(r->handles);
    free(r);
}

const registered *registry_find(const registry *r, const char *name)
{
    for (size_t i = 0; i < r->count; i++)
        if (strcmp(r->items[i].def.name, name) == 0)
            return &r->items[i];
    return NULL;
}

static const registered_runtime *runtime_find(const registry *r, const char *name)
{
    for (size_t i = 0; i < r->nruntimes; i++)
        if (strcmp(r->runtimes[i].def.name, name) == 0)
            return &r->runtimes[i];
    return NULL;
}

int registry_has_plugin(const registry *r, const char *path)
{
    for (size_t i = 0; i < r->count; i++)
        if (strcmp(r->items[i].plugin, path) == 0)
            return 1;
    for (size_t i = 0; i < r->nruntimes; i++)
        if (strcmp(r->runtimes[i].plugin, path) == 0)
            return 1;
    return 0;
}

void registry_forget_plugin(registry *r, const char *path)
{
    size_t kept = 0;
    for (size_t i = 0; i < r->count; i++) {
        if (strcmp(r->items[i].plugin, path) == 0)
            free(r->items[i].plugin);
        else
            r->items[kept++] = r->items[i];
    }
    r->count = kept;
    kept = 0;
    for (size_t i = 0; i < r->nruntimes; i++) {
        if (strcmp(r->runtimes[i].plugin, path) == 0)
            free(r->runtimes[i].plugin);
        else
            r->runtimes[kept++] = r->runtimes[i];
    }
    r->nruntimes = kept;
}

int registry_is_path(const char *name)
{
    return strchr(name, '/') != NULL || strchr(name, '.') != NULL;
}

const registered_runtime *registry_claim(const registry *r, const char *path)
{
    for (size_t i = 0; i < r->nruntimes; i++)
        if (r->runtimes[i].def.claims(path, r->runtimes[i].def.user_data))
            return &r->runtimes[i];
    return NULL;
}

int registry_build(const registered_runtime *rt, const char *path, registered *out, ch_error *err)
{
    char why[sizeof err->msg - 64];
    memset(out, 0, sizeof *out);
    why[0] = '\0';
    if (rt->def.open(path, &out->def, why, sizeof why, rt->def.user_data) != CH_OK) {
        err_set(err, "%s: %s", path, why[0] ? why : "the runtime could not build the connector");
        registered_clear(out);
        return CH_ERROR;
    }
    if (!registry_valid_name(out->def.name) || out->def.update == NULL) {
        err_set(err, "%s: runtime '%s' built a connector without a valid name or update handler",
                path, rt->def.name);
        registered_clear(out);
        return CH_ERROR;
    }
    if (out->def.description == NULL)
        out->def.description = "";
    out->plugin = strdup(rt->plugin);
    out->path = realpath(path, NULL); /* for logs and `schema`: "." says little */
    if (out->plugin == NULL || out->path == NULL) {
        registered_clear(out);
        return err_set(err, "out of memory");
    }
    return CH_OK;
}

void registered_clear(registered *item)
{
    if (item->def.shutdown)
        item->def.shutdown(item->def.user_data);
    free(item->plugin);
    free(item->path);
    memset(item, 0, sizeof *item);
}

static int refuse(registry *r, const char *format, ...) CH_PRINTF(2, 3);

static int refuse(registry *r, const char *format, ...)
{
    va_list ap;
    if (!r->refused) {
        va_start(ap, format);
        vsnprintf(r->why.msg, sizeof r->why.msg, format, ap);
        va_end(ap);
        r->refused = 1;
    }
    return CH_ERROR;
}

int registry_valid_name(const char *name)
{
    if (name == NULL || *name == '\0' || strlen(name) > 100)
        return 0;
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
            return 0;
    return 1;
}

/*
 * The checks both registrations share, before the plugin's structure is
 * read: a different major version may lay it out differently, and a newer
 * minor one may need functions this host does not have.
 */
static int check_abi(registry *r, const char *plugin, const char *what, int abi_version,
                     int abi_minor, size_t size, size_t host_size, size_t v10_size)
{
    if (abi_version != CH_ABI_VERSION)
        return refuse(r,
                      "%s: built for connector-host ABI version %d, this host provides ABI "
                      "version %d; rebuild the plugin against this host's connector-host.h",
                      plugin, abi_version, CH_ABI_VERSION);
    if (abi_minor > CH_ABI_MINOR || size > host_size)
        return refuse(r,
                      "%s: built for connector-host ABI %d.%d, this host provides ABI %d.%d; "
                      "install a newer connector-host or rebuild the plugin against this one's "
                      "header",
                      plugin, abi_version, abi_minor, CH_ABI_VERSION, CH_ABI_MINOR);
    if (abi_minor < 0 || size < v10_size)
        return refuse(r, "%s: %s registration of an impossible size (%zu bytes, ABI %d.%d)", plugin,
                      what, size, abi_version, abi_minor);
    return CH_OK;
}

/* Room for one more item in an array of count items of cap; CH_ERROR when out of memory. */
static int make_room(void **items, size_t *cap, size_t count, size_t size)
{
    size_t more;
    void *grown;
    if (count < *cap)
        return CH_OK;
    more = *cap ? *cap * 2 : 8;
    if ((grown = realloc(*items, more * size)) == NULL)
        return CH_ERROR;
    *items = grown;
    *cap = more;
    return CH_OK;
}

/* sizeof(ch_connector) in ABI 1.0, which plugins built before 1.1 pass. */
#define CONNECTOR_V10_SIZE (offsetof(ch_connector, config_keys) + sizeof(const ch_config_key *))
#define RUNTIME_V11_SIZE   sizeof(ch_runtime)

int ch_register(ch_registry *r, int abi_version, const ch_connector *def)
{
    return ch_register_connector(r, abi_version, 0, CONNECTOR_V10_SIZE, def);
}

int ch_register_connector(ch_registry *r, int abi_version, int abi_minor, size_t size,
                          const ch_connector *given)
{
    const char *plugin;
    const registered *other;
    registered *item;
    ch_connector copy, *def = &copy;
    if (r == NULL)
        return CH_ERROR;
    plugin = r->loading ? r->loading : "(unknown plugin)";
    if (abi_version == CH_ABI_VERSION && given == NULL) /* CH_REGISTER(r, NULL) says size 1 */
        return refuse(r, "%s: registration without a connector", plugin);
    if (check_abi(r, plugin, "connector", abi_version, abi_minor, size, sizeof copy,
                  CONNECTOR_V10_SIZE) != CH_OK)
        return CH_ERROR;
    /* what the plugin's build knows of the structure; the rest stays zero */
    memset(&copy, 0, sizeof copy);
    memcpy(&copy, given, size);
    if (!registry_valid_name(def->name))
        return refuse(r,
                      "%s: connector name '%s' is not valid (use letters, digits, '_' and '-'; "
                      "a '.' or '/' would make it a path)",
                      plugin, def->name ? def->name : "(null)");
    if (def->update == NULL)
        return refuse(r, "%s: connector '%s' has no update handler", plugin, def->name);
    if ((other = registry_find(r, def->name)) != NULL)
        return refuse(r, "%s: connector '%s' is already registered by %s", plugin, def->name,
                      other->plugin);
    if (make_room((void **)&r->items, &r->cap, r->count, sizeof *r->items) != CH_OK)
        return refuse(r, "%s: out of memory", plugin);
    item = &r->items[r->count];
    memset(item, 0, sizeof *item); /* path stays NULL: a plugin's connector, not a runtime's */
    item->def = *def;
    if (item->def.description == NULL)
        item->def.description = "";
    if ((item->plugin = strdup(plugin)) == NULL)
        return refuse(r, "%s: out of memory", plugin);
    r->count++;
    return CH_OK;
}

int ch_register_runtime(ch_registry *r, int abi_version, int abi_minor, size_t size,
                        const ch_runtime *given)
{
    const char *plugin;
    registered_runtime *item;
    const registered_runtime *other;
    ch_runtime copy;
    if (r == NULL)
        return CH_ERROR;
    plugin = r->loading ? r->loading : "(unknown plugin)";
    if (abi_version == CH_ABI_VERSION && given == NULL)
        return refuse(r, "%s: registration without a runtime", plugin);
    if (check_abi(r, plugin, "runtime", abi_version, abi_minor, size, sizeof copy,
                  RUNTIME_V11_SIZE) != CH_OK)
        return CH_ERROR;
    memset(&copy, 0, sizeof copy);
    memcpy(&copy, given, size);
    if (!registry_valid_name(copy.name))
        return refuse(r, "%s: runtime name '%s' is not valid (use letters, digits, '_' and '-')",
                      plugin, copy.name ? copy.name : "(null)");
    if (copy.claims == NULL || copy.open == NULL)
        return refuse(r, "%s: runtime '%s' has no claims or open function", plugin, copy.name);
    if ((other = runtime_find(r, copy.name)) != NULL)
        return refuse(r, "%s: runtime '%s' is already registered by %s", plugin, copy.name,
                      other->plugin);
    if (make_room((void **)&r->runtimes, &r->runtimes_cap, r->nruntimes, sizeof *r->runtimes) !=
        CH_OK)
        return refuse(r, "%s: out of memory", plugin);
    item = &r->runtimes[r->nruntimes];
    item->def = copy;
    if (item->def.description == NULL)
        item->def.description = "";
    if ((item->plugin = strdup(plugin)) == NULL)
        return refuse(r, "%s: out of memory", plugin);
    r->nruntimes++;
    return CH_OK;
}

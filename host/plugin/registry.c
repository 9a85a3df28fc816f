/* registry.c - ch_register and the table it fills; every refusal says why. */
#include "registry.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
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
    for (size_t i = 0; i < r->count; i++)
        free(r->items[i].plugin);
    free(r->items);
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

int registry_has_plugin(const registry *r, const char *path)
{
    for (size_t i = 0; i < r->count; i++)
        if (strcmp(r->items[i].plugin, path) == 0)
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
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' && *p != '.')
            return 0;
    return 1;
}

int ch_register(ch_registry *r, int abi_version, const ch_connector *def)
{
    const char *plugin;
    const registered *other;
    registered *item;
    if (r == NULL)
        return CH_ERROR;
    plugin = r->loading ? r->loading : "(unknown plugin)";
    /* Checked before reading def: a different ABI may lay it out differently. */
    if (abi_version != CH_ABI_VERSION)
        return refuse(r,
                      "%s: built for connector-host ABI version %d, this host provides ABI "
                      "version %d; rebuild the plugin against this host's connector-host.h",
                      plugin, abi_version, CH_ABI_VERSION);
    if (def == NULL)
        return refuse(r, "%s: registration without a connector", plugin);
    if (!registry_valid_name(def->name))
        return refuse(r,
                      "%s: connector name '%s' is not valid (use letters, digits, '_', '-', '.')",
                      plugin, def->name ? def->name : "(null)");
    if (def->update == NULL)
        return refuse(r, "%s: connector '%s' has no update handler", plugin, def->name);
    if ((other = registry_find(r, def->name)) != NULL)
        return refuse(r, "%s: connector '%s' is already registered by %s", plugin, def->name,
                      other->plugin);
    if (r->count == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 8;
        registered *items = realloc(r->items, cap * sizeof *items);
        if (items == NULL)
            return refuse(r, "%s: out of memory", plugin);
        r->items = items;
        r->cap = cap;
    }
    item = &r->items[r->count];
    item->def = *def;
    if (item->def.description == NULL)
        item->def.description = "";
    if ((item->plugin = strdup(plugin)) == NULL)
        return refuse(r, "%s: out of memory", plugin);
    r->count++;
    return CH_OK;
}

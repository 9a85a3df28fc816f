/*
 * dest_module.c - destinations built as modules and loaded when a spec names
 * one. The PostgreSQL destination needs libpq, which pulls in two dozen
 * libraries (TLS, Kerberos, LDAP): linked into the host, they cost every
 * SQLite sync about 5 ms of start-up and 5 MB of memory.
 */
#include <ltdl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dest.h"
#include "base/build_tree.h"

/*
 * Where modules are looked for: CONNECTOR_HOST_MODULE_DIR, then this build
 * tree's host/ when the host runs from it, then the installed directory.
 */
static int module_dirs(const char *dirs[3])
{
    int n = 0;
    const char *env = getenv("CONNECTOR_HOST_MODULE_DIR");
    if (env && *env)
        dirs[n++] = env;
    if (running_in_build_tree())
        dirs[n++] = BUILD_TOP_DIR "/host/dest/postgresql";
    dirs[n++] = DEST_MODULE_DIR;
    return n;
}

/* The module's handle, opened once and kept for the life of the process. */
static lt_dlhandle open_module(const char *name, ch_error *err)
{
    static lt_dlhandle handle;
    const char *dirs[3], *why = "not found";
    char path[4096], tried[2048] = "";
    size_t off = 0;
    int n;
    if (handle)
        return handle;
    if (lt_dlinit() != 0) { /* counted: the plugin loader's lt_dlexit leaves it open */
        err_set(err, "cannot initialise the module loader: %s", lt_dlerror());
        return NULL;
    }
    n = module_dirs(dirs);
    for (int i = 0; i < n && handle == NULL; i++) {
        snprintf(path, sizeof path, "%s/%s", dirs[i], name);
        if ((handle = lt_dlopenext(path)) == NULL) {
            const char *e = lt_dlerror();
            if (e && strcmp(e, "file not found") != 0)
                why = e; /* found but unloadable says more than the misses */
            off += (size_t)snprintf(tried + off, off < sizeof tried ? sizeof tried - off : 0,
                                    "%s%s", i ? ", " : "", dirs[i]);
        }
    }
    if (handle == NULL) {
        err_set(err,
                "the %s destination module is missing or broken (%s; looked in %s): reinstall "
                "connector-host, or set CONNECTOR_HOST_MODULE_DIR",
                name, why, tried);
        lt_dlexit();
    }
    return handle;
}

static void *module_symbol(const char *name, const char *symbol, ch_error *err)
{
    lt_dlhandle h = open_module(name, err);
    void *fn = h ? lt_dlsym(h, symbol) : NULL;
    if (h && fn == NULL)
        err_set(err, "the %s destination module has no %s: reinstall connector-host", name, symbol);
    return fn;
}

int dest_pg_check(const char *spec, ch_error *err)
{
    int (*check)(const char *, ch_error *) =
        (int (*)(const char *, ch_error *))module_symbol("postgresql", "dest_pg_module_check", err);
    return check ? check(spec, err) : CH_ERROR;
}

int dest_pg_open(const char *spec, dest **out, ch_error *err)
{
    int (*open)(const char *, dest **, ch_error *) =
        (int (*)(const char *, dest **, ch_error *))module_symbol("postgresql",
                                                                  "dest_pg_module_open", err);
    return open ? open(spec, out, err) : CH_ERROR;
}

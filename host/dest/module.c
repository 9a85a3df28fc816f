/*
 * module.c - destinations built as modules and loaded when a spec names one.
 * The PostgreSQL destination needs libpq, which pulls in two dozen libraries
 * (TLS, Kerberos, LDAP): linked into the host, they cost every SQLite sync
 * about 5 ms of start-up and 5 MB of memory. Each module is opened once, by
 * its kind's name, and kept for the life of the process.
 */
#include <ltdl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/build_tree.h"
#include "dest.h"

/* The modules opened so far, by name; a handful at most. */
typedef struct module {
    const char *name; /* a kind's name: kinds live as long as the process */
    lt_dlhandle handle;
} module;

static module opened[8];
static size_t nopened;

/*
 * Where a module is looked for: CONNECTOR_HOST_MODULE_DIR, then this build
 * tree's host/dest/NAME/ when the host runs from it, then the installed
 * directory.
 */
static int module_dirs(const char *name, char *build, size_t size, const char *dirs[3])
{
    int n = 0;
    const char *env = getenv("CONNECTOR_HOST_MODULE_DIR");
    if (env && *env)
        dirs[n++] = env;
    if (running_in_build_tree()) {
        snprintf(build, size, "%s/host/dest/%s", BUILD_TOP_DIR, name);
        dirs[n++] = build;
    }
    dirs[n++] = DEST_MODULE_DIR;
    return n;
}

static lt_dlhandle open_module(const char *name, ch_error *err)
{
    lt_dlhandle handle = NULL;
    const char *dirs[3], *why = "not found";
    char path[4096], tried[2048] = "", build[4096];
    size_t off = 0;
    int n;
    for (size_t i = 0; i < nopened; i++)
        if (strcmp(opened[i].name, name) == 0)
            return opened[i].handle;
    if (nopened == sizeof opened / sizeof opened[0]) {
        err_set(err, "cannot load the %s destination module: too many modules", name);
        return NULL;
    }
    if (lt_dlinit() != 0) { /* counted: the plugin loader's lt_dlexit leaves it open */
        err_set(err, "cannot initialise the module loader: %s", lt_dlerror());
        return NULL;
    }
    n = module_dirs(name, build, sizeof build, dirs);
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
        return NULL;
    }
    opened[nopened].name = name;
    opened[nopened++].handle = handle;
    return handle;
}

/* The module's function dest_NAME_module_WHAT. */
static void *module_symbol(const char *name, const char *what, ch_error *err)
{
    lt_dlhandle h = open_module(name, err);
    char symbol[128];
    void *fn;
    if (h == NULL)
        return NULL;
    snprintf(symbol, sizeof symbol, "dest_%s_module_%s", name, what);
    if ((fn = lt_dlsym(h, symbol)) == NULL)
        err_set(err, "the %s destination module has no %s: reinstall connector-host", name, symbol);
    return fn;
}

int dest_module_check(const dest_kind *kind, const char *spec, ch_error *err)
{
    int (*check)(const char *, ch_error *) =
        (int (*)(const char *, ch_error *))module_symbol(kind->name, "check", err);
    return check ? check(spec, err) : CH_ERROR;
}

int dest_module_open(const dest_kind *kind, const char *spec, const dest_open_opts *opts,
                     dest **out, ch_error *err)
{
    int (*open)(const char *, const dest_open_opts *, dest **, ch_error *) =
        (int (*)(const char *, const dest_open_opts *, dest **, ch_error *))module_symbol(
            kind->name, "open", err);
    return open ? open(spec, opts, out, err) : CH_ERROR;
}

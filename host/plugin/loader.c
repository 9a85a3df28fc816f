/* loader.c - plugin search path, directory scans, and the libltdl calls. */
#include "loader.h"

#include <dirent.h>
#include <errno.h>
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/build_tree.h"
#include "base/utf8.h"

static int add_dir(search_path *sp, const char *dir, size_t len)
{
    char **dirs;
    char *copy;
    if (len == 0)
        return CH_OK;
    for (size_t i = 0; i < sp->count; i++)
        if (strlen(sp->dirs[i]) == len && strncmp(sp->dirs[i], dir, len) == 0)
            return CH_OK;
    dirs = realloc(sp->dirs, (sp->count + 1) * sizeof *dirs);
    if (dirs == NULL)
        return CH_ERROR;
    sp->dirs = dirs;
    if ((copy = strndup(dir, len)) == NULL)
        return CH_ERROR;
    sp->dirs[sp->count++] = copy;
    return CH_OK;
}

int search_path_build(search_path *sp, char *const *flag_dirs, size_t nflag, ch_error *err)
{
    const char *env = getenv("CONNECTOR_PLUGIN_PATH");
    int rc = CH_OK;
    memset(sp, 0, sizeof *sp);
    for (size_t i = 0; i < nflag && rc == CH_OK; i++)
        rc = add_dir(sp, flag_dirs[i], strlen(flag_dirs[i]));
    while (env && *env && rc == CH_OK) {
        size_t len = strcspn(env, ":");
        rc = add_dir(sp, env, len);
        env += len + (env[len] == ':');
    }
    if (rc == CH_OK && running_in_build_tree())
        rc = add_dir(sp, BUILD_PLUGIN_DIR, strlen(BUILD_PLUGIN_DIR));
    if (rc == CH_OK)
        rc = add_dir(sp, PLUGIN_DIR, strlen(PLUGIN_DIR));
    if (rc != CH_OK)
        return err_set(err, "out of memory");
    return CH_OK;
}

void search_path_free(search_path *sp)
{
    for (size_t i = 0; i < sp->count; i++)
        free(sp->dirs[i]);
    free(sp->dirs);
    memset(sp, 0, sizeof *sp);
}

const char *search_path_describe(const search_path *sp)
{
    static char buf[4096];
    size_t off = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sp->count && off < sizeof buf; i++)
        off += (size_t)snprintf(buf + off, sizeof buf - off, "%s%s", i ? ", " : "", sp->dirs[i]);
    return buf;
}

int loader_init(ch_error *err)
{
    if (lt_dlinit() != 0)
        return err_set(err, "cannot initialise the plugin loader: %s", lt_dlerror());
    return CH_OK;
}

void loader_exit(void)
{
    lt_dlexit();
}

static int keep_handle(registry *r, lt_dlhandle h)
{
    lt_dlhandle *handles = realloc(r->handles, (r->nhandles + 1) * sizeof *handles);
    if (handles == NULL)
        return CH_ERROR;
    r->handles = handles;
    r->handles[r->nhandles++] = h;
    return CH_OK;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Reads the value of `key='...'` from a libtool .la file's lines into out; 0 when absent. */
static int la_value(FILE *f, const char *key, char *out, size_t size)
{
    char line[PATH_MAX + 64];
    size_t n = strlen(key);
    rewind(f);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, n) == 0 && line[n] == '=' && line[n + 1] == '\'') {
            char *end = strchr(line + n + 2, '\'');
            if (end == NULL)
                return 0;
            *end = '\0';
            snprintf(out, size, "%s", line + n + 2);
            return 1;
        }
    return 0;
}

/*
 * The shared object that lt_dlopenext(path) would load, found the way
 * libltdl finds it: for path.la, its dlname in its libdir when installed,
 * else in .libs/ beside it, else beside it; without a .la, path.so. 0 when
 * a .la names no file that exists.
 */
static int shared_object_of(const char *path, char *out, size_t size)
{
    char la[PATH_MAX], dlname[PATH_MAX], libdir[PATH_MAX], installed[8];
    const char *slash = strrchr(path, '/');
    int dirlen = slash ? (int)(slash - path) : 1;
    const char *dir = slash ? path : ".";
    FILE *f;
    snprintf(la, sizeof la, "%s.la", path);
    if ((f = fopen(la, "r")) == NULL) {
        snprintf(out, size, "%s.so", path);
        return exists(out);
    }
    if (!la_value(f, "dlname", dlname, sizeof dlname) || dlname[0] == '\0') {
        fclose(f);
        return 0;
    }
    if (la_value(f, "installed", installed, sizeof installed) && strcmp(installed, "yes") == 0 &&
        la_value(f, "libdir", libdir, sizeof libdir)) {
        snprintf(out, size, "%s/%s", libdir, dlname);
        if (exists(out)) {
            fclose(f);
            return 1;
        }
    } else {
        snprintf(out, size, "%.*s/.libs/%s", dirlen, dir, dlname);
        if (exists(out)) {
            fclose(f);
            return 1;
        }
    }
    fclose(f);
    snprintf(out, size, "%.*s/%s", dirlen, dir, dlname);
    return exists(out);
}

int loader_load(registry *r, const char *path, ch_error *err)
{
    lt_dlhandle h;
    int (*entry)(ch_registry *);
    int rc;
    const char *why;
    char so[PATH_MAX];
    void *now = NULL;
    if (registry_has_plugin(r, path))
        return CH_OK;
    /*
     * Every symbol is bound first, with the dynamic loader's own message when
     * one cannot be (a missing library, not an ELF file, another machine, an
     * undefined symbol): bound lazily, a missing one would kill the host in
     * the middle of a sync. The object stays loaded by lt_dlopen below.
     */
    if (shared_object_of(path, so, sizeof so) &&
        (now = dlopen(so, RTLD_NOW | RTLD_LOCAL)) == NULL) {
        why = dlerror();
        return err_set(err, "%s: cannot load plugin: %s", path, why ? why : "unknown error");
    }
    h = lt_dlopenext(path);
    if (now)
        dlclose(now);
    if (h == NULL) {
        why = lt_dlerror();
        return err_set(err, "%s: cannot load plugin: %s", path, why ? why : "unknown error");
    }
    /* Several plugins export the same entry point; lt_dlsym looks in this one only. */
    entry = (int (*)(ch_registry *))lt_dlsym(h, PLUGIN_ENTRY_POINT);
    if (entry == NULL) {
        lt_dlclose(h);
        return err_set(err,
                       "%s: not a connector plugin: it does not export the entry point %s() "
                       "(see connector-host.h)",
                       path, PLUGIN_ENTRY_POINT);
    }
    r->loading = path;
    r->refused = 0;
    rc = entry(r);
    r->loading = NULL;
    if (r->refused || rc != CH_OK) {
        if (r->refused)
            err_set(err, "%s", r->why.msg);
        else
            err_set(err, "%s: %s() returned an error (%d)", path, PLUGIN_ENTRY_POINT, rc);
        registry_forget_plugin(r, path);
        lt_dlclose(h);
        return CH_ERROR;
    }
    if (keep_handle(r, h) != CH_OK) {
        registry_forget_plugin(r, path);
        lt_dlclose(h);
        return err_set(err, "out of memory");
    }
    return CH_OK;
}

/* Path of dir/NAME.la or dir/NAME.so without extension, if either file exists. */
static int plugin_file(const char *dir, const char *name, char *out, size_t size)
{
    char probe[PATH_MAX];
    snprintf(out, size, "%s/%s", dir, name);
    snprintf(probe, sizeof probe, "%s.la", out);
    if (exists(probe))
        return 1;
    snprintf(probe, sizeof probe, "%s.so", out);
    return exists(probe);
}

/*
 * Loads the plugin in a child process first, so that an entry point that
 * crashes takes down the child, not the scan: CH_ERROR with the signal
 * when it did. A plugin that merely fails to load is left to loader_load,
 * which says why.
 */
static int survives_loading(const char *path, ch_error *err)
{
    pid_t pid;
    int status, fds[2];
    char byte = 0;
    ssize_t got;
    if (pipe(fds) != 0)
        return CH_OK; /* no pipe to spare: load it as before */
    fflush(NULL);     /* the child must not write the parent's buffered output again */
    pid = fork();
    if (pid == 0) {
        registry *probe = registry_new();
        ch_error ignored;
        close(fds[0]);
        /* one byte once the entry point has returned: its absence is a crash or an exit */
        byte = probe && loader_load(probe, path, &ignored) == CH_OK ? 'y' : 'n';
        if (write(fds[1], &byte, 1) != 1)
            _exit(1);
        _exit(0);
    }
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        return CH_OK;
    }
    while ((got = read(fds[0], &byte, 1)) < 0 && errno == EINTR)
        ;
    close(fds[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (got == 1)
        return CH_OK; /* it returned: loading it here is safe, and says why it was refused */
    if (WIFSIGNALED(status))
        return err_set(err, "%s: the plugin crashed while loading (%s); skipped", path,
                       strsignal(WTERMSIG(status)));
    return err_set(err,
                   "%s: the plugin crashed while loading (it ended the process, status %d); "
                   "skipped",
                   path, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

void loader_load_all(registry *r, const search_path *sp, const logger *lg)
{
    for (size_t i = 0; i < sp->count; i++) {
        DIR *d = opendir(sp->dirs[i]);
        struct dirent *e;
        if (d == NULL)
            continue;
        while ((e = readdir(d)) != NULL) {
            size_t len = strlen(e->d_name);
            char path[PATH_MAX];
            ch_error err;
            if (len < 4 || (strcmp(e->d_name + len - 3, ".la") != 0 &&
                            strcmp(e->d_name + len - 3, ".so") != 0))
                continue;
            /* NAME.so beside NAME.la is the same plugin: load it by the .la once. */
            if (strcmp(e->d_name + len - 3, ".so") == 0) {
                snprintf(path, sizeof path, "%s/%.*s.la", sp->dirs[i], (int)len - 3, e->d_name);
                if (exists(path))
                    continue;
            }
            snprintf(path, sizeof path, "%s/%.*s", sp->dirs[i], (int)len - 3, e->d_name);
            if (registry_has_plugin(r, path))
                continue;
            if (survives_loading(path, &err) != CH_OK || loader_load(r, path, &err) != CH_OK)
                log_msg(lg, CH_LOG_WARNING, "host", "skipping plugin: %s", err.msg);
        }
        closedir(d);
    }
}

int loader_find(registry *r, const search_path *sp, const char *name, const logger *lg,
                const registered **out, ch_error *err)
{
    char path[PATH_MAX];
    size_t off;
    /* a name, never a path: "../x" or "a/b" must not pick a file outside the plugin directories */
    if (!registry_valid_name(name)) {
        char quoted[100];
        return err_set(err,
                       "connector name %s is not valid: a name is 1 to 100 letters, digits, '_' "
                       "or '-' (a path, for a runtime, has a '/' or a '.')",
                       text_quote(name, strlen(name), quoted, sizeof quoted));
    }
    for (size_t i = 0; i < sp->count; i++) {
        if (!plugin_file(sp->dirs[i], name, path, sizeof path))
            continue;
        if (loader_load(r, path, err) != CH_OK)
            return CH_ERROR;
        if ((*out = registry_find(r, name)) != NULL)
            return CH_OK;
    }
    loader_load_all(r, sp, lg);
    if ((*out = registry_find(r, name)) != NULL)
        return CH_OK;
    err_clear(err); /* the message is composed in place below */
    off = (size_t)snprintf(err->msg, sizeof err->msg,
                           "connector '%s' not found; searched %s; available connectors: ", name,
                           sp->count ? search_path_describe(sp) : "(no directories)");
    if (r->count == 0 && off < sizeof err->msg)
        off += (size_t)snprintf(err->msg + off, sizeof err->msg - off, "none");
    for (size_t i = 0; i < r->count && off < sizeof err->msg; i++)
        off += (size_t)snprintf(err->msg + off, sizeof err->msg - off, "%s%s", i ? ", " : "",
                                r->items[i].def.name);
    if (access(name, F_OK) == 0 && off < sizeof err->msg)
        snprintf(err->msg + off, sizeof err->msg - off,
                 "; '%s' here is a file or directory: write ./%s to run it with a runtime", name,
                 name);
    return CH_ERROR;
}

/* "python (runs connector.py...), other (...)" for messages. */
static void describe_runtimes(const registry *r, char *out, size_t size)
{
    size_t off = 0;
    out[0] = '\0';
    for (size_t i = 0; i < r->nruntimes && off < size; i++)
        off += (size_t)snprintf(out + off, size - off, "%s%s (%s)", i ? ", " : "",
                                r->runtimes[i].def.name, r->runtimes[i].def.description);
}

int loader_find_path(registry *r, const search_path *sp, const char *path, const logger *lg,
                     registered *out, ch_error *err)
{
    struct stat st;
    const registered_runtime *rt;
    char known[sizeof err->msg / 2];
    char quoted[200];
    text_quote(path, strlen(path), quoted, sizeof quoted);
    /* before any plugin is loaded: a mistyped path costs nothing and says so */
    if (stat(path, &st) != 0)
        return err_set(err,
                       "%s: %s (a connector name has no '/' or '.'; a path is run by a "
                       "runtime)",
                       quoted, strerror(errno));
    if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
        return err_set(err, "%s: not a file or a directory", quoted);
    loader_load_all(r, sp, lg);
    if (r->nruntimes == 0)
        return err_set(err,
                       "%s: no runtime plugin to run it; searched %s (the Python runtime, "
                       "plugins/python, is built when configure finds python3-embed)",
                       quoted, sp->count ? search_path_describe(sp) : "(no directories)");
    if ((rt = registry_claim(r, path)) == NULL) {
        describe_runtimes(r, known, sizeof known);
        return err_set(err, "%s: no runtime claims it; runtimes: %s", quoted, known);
    }
    return registry_build(rt, path, out, err);
}

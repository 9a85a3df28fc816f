/* session.c - loading a connector with its configuration and schema, in that order. */
#include "session.h"

#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ch_message's destination: one sync (or schema) per process, so one logger. */
static pthread_mutex_t message_lock = PTHREAD_MUTEX_INITIALIZER;
static const logger *message_log;
static char message_source[160] = "connector";

void session_set_logger(const logger *lg, const char *connector)
{
    pthread_mutex_lock(&message_lock);
    message_log = lg;
    if (connector)
        snprintf(message_source, sizeof message_source, "connector:%s", connector);
    pthread_mutex_unlock(&message_lock);
}

void ch_message(ch_log_level level, const char *format, ...)
{
    va_list ap;
    if (format == NULL)
        return;
    pthread_mutex_lock(&message_lock);
    if (message_log) {
        va_start(ap, format);
        log_vmsg(message_log, level, message_source, format, ap);
        va_end(ap);
    }
    pthread_mutex_unlock(&message_lock);
}

/* The configuration file to read: the option, else WORKDIR/configuration.json if present. */
static char *config_path(const sync_request *req)
{
    struct stat st;
    size_t n;
    char *path;
    if (req->configuration)
        return strdup(req->configuration);
    n = strlen(req->working_dir) + 32;
    path = malloc(n);
    if (path == NULL)
        return NULL;
    snprintf(path, n, "%s/configuration.json", req->working_dir);
    if (stat(path, &st) != 0) {
        free(path);
        return NULL;
    }
    return path;
}

static int check_required_keys(const session *s, ch_error *err)
{
    const ch_config_key *k = s->connector->def.config_keys;
    size_t off = 0;
    int missing = 0;
    for (; k && k->name; k++) {
        if (!(k->required & CH_KEY_REQUIRED) || ch_config_get(s->config, k->name) != NULL)
            continue;
        if (missing++ == 0) {
            err_clear(err); /* the message is composed in place */
            off = (size_t)snprintf(
                err->msg, sizeof err->msg,
                "connector '%s' needs configuration keys missing from %s: ", s->connector->def.name,
                s->config_name ? s->config_name
                               : "its configuration (no "
                                 "configuration.json found)");
        }
        if (off < sizeof err->msg)
            off += (size_t)snprintf(err->msg + off, sizeof err->msg - off, "%s%s (%s)",
                                    missing > 1 ? ", " : "", k->name,
                                    k->description ? k->description : "no description");
    }
    return missing ? CH_ERROR : CH_OK;
}

int session_find(session *s, const sync_request *req, ch_error *err)
{
    memset(s, 0, sizeof *s);
    s->log = req->log;
    if (loader_init(err) != CH_OK)
        return EXIT_USAGE;
    s->loader_ready = 1;
    if ((s->reg = registry_new()) == NULL)
        return err_set(err, "out of memory"), EXIT_USAGE;
    session_set_logger(&s->log, registry_is_path(req->name) ? NULL : req->name);
    if (search_path_build(&s->path, req->plugin_dirs, req->nplugin_dirs, err) != CH_OK)
        return EXIT_USAGE;
    if (registry_is_path(req->name)) {
        if (loader_find_path(s->reg, &s->path, req->name, &req->log, &s->built, err) != CH_OK)
            return EXIT_USAGE;
        s->connector = &s->built;
        session_set_logger(&s->log, s->built.def.name);
    } else if (loader_find(s->reg, &s->path, req->name, &req->log, &s->connector, err) != CH_OK) {
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

int session_open(session *s, const sync_request *req, int check_required, ch_error *err)
{
    int status = session_find(s, req, err);
    if (status != EXIT_OK)
        return status;
    s->config_name = config_path(req);
    if (s->config_name) {
        if (config_load(s->config_name, &s->config, err) != CH_OK)
            return EXIT_USAGE;
    } else if ((s->config = config_new()) == NULL) {
        return err_set(err, "out of memory"), EXIT_USAGE;
    }
    {
        char abs[PATH_MAX];
        /* a working directory that does not exist yet is made by the sync: keep it as given */
        s->config->working_dir = strdup(realpath(req->working_dir, abs) ? abs : req->working_dir);
        if (s->config->working_dir == NULL)
            return err_set(err, "out of memory"), EXIT_USAGE;
    }
    /* before any handler runs: whatever it logs or fails with is scrubbed */
    if (secrets_find(&s->secret, s->config, s->connector->def.config_keys) != CH_OK)
        return err_set(err, "out of memory"), EXIT_USAGE;
    s->log.secrets = (const char *const *)s->secret.values;
    s->log.nsecrets = s->secret.count;
    if (check_required && check_required_keys(s, err) != CH_OK)
        return EXIT_USAGE;
    if ((s->schema = schema_new(s->config)) == NULL)
        return err_set(err, "out of memory"), EXIT_USAGE;
    s->schema->user_data = s->connector->def.user_data;
    s->schema->naming_source = req->naming_source;
    if (s->connector->def.schema && s->connector->def.schema(s->schema, s->config) != CH_OK) {
        ch_error detail;
        if (s->schema->failed)
            err_set(err, "connector '%s': schema handler failed: %s", s->connector->def.name,
                    s->schema->failure.msg);
        else if (schema_finish(s->schema, &detail) != CH_OK)
            err_set(err, "connector '%s': schema handler failed: %s", s->connector->def.name,
                    detail.msg);
        else
            err_set(err, "connector '%s': schema handler returned an error",
                    s->connector->def.name);
        return EXIT_SYNC_FAILED;
    }
    if (schema_finish(s->schema, err) != CH_OK) {
        err_prefix(err, "connector '%s'", s->connector->def.name);
        return EXIT_SYNC_FAILED;
    }
    return EXIT_OK;
}

void session_close(session *s)
{
    if (s->connector == &s->built)
        registered_clear(&s->built); /* its shutdown hook, while the runtime is loaded */
    schema_free(s->schema);
    config_free(s->config);
    free(s->config_name);
    search_path_free(&s->path);
    registry_free(s->reg); /* shutdown hooks may still log */
    session_set_logger(NULL, NULL);
    secrets_free(&s->secret);
    if (s->loader_ready)
        loader_exit();
    memset(s, 0, sizeof *s);
}

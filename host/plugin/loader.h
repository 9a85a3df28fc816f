/* loader.h - finding plugin files and loading them with libltdl. */
#ifndef HOST_LOADER_H
#define HOST_LOADER_H

#include <stddef.h>

#include "base/log.h"
#include "registry.h"

#define PLUGIN_ENTRY_POINT "connector_plugin_init"

typedef struct search_path {
    char **dirs;
    size_t count;
} search_path;

/*
 * Builds the search path: each --plugin-dir, then each directory of
 * CONNECTOR_PLUGIN_PATH, then the build tree's plugins when this executable
 * runs from its build tree, then the installed plugin directory.
 */
int search_path_build(search_path *sp, char *const *flag_dirs, size_t nflag, ch_error *err);

/* Frees the directory list. */
void search_path_free(search_path *sp);

/* The directories as one "a, b, c" string for messages (static buffer). */
const char *search_path_describe(const search_path *sp);

/* Initialises libltdl; call once before loading. */
int loader_init(ch_error *err);

/* Shuts libltdl down. */
void loader_exit(void);

/* Loads one plugin (path without extension or with .la/.so) and runs its entry point. */
int loader_load(registry *r, const char *path, ch_error *err);

/*
 * Loads every plugin in the search path; broken ones are logged as warnings
 * and skipped, including one whose entry point crashes (each is tried in a
 * child process first).
 */
void loader_load_all(registry *r, const search_path *sp, const logger *lg);

/*
 * Finds the connector: first the plugin file of the same name, then every
 * plugin. Errors list the directories searched and the connectors found.
 */
int loader_find(registry *r, const search_path *sp, const char *name, const logger *lg,
                const registered **out, ch_error *err);

/*
 * Builds the connector at path (a file or directory, for a runtime): loads
 * every plugin, asks each runtime whether it claims path, and has the first
 * that does build it into *out (registered_clear frees it).
 */
int loader_find_path(registry *r, const search_path *sp, const char *path, const logger *lg,
                     registered *out, ch_error *err);

#endif

/* workdir.h - the working directory: files/, its lock, and atomic file replacement. */
#ifndef HOST_WORKDIR_H
#define HOST_WORKDIR_H

#include <stddef.h>

#include "base/error.h"

typedef struct workdir {
    char *root;        /* --working-dir */
    char *files;       /* ROOT/files */
    char *warehouse;   /* ROOT/files/warehouse.db */
    char *state_dir;   /* ROOT/files/state: one state file per connector (state_file.h) */
    char *state;       /* ROOT/files/state.json, a copy of one connector's state */
    char *state_owner; /* ROOT/files/state.json.connector: whose state.json is */
    char *lock;        /* ROOT/files/.connector-host.lock */
    char *reset;       /* ROOT/files/.reset: a reset has begun and not finished */
    int lock_fd;       /* -1 when not locked */
} workdir;

/* Computes the paths; with create, makes ROOT/files if it is missing. */
int workdir_open(workdir *w, const char *root, int create, ch_error *err);

/* The default destination, SQLite in files/warehouse.db, as a spec: malloc'd; NULL when out of
 * memory. */
char *workdir_warehouse_spec(const workdir *w);

/* Takes the exclusive lock, or fails at once naming the working directory. */
int workdir_lock(workdir *w, ch_error *err);

/* Releases the lock and frees the paths. */
void workdir_close(workdir *w);

/*
 * Removes the warehouse (with its -wal and -shm files), state.json and
 * every connector's state file (files/state/), safe
 * at every instant: a marker is made durable first and removed last, so a
 * reset killed half way is finished by the next one, or by the next sync
 * (workdir_finish_reset), never left as a database without its WAL.
 * removed(ctx, path) is told of each file removed. Call with the lock held.
 */
int workdir_reset(workdir *w, void (*removed)(void *ctx, const char *path), void *ctx,
                  ch_error *err);

/* When a reset was interrupted, finishes it; *finished says whether there was one. */
int workdir_finish_reset(workdir *w, int *finished, ch_error *err);

/* True when a reset was begun and not finished. */
int workdir_reset_pending(const workdir *w);

/* Replaces path with data: temporary file, fsync, rename, fsync of the directory. */
int write_file_atomic(const char *path, const char *data, size_t len, ch_error *err);

#endif

/* cmd_reset.c - `connector-host reset`: forget the state, drop the local warehouse. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "sync/workdir.h"

static const char usage[] = "connector-host reset [--working-dir DIR]";

/* Removes path if it exists; says so. Returns CH_ERROR only on a real failure. */
static int remove_file(const char *path, int *removed)
{
    if (unlink(path) == 0) {
        printf("removed %s\n", path);
        ++*removed;
        return CH_OK;
    }
    if (errno == ENOENT)
        return CH_OK;
    fprintf(stderr, "connector-host reset: cannot remove %s: %s\n", path, strerror(errno));
    return CH_ERROR;
}

int cmd_reset(int argc, char **argv)
{
    options opts;
    workdir w;
    ch_error err;
    char wal[4096], shm[4096];
    int removed = 0, rc = CH_OK;
    int status = options_parse(&opts, argc, argv, OPT_WORKING_DIR, 0, usage);
    if (status != EXIT_OK || opts.help) {
        if (opts.help)
            printf("Usage: %s\n\nRemoves WORKDIR/files/warehouse.db (with its -wal and -shm "
                   "files) and\nWORKDIR/files/state.json, so that the next sync starts from an "
                   "empty state.\nAsks nothing; prints what it removed.\n",
                   usage);
        options_free(&opts);
        return status;
    }
    if (workdir_open(&w, opts.req.working_dir, 0, &err) != CH_OK ||
        (access(w.files, F_OK) == 0 && workdir_lock(&w, &err) != CH_OK)) {
        fprintf(stderr, "connector-host reset: %s\n", err.msg);
        workdir_close(&w);
        options_free(&opts);
        return EXIT_SYNC_FAILED;
    }
    snprintf(wal, sizeof wal, "%s-wal", w.warehouse);
    snprintf(shm, sizeof shm, "%s-shm", w.warehouse);
    /* The WAL first: a WAL left without its database would be replayed into the next one. */
    rc |= remove_file(wal, &removed);
    rc |= remove_file(shm, &removed);
    rc |= remove_file(w.warehouse, &removed);
    rc |= remove_file(w.state, &removed);
    if (removed == 0 && rc == CH_OK)
        printf("nothing to remove in %s\n", w.files);
    workdir_close(&w);
    options_free(&opts);
    return rc == CH_OK ? EXIT_OK : EXIT_SYNC_FAILED;
}

/* cmd_reset.c - `connector-host reset`: forget the state, drop the local warehouse. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "sync/workdir.h"

static const char usage[] = "connector-host reset [--working-dir DIR]";

static void say_removed(void *ctx, const char *path)
{
    ++*(int *)ctx;
    printf("removed %s\n", path);
}

int cmd_reset(int argc, char **argv)
{
    options opts;
    workdir w;
    ch_error err;
    int removed = 0, rc = CH_OK;
    int status = options_parse(&opts, argc, argv, OPT_WORKING_DIR, 0, usage);
    if (status != EXIT_OK || opts.help) {
        if (opts.help)
            printf("Usage: %s\n\nRemoves WORKDIR/files/warehouse.db (with its -wal and -shm "
                   "files),\nWORKDIR/files/state.json and every connector's state file "
                   "(WORKDIR/files/state/),\nso that the next sync starts from an empty "
                   "state. Asks nothing; prints what it\nremoved.\n",
                   usage);
        options_free(&opts);
        return status;
    }
    if (workdir_open(&w, opts.req.working_dir, 0, &err) != CH_OK ||
        (access(w.files, F_OK) == 0 && workdir_lock(&w, &err) != CH_OK)) {
        fprintf(stderr, "connector-host reset: %s\n", err.msg);
        workdir_close(&w);
        options_free(&opts);
        return exit_status_of(&err); /* a sync working there: try again later */
    }
    if (access(w.files, F_OK) == 0)
        rc = workdir_reset(&w, say_removed, &removed, &err);
    if (rc != CH_OK)
        fprintf(stderr, "connector-host reset: %s\n", err.msg);
    if (removed == 0 && rc == CH_OK)
        printf("nothing to remove in %s\n", w.files);
    workdir_close(&w);
    options_free(&opts);
    return rc == CH_OK ? EXIT_OK : EXIT_SYNC_FAILED;
}

/* request.h - what a command asks of the sync stage, and what the process then exits with. */
#ifndef HOST_REQUEST_H
#define HOST_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/log.h"
#include "progress.h"

/*
 * EXIT_BUSY is sysexits.h's EX_TEMPFAIL: another sync of the same connector
 * holds the lock (working directory or server) or took the connector over,
 * so a scheduler should retry later instead of raising an alarm.
 */
enum exit_status { EXIT_OK = 0, EXIT_SYNC_FAILED = 1, EXIT_USAGE = 2, EXIT_BUSY = 75 };

/* The exit status of a failed sync or command: EXIT_BUSY for an ERR_BUSY error, else 1. */
int exit_status_of(const ch_error *err);

/* One sync (or schema) as the command line asked for it. */
typedef struct sync_request {
    const char *name; /* the connector */
    char **plugin_dirs;
    size_t nplugin_dirs;
    const char *working_dir;   /* where files/ lives; "." by default */
    const char *configuration; /* NULL: WORKDIR/configuration.json if it exists, else {} */
    const char *destination;   /* NULL: sqlite:WORKDIR/files/warehouse.db */
    const char *state;         /* --state FILE: the state to start from; NULL: the committed one */
    int dry_run;               /* check everything, commit nothing */
    int naming_source;         /* --naming source: names as written, not normalised */
    int fixed_time;            /* --fixed-time, for golden tests: */
    int64_t fixed_time_us;     /* where _fivetran_synced's clock starts, microseconds since 1970 */
    char **masks; /* --mask NAME or TABLE.COLUMN: values a jsonl stream writes masked */
    size_t nmasks;
    progress_mode progress;   /* --progress; PROGRESS_AUTO unless asked */
    double progress_interval; /* --progress-interval seconds; 0: the mode's default */
    logger log;
} sync_request;

#endif

/* state_policy.c - where a sync's state comes from (state_policy.h). */
#include "state_policy.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/json.h"

static int exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* Says why state.json is not this connector's, so it is not used. */
static void log_not_owned(const state_file *f, const logger *lg, ch_log_level level,
                          const char *consequence)
{
    if (f->owner)
        log_msg(lg, level, "host", "%s belongs to connector '%s', not '%s': %s", f->path, f->owner,
                f->connector, consequence);
    else
        log_msg(lg, level, "host",
                "%s names no connector in %s (an older connector-host or a hand wrote it), so it "
                "may be another connector's: %s; to have '%s' use it, write its name into %s",
                f->path, f->owner_path, consequence, f->connector, f->owner_path);
}

/* For a destination that keeps no state (jsonl): state.json is the state, if it is ours. */
static int load_state_file(const state_file *f, const logger *lg, state *st, ch_error *err)
{
    char *text = NULL;
    size_t len = 0;
    int rc;
    if (!exists(f->path)) {
        log_msg(lg, CH_LOG_INFO, "host", "no %s for connector '%s': starting fresh", f->path,
                f->connector);
        return CH_OK;
    }
    if (!f->owned) {
        log_not_owned(f, lg, CH_LOG_WARNING,
                      "not used, and this sync starts fresh (its first checkpoint replaces it)");
        return CH_OK;
    }
    if (file_read_regular(f->path, &text, &len, err) != CH_OK)
        return CH_ERROR;
    rc = state_replace(st, text, len, f->path, err);
    free(text);
    return rc;
}

int load_state(dest *d, const dest_kind *kind, const char *connector, const workdir *w,
               state_file *f, const logger *lg, int dry_run, state *st, ch_error *err)
{
    char *stored = NULL, *file = NULL;
    size_t file_len = 0;
    ch_error ignored;
    struct stat sb;
    int rc;
    /* state.json is the host's own file: anything but a file (or nothing) was put there */
    if (lstat(w->state, &sb) == 0 && !S_ISREG(sb.st_mode))
        return err_set(err, "%s is %s, not a regular file; remove it", w->state,
                       file_kind(sb.st_mode));
    if (!(kind->flags & DEST_KEEPS_STATE))
        return load_state_file(f, lg, st, err);
    if (d->ops->load_state(d, connector, &stored, err) != CH_OK)
        return CH_ERROR;
    if (stored == NULL) {
        log_msg(lg, CH_LOG_INFO, "host", "no state stored for connector '%s': starting fresh",
                connector);
        return CH_OK;
    }
    rc = state_replace(st, stored, strlen(stored), "warehouse state", err);
    if (rc == CH_OK) {
        const char *canonical = state_json(st);
        if (exists(w->state) && !f->owned) {
            log_not_owned(f, lg, CH_LOG_INFO,
                          dry_run ? "using the warehouse's state (dry run: the file stays)"
                                  : "using the warehouse's state, and replacing the file");
            if (!dry_run)
                rc = state_file_write(f, canonical, err);
        } else if (file_read_regular(w->state, &file, &file_len, &ignored) != CH_OK ||
                   strcmp(file, canonical) != 0) {
            log_msg(lg, CH_LOG_WARNING, "host",
                    "%s is missing or differs from the state committed in the warehouse; "
                    "using the warehouse's and %s",
                    w->state, dry_run ? "leaving the file alone (dry run)" : "rewriting the file");
            if (!dry_run)
                rc = state_file_write(f, canonical, err);
        }
    }
    free(file);
    free(stored);
    return rc;
}

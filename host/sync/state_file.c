/* state_file.c - state.json and the connector it belongs to (state_file.h). */
#include "state_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/json.h"

int state_file_open(state_file *f, const workdir *w, const char *connector, ch_error *err)
{
    char *text = NULL;
    size_t len = 0;
    ch_error missing;
    memset(f, 0, sizeof *f);
    f->path = w->state;
    f->owner_path = w->state_owner;
    f->connector = connector;
    if (file_read_regular(w->state_owner, &text, &len, &missing) != CH_OK)
        return CH_OK; /* no owner file (or an unreadable one): nobody's */
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' '))
        text[--len] = '\0';
    if (len == 0 || memchr(text, '\0', len) != NULL) {
        free(text);
        return CH_OK;
    }
    f->owner = text;
    f->owned = strcmp(text, connector) == 0;
    (void)err;
    return CH_OK;
}

int state_file_write(state_file *f, const char *json, ch_error *err)
{
    if (!f->owned) {
        size_t n = strlen(f->connector);
        char *line = malloc(n + 2);
        int rc;
        if (line == NULL)
            return err_set(err, "out of memory");
        if (unlink(f->path) != 0 && errno != ENOENT) {
            free(line);
            return err_set(err, "cannot remove %s: %s", f->path, strerror(errno));
        }
        memcpy(line, f->connector, n);
        line[n] = '\n';
        line[n + 1] = '\0';
        rc = write_file_atomic(f->owner_path, line, n + 1, err);
        free(line);
        if (rc != CH_OK)
            return CH_ERROR;
        f->owned = 1;
    }
    return write_file_atomic(f->path, json, strlen(json), err);
}

void state_file_close(state_file *f)
{
    free(f->owner);
    f->owner = NULL;
}

/* state_file.c - a connector's state files in the working directory (state_file.h). */
#include "state_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/json.h"

/* "dir/name" + suffix, malloc'd. */
static char *path_of(const char *dir, const char *name, const char *suffix)
{
    size_t n = strlen(dir) + strlen(name) + strlen(suffix) + 2;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s/%s%s", dir, name, suffix);
    return s;
}

int state_file_read(const char *path, char **text, struct stat *sb, ch_error *err)
{
    struct stat own;
    size_t len;
    *text = NULL;
    if (sb == NULL)
        sb = &own;
    if (lstat(path, sb) != 0) {
        if (errno == ENOENT)
            return CH_OK;
        return err_set(err, "%s: %s", path, strerror(errno));
    }
    /* the host's own files: anything but a file was put there, and is never read through */
    if (!S_ISREG(sb->st_mode))
        return err_set(err, "%s is %s, not a regular file; remove it", path,
                       file_kind(sb->st_mode));
    return file_read_regular(path, text, &len, err);
}

/* A one-line file's text without its line end; NULL when it is empty or holds a NUL. */
static char *one_line(char *text)
{
    size_t len = text ? strlen(text) : 0;
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' '))
        text[--len] = '\0';
    if (len == 0) {
        free(text);
        return NULL;
    }
    return text;
}

int state_file_open(state_file *f, const workdir *w, const char *connector, ch_error *err)
{
    char *text = NULL;
    struct stat sb;
    ch_error unreadable;
    memset(f, 0, sizeof *f);
    f->connector = connector;
    f->dir = w->state_dir;
    f->copy_path = w->state;
    f->owner_path = w->state_owner;
    f->path = path_of(w->state_dir, connector, ".json");
    f->store_path = path_of(w->state_dir, connector, ".store");
    if (f->path == NULL || f->store_path == NULL)
        return err_set(err, "out of memory");
    /* the files a sync reads and replaces: a link or FIFO in their place is refused at once */
    if (lstat(w->state_dir, &sb) == 0 && !S_ISDIR(sb.st_mode))
        return err_set(err, "%s is not a directory; remove it", w->state_dir);
    if (lstat(w->state, &sb) == 0) {
        if (!S_ISREG(sb.st_mode))
            return err_set(err, "%s is %s, not a regular file; remove it", w->state,
                           file_kind(sb.st_mode));
        f->copy_exists = 1;
    }
    if (lstat(f->path, &sb) == 0 && !S_ISREG(sb.st_mode))
        return err_set(err, "%s is %s, not a regular file; remove it", f->path,
                       file_kind(sb.st_mode));
    if (state_file_read(f->store_path, &text, NULL, err) != CH_OK)
        return CH_ERROR;
    f->store = one_line(text);
    /* an owner file that cannot be read names nobody: state.json is then not used */
    if (file_read_regular(w->state_owner, &text, &(size_t){0}, &unreadable) == CH_OK &&
        (f->owner = one_line(text)) != NULL)
        f->owned = strcmp(f->owner, connector) == 0;
    return CH_OK;
}

/* Makes files/state/ when it is missing. */
static int make_dir(const state_file *f, ch_error *err)
{
    struct stat sb;
    if (mkdir(f->dir, 0777) == 0 || errno == EEXIST) {
        /* a link would be followed: files/state/ is the host's own, as state.json is */
        if (lstat(f->dir, &sb) == 0 && !S_ISDIR(sb.st_mode))
            return err_set(err, "%s is not a directory; remove it", f->dir);
        return CH_OK;
    }
    return err_set(err, "cannot create %s: %s", f->dir, strerror(errno));
}

/* Removes the old state.json, then names this connector its owner. */
static int claim_copy(state_file *f, ch_error *err)
{
    size_t n = strlen(f->connector);
    char *line = malloc(n + 2);
    int rc;
    if (line == NULL)
        return err_set(err, "out of memory");
    if (unlink(f->copy_path) != 0 && errno != ENOENT) {
        free(line);
        return err_set(err, "cannot remove %s: %s", f->copy_path, strerror(errno));
    }
    memcpy(line, f->connector, n);
    line[n] = '\n';
    line[n + 1] = '\0';
    rc = write_file_atomic(f->owner_path, line, n + 1, err);
    free(line);
    if (rc != CH_OK)
        return CH_ERROR;
    free(f->owner);
    if ((f->owner = strdup(f->connector)) == NULL)
        return err_set(err, "out of memory");
    f->owned = 1;
    return CH_OK;
}

int state_file_write(state_file *f, const char *json, ch_error *err)
{
    ch_error second;
    int copy_failed = 0;
    if (make_dir(f, err) != CH_OK)
        return CH_ERROR;
    if (f->store_now && (f->store == NULL || strcmp(f->store, f->store_now) != 0)) {
        size_t n = strlen(f->store_now);
        char *line = malloc(n + 2);
        int rc;
        if (line == NULL)
            return err_set(err, "out of memory");
        snprintf(line, n + 2, "%s\n", f->store_now);
        rc = write_file_atomic(f->store_path, line, n + 1, err);
        free(f->store);
        line[n] = '\0';
        f->store = line;
        if (rc != CH_OK) {
            free(f->store);
            f->store = NULL; /* unknown now: written again next time */
            return CH_ERROR;
        }
    }
    /*
     * The copy first: when a kill leaves the two different, the newer (or, on
     * a clock too coarse to tell, state.json) holds the last commit, and so
     * does an edit of either made since (state_policy.c reads them so).
     */
    if (f->owned || f->owner == NULL) { /* another connector's copy is never replaced */
        if ((f->owned || claim_copy(f, err) == CH_OK) &&
            write_file_atomic(f->copy_path, json, strlen(json), err) == CH_OK)
            f->copy_exists = 1;
        else
            copy_failed = 1; /* said, after the connector's own file is written all the same */
    }
    if (write_file_atomic(f->path, json, strlen(json), copy_failed ? &second : err) != CH_OK &&
        !copy_failed)
        return CH_ERROR;
    return copy_failed ? CH_ERROR : CH_OK;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void state_file_list(const workdir *w, char *buf, size_t size)
{
    DIR *d = opendir(w->state_dir);
    struct dirent *e;
    char **names = NULL;
    size_t count = 0, cap = 0, off = 0;
    if (size > 0)
        buf[0] = '\0';
    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n <= 5 || strcmp(e->d_name + n - 5, ".json") != 0)
            continue;
        if (count == cap) {
            char **grown = realloc(names, (cap = cap ? cap * 2 : 16) * sizeof *names);
            if (grown == NULL)
                break; /* a shorter list: it only helps find a misspelt name */
            names = grown;
        }
        if ((names[count] = strndup(e->d_name, n - 5)) != NULL)
            count++;
    }
    closedir(d);
    /* sorted, so the same directory always reads the same */
    if (count > 0)
        qsort(names, count, sizeof *names, by_name);
    for (size_t i = 0; i < count; i++) {
        if (off < size)
            off += (size_t)snprintf(buf + off, size - off, "%s%s", i ? ", " : "", names[i]);
        free(names[i]);
    }
    free(names);
}

void state_file_close(state_file *f)
{
    free(f->path);
    free(f->store_path);
    free(f->store);
    free(f->owner);
    memset(f, 0, sizeof *f);
}

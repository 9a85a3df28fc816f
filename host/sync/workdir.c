/* workdir.c - paths under the working directory, the sync lock, atomic writes. */
#include "workdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char *join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s/%s", a, b);
    return s;
}

int workdir_open(workdir *w, const char *root, int create, ch_error *err)
{
    struct stat st;
    memset(w, 0, sizeof *w);
    w->lock_fd = -1;
    if (stat(root, &st) != 0 || !S_ISDIR(st.st_mode))
        return err_set(err, "working directory '%s' does not exist or is not a directory", root);
    w->root = strdup(root);
    w->files = join(root, "files");
    if (w->root == NULL || w->files == NULL)
        return err_set(err, "out of memory");
    w->warehouse = join(w->files, "warehouse.db");
    w->state_dir = join(w->files, "state");
    w->state = join(w->files, "state.json");
    w->state_owner = join(w->files, "state.json.connector");
    w->lock = join(w->files, ".connector-host.lock");
    w->reset = join(w->files, ".reset");
    if (w->warehouse == NULL || w->state_dir == NULL || w->state == NULL ||
        w->state_owner == NULL || w->lock == NULL || w->reset == NULL)
        return err_set(err, "out of memory");
    if (create && mkdir(w->files, 0777) != 0 && errno != EEXIST)
        return err_set(err, "cannot create %s: %s", w->files, strerror(errno));
    return CH_OK;
}

int workdir_lock(workdir *w, ch_error *err)
{
    int fd = open(w->lock, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0)
        return err_set(err, "cannot open lock file %s: %s", w->lock, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int busy = errno == EWOULDBLOCK;
        close(fd);
        if (busy)
            return err_busy(err,
                            "another connector-host is already working in '%s' (lock %s is "
                            "held); wait for it to finish",
                            w->root, w->lock);
        return err_set(err, "cannot lock %s: %s", w->lock, strerror(errno));
    }
    w->lock_fd = fd;
    return CH_OK;
}

void workdir_close(workdir *w)
{
    if (w->lock_fd >= 0)
        close(w->lock_fd); /* closing releases the lock */
    free(w->root);
    free(w->files);
    free(w->warehouse);
    free(w->state_dir);
    free(w->state);
    free(w->state_owner);
    free(w->lock);
    free(w->reset);
    memset(w, 0, sizeof *w);
    w->lock_fd = -1;
}

/* Removes path if it exists; tells removed. CH_ERROR only on a real failure. */
static int remove_file(const char *path, void (*removed)(void *, const char *), void *ctx,
                       ch_error *err)
{
    if (unlink(path) == 0) {
        if (removed)
            removed(ctx, path);
        return CH_OK;
    }
    if (errno == ENOENT)
        return CH_OK;
    return err_set(err, "cannot remove %s: %s", path, strerror(errno));
}

/* Flushes the directory of files/, so a created or removed name survives a power loss. */
static void sync_dir(const workdir *w)
{
    int fd = open(w->files, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

int workdir_reset_pending(const workdir *w)
{
    struct stat sb;
    return lstat(w->reset, &sb) == 0;
}

/*
 * Removes every connector's state file: all that files/state/ holds but a
 * directory someone put there, then files/state/ itself if it is empty.
 * Temporary files a killed write left go without being named.
 */
static int remove_state_dir(const workdir *w, void (*removed)(void *, const char *), void *ctx,
                            ch_error *err)
{
    DIR *d = opendir(w->state_dir);
    struct dirent *e;
    char path[4200];
    int rc = CH_OK;
    if (d == NULL)
        return errno == ENOENT ? CH_OK
                               : err_set(err, "cannot read %s: %s", w->state_dir, strerror(errno));
    while ((e = readdir(d)) != NULL) {
        struct stat sb;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", w->state_dir, e->d_name);
        if (lstat(path, &sb) != 0 || S_ISDIR(sb.st_mode))
            continue;
        /* each file is tried, the first failure said */
        if (remove_file(path, strstr(e->d_name, ".tmp-") ? NULL : removed, ctx, err) != CH_OK)
            rc = CH_ERROR;
    }
    closedir(d);
    if (rc != CH_OK)
        return CH_ERROR;
    if (rmdir(w->state_dir) == 0) {
        if (removed)
            removed(ctx, w->state_dir);
    } else if (errno != ENOENT && errno != ENOTEMPTY && errno != EEXIST) {
        return err_set(err, "cannot remove %s: %s", w->state_dir, strerror(errno));
    }
    return CH_OK;
}

/* Removes the temporary state files a killed write left behind (state.json.tmp-*). */
static void remove_temporaries(const workdir *w)
{
    DIR *d = opendir(w->files);
    struct dirent *e;
    char path[4200];
    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL)
        if (strncmp(e->d_name, "state.json.tmp-", 15) == 0 ||
            strncmp(e->d_name, "state.json.connector.tmp-", 25) == 0) {
            snprintf(path, sizeof path, "%s/%s", w->files, e->d_name);
            unlink(path);
        }
    closedir(d);
}

/*
 * The files of a reset, in the order SQLite recovers from: the WAL first (a
 * WAL without its database would be replayed into the next one), then the
 * database, state.json and its owner, then each connector's state file. With the marker in place,
 * any prefix of this order is finished by the next reset or sync.
 */
static int remove_all(workdir *w, void (*removed)(void *, const char *), void *ctx, ch_error *err)
{
    const char *suffixes[] = {"-wal", "-shm"};
    char path[4200];
    for (size_t i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s%s", w->warehouse, suffixes[i]);
        if (remove_file(path, removed, ctx, err) != CH_OK)
            return CH_ERROR;
    }
    {
        /* the database and the state are independent: each is tried, the first failure said */
        ch_error second;
        int db = remove_file(w->warehouse, removed, ctx, err);
        int st = remove_file(w->state, removed, ctx, db == CH_OK ? err : &second);
        int owner = remove_file(w->state_owner, removed, ctx, &second);
        int dir = remove_state_dir(w, removed, ctx, db == CH_OK && st == CH_OK ? err : &second);
        if (db != CH_OK || st != CH_OK || owner != CH_OK || dir != CH_OK)
            return CH_ERROR; /* the marker stays: the next reset or sync tries again */
    }
    remove_temporaries(w);
    sync_dir(w);
    if (unlink(w->reset) != 0 && errno != ENOENT)
        return err_set(err, "cannot remove %s: %s", w->reset, strerror(errno));
    sync_dir(w); /* a marker that came back after a power loss would redo the reset */
    return CH_OK;
}

int workdir_reset(workdir *w, void (*removed)(void *ctx, const char *path), void *ctx,
                  ch_error *err)
{
    int fd = open(w->reset, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);
    if (fd < 0)
        return err_set(err, "cannot create %s: %s", w->reset, strerror(errno));
    fsync(fd);
    close(fd);
    sync_dir(w); /* the marker is durable before the first file goes */
    return remove_all(w, removed, ctx, err);
}

int workdir_finish_reset(workdir *w, int *finished, ch_error *err)
{
    *finished = workdir_reset_pending(w);
    return *finished ? remove_all(w, NULL, NULL, err) : CH_OK;
}

/*
 * Creates a temporary file beside path under an unpredictable name, with
 * O_EXCL and O_NOFOLLOW: a file or link planted in its place is never
 * written through. *tmp receives the name (malloc'd).
 */
static int create_temporary(const char *path, char **tmp)
{
    size_t n = strlen(path) + 32;
    int fd = -1;
    if ((*tmp = malloc(n)) == NULL) {
        errno = ENOMEM;
        return -1;
    }
    for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
        unsigned long long r = 0;
        if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r)
            r = (unsigned long long)getpid() << 32 ^ (unsigned long long)time(NULL) ^
                (unsigned long long)attempt * 0x9e3779b97f4a7c15ULL;
        snprintf(*tmp, n, "%s.tmp-%016llx", path, r);
        fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    return fd;
}

int write_file_atomic(const char *path, const char *data, size_t len, ch_error *err)
{
    char *tmp = NULL;
    struct stat sb;
    int fd, saved, created;
    size_t done = 0;
    /* a link in the file's place would be replaced, not followed: refuse it, it was planted */
    if (lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode))
        return err_set(err, "cannot write %s: it is a symbolic link; remove it", path);
    fd = create_temporary(path, &tmp);
    created = fd >= 0; /* from here on, the temporary file is ours to remove */
    if (fd < 0)
        goto fail;
    while (done < len) {
        ssize_t w = write(fd, data + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            goto fail_fd;
        done += (size_t)w;
    }
    if (fsync(fd) != 0)
        goto fail_fd;
    if (close(fd) != 0) {
        fd = -1; /* closed anyway: POSIX leaves no descriptor to retry */
        goto fail_fd;
    }
    if (rename(tmp, path) != 0)
        goto fail;
    free(tmp);
    /*
     * The directory is not synced: after a power loss the rename may be lost
     * and the previous file come back, which the next sync detects and
     * rewrites from the warehouse, whose copy is authoritative. Skipping that
     * flush halves the cost of a checkpoint's state file.
     */
    return CH_OK;
fail_fd:
    saved = errno;
    if (fd >= 0)
        close(fd);
    errno = saved;
fail:
    err_set(err, "cannot write %s: %s", path, strerror(errno));
    if (created)
        unlink(tmp);
    free(tmp);
    return CH_ERROR;
}

char *workdir_warehouse_spec(const workdir *w)
{
    static const char scheme[] = "sqlite:";
    char *spec = malloc(sizeof scheme + strlen(w->warehouse));
    if (spec)
        sprintf(spec, "%s%s", scheme, w->warehouse);
    return spec;
}

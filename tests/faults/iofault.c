/*
 * iofault.c - an LD_PRELOAD library that makes file I/O fail on purpose, so
 * the tests can starve the host of disk space or write access, as root too.
 *
 * Files whose path contains IOFAULT_PATH are watched. Then:
 *   IOFAULT_OPEN_ERRNO=N     opening one for writing fails with errno N
 *   IOFAULT_WRITE_BUDGET=B   after B bytes written to watched files, writes
 *                            fail with IOFAULT_WRITE_ERRNO (default ENOSPC)
 *   IOFAULT_SYNC_ERRNO=N     fsync/fdatasync of one fails with errno N
 *   IOFAULT_KILL_AT_UNLINK=K the K-th unlink of a watched file (from 1)
 *                            kills the process (SIGKILL) before it happens
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#define MAX_FD 4096

static unsigned char watched[MAX_FD];
static long long budget = -1;
static int initialised;

static long env_long(const char *name, long fallback)
{
    const char *v = getenv(name);
    return v && *v ? atol(v) : fallback;
}

static void init(void)
{
    if (!initialised) {
        budget = env_long("IOFAULT_WRITE_BUDGET", -1);
        initialised = 1;
    }
}

static int is_watched_path(const char *path)
{
    const char *needle = getenv("IOFAULT_PATH");
    return needle && *needle && path && strstr(path, needle) != NULL;
}

static int is_watched_fd(int fd)
{
    return fd >= 0 && fd < MAX_FD && watched[fd];
}

typedef int (*open_fn)(const char *, int, ...);

static int do_open(const char *name, const char *path, int flags, mode_t mode)
{
    open_fn real = (open_fn)dlsym(RTLD_NEXT, name);
    int fd, watch = is_watched_path(path);
    init();
    if (watch && (flags & (O_WRONLY | O_RDWR)) && env_long("IOFAULT_OPEN_ERRNO", 0)) {
        errno = (int)env_long("IOFAULT_OPEN_ERRNO", EACCES);
        return -1;
    }
    fd = real(path, flags, mode);
    if (fd >= 0 && fd < MAX_FD)
        watched[fd] = (unsigned char)watch;
    return fd;
}

#define OPEN_MODE(flags, mode)                                                                     \
    do {                                                                                           \
        if ((flags) & (O_CREAT | O_TMPFILE)) {                                                     \
            va_list ap;                                                                            \
            va_start(ap, flags);                                                                   \
            mode = (mode_t)va_arg(ap, int);                                                        \
            va_end(ap);                                                                            \
        }                                                                                          \
    } while (0)

int open(const char *path, int flags, ...)
{
    mode_t mode = 0;
    OPEN_MODE(flags, mode);
    return do_open("open", path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
    mode_t mode = 0;
    OPEN_MODE(flags, mode);
    return do_open("open64", path, flags, mode);
}

/* Spends the budget; 0 when the write must fail. */
static int allow(int fd, size_t count)
{
    init();
    if (!is_watched_fd(fd) || budget < 0)
        return 1;
    if ((long long)count > budget) {
        budget = 0;
        errno = (int)env_long("IOFAULT_WRITE_ERRNO", ENOSPC);
        return 0;
    }
    budget -= (long long)count;
    return 1;
}

ssize_t write(int fd, const void *buf, size_t count)
{
    static ssize_t (*real)(int, const void *, size_t);
    if (real == NULL)
        real = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
    if (!allow(fd, count))
        return -1;
    return real(fd, buf, count);
}

ssize_t pwrite64(int fd, const void *buf, size_t count, off_t offset)
{
    static ssize_t (*real)(int, const void *, size_t, off_t);
    if (real == NULL)
        real = (ssize_t(*)(int, const void *, size_t, off_t))dlsym(RTLD_NEXT, "pwrite64");
    if (!allow(fd, count))
        return -1;
    return real(fd, buf, count, offset);
}

static int sync_fails(int fd)
{
    init();
    if (is_watched_fd(fd) && env_long("IOFAULT_SYNC_ERRNO", 0)) {
        errno = (int)env_long("IOFAULT_SYNC_ERRNO", EIO);
        return 1;
    }
    return 0;
}

int fsync(int fd)
{
    static int (*real)(int);
    if (real == NULL)
        real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    return sync_fails(fd) ? -1 : real(fd);
}

int fdatasync(int fd)
{
    static int (*real)(int);
    if (real == NULL)
        real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    return sync_fails(fd) ? -1 : real(fd);
}

int unlink(const char *path)
{
    static int (*real)(const char *);
    static long count;
    long kill_at = env_long("IOFAULT_KILL_AT_UNLINK", 0);
    if (real == NULL)
        real = (int (*)(const char *))dlsym(RTLD_NEXT, "unlink");
    if (kill_at > 0 && is_watched_path(path) && ++count == kill_at)
        raise(SIGKILL); /* as a kill -9 at that instant */
    return real(path);
}

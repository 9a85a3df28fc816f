/* cmd_new.c - `connector-host new NAME [DIR]`: a ready-to-build connector outside the tree. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "base/error.h"
#include "scaffold_files.h" /* generated from scaffold/ by scaffold/embed.awk */

static const char usage[] = "connector-host new NAME [DIR] [--python]";

static void print_help(void)
{
    printf("Usage: %s\n\n"
           "Writes a new connector named NAME into DIR (default ./NAME), ready to build\n"
           "against the installed SDK and run:\n\n"
           "  NAME.c              schema and update handlers of a small working connector\n"
           "  Makefile            make (builds NAME.so with pkg-config), make run, make check\n"
           "  README.md           how to build, run and test it\n"
           "  configuration.json  a sample configuration\n"
           "  expected.jsonl      the operation stream `make check` compares with\n\n"
           "With --python, a connector written for Fivetran's Connector SDK instead:\n\n"
           "  connector.py        schema() and update() of a small working connector\n"
           "  README.md           how to run it\n"
           "  configuration.json  a sample configuration\n"
           "  requirements.txt    the packages connector.py imports (none yet)\n\n"
           "NAME may hold letters, digits and _, and does not start with a digit: it\n"
           "names the connector, its source and its plugin file (NAME.so). DIR may exist if\n"
           "it is empty; existing files are never overwritten.\n\n"
           "Then: cd DIR && make && connector-host run NAME --plugin-dir .\n"
           "  or, with --python: cd DIR && connector-host run .\n"
           "Exit status: 0 written; 1 a file could not be written; 2 bad usage.\n",
           usage);
}

typedef struct template
{
    const char *file; /* @NAME@ is replaced by the connector's name */
    const char *text;
}
template;

static const template c_files[] = {
    {"@NAME@.c", scaffold_connector_c},
    {"Makefile", scaffold_Makefile},
    {"README.md", scaffold_README_md},
    {"configuration.json", scaffold_configuration_json},
    {"expected.jsonl", scaffold_expected_jsonl},
    {NULL, NULL},
};

static const template python_files[] = {
    {"connector.py", scaffold_py_connector_py},
    {"README.md", scaffold_py_README_md},
    {"configuration.json", scaffold_py_configuration_json},
    {"requirements.txt", scaffold_py_requirements_txt},
    {NULL, NULL},
};

static const template *files = c_files;

/*
 * How the user can run this host from the new directory: "connector-host"
 * when that name on PATH is this executable, else its absolute path (a host
 * run from its build tree is not installed, and the bare name would fail).
 */
static void host_command(char *out, size_t size)
{
    struct stat self, st;
    const char *path = getenv("PATH");
    char candidate[4096];
    ssize_t n = readlink("/proc/self/exe", out, size - 1);
    if (n <= 0 || stat("/proc/self/exe", &self) != 0) {
        snprintf(out, size, "connector-host");
        return;
    }
    out[n] = '\0';
    while (path && *path) {
        size_t len = strcspn(path, ":");
        snprintf(candidate, sizeof candidate, "%.*s/connector-host", (int)len, path);
        if (len && stat(candidate, &st) == 0 && st.st_dev == self.st_dev &&
            st.st_ino == self.st_ino) {
            snprintf(out, size, "connector-host");
            return;
        }
        path += len + (path[len] == ':');
    }
}

/* A C connector's name is an identifier (its source and symbols); a Python project's may have '-'.
 */
static int valid_name(const char *name, int dash)
{
    size_t n = strlen(name);
    if (n == 0 || n > 64 || (name[0] >= '0' && name[0] <= '9'))
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || (dash && c == '-')))
            return 0;
    }
    return 1;
}

/* text with every @NAME@ replaced by name, malloc'd; NULL when out of memory. */
static char *substitute(const char *text, const char *name)
{
    static const char mark[] = "@NAME@";
    size_t count = 0, len;
    const char *p;
    char *out, *o;
    for (p = text; (p = strstr(p, mark)) != NULL; p += sizeof mark - 1)
        count++;
    len = strlen(text) + count * strlen(name) + 1;
    if ((out = malloc(len)) == NULL)
        return NULL;
    for (o = out, p = text;;) {
        const char *at = strstr(p, mark);
        size_t chunk = at ? (size_t)(at - p) : strlen(p);
        memcpy(o, p, chunk);
        o += chunk;
        if (at == NULL)
            break;
        memcpy(o, name, strlen(name));
        o += strlen(name);
        p = at + sizeof mark - 1;
    }
    *o = '\0';
    return out;
}

/* Writes a new file; refuses to replace one that exists. */
static int write_new_file(const char *path, const char *text, ch_error *err)
{
    size_t len = strlen(text), done = 0;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0)
        return err_set(err, "cannot create %s: %s", path, strerror(errno));
    while (done < len) {
        ssize_t n = write(fd, text + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            err_set(err, "cannot write %s: %s", path, strerror(n < 0 ? errno : ENOSPC));
            close(fd);
            unlink(path);
            return CH_ERROR;
        }
        done += (size_t)n;
    }
    if (close(fd) != 0)
        return err_set(err, "cannot write %s: %s", path, strerror(errno));
    return CH_OK;
}

static int dir_empty(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int empty = d != NULL;
    while (empty && (e = readdir(d)) != NULL)
        empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
    if (d)
        closedir(d);
    return empty;
}

/* Fails unless dir is missing (then made) or an empty directory. */
static int prepare_dir(const char *dir, ch_error *err)
{
    struct stat st;
    if (mkdir(dir, 0777) == 0)
        return CH_OK;
    if (errno != EEXIST)
        return err_set(err, "cannot create directory %s: %s", dir, strerror(errno));
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return err_set(err, "%s exists and is not a directory", dir);
    if (!dir_empty(dir))
        return err_set(err, "%s already exists and is not empty: choose a new directory", dir);
    return CH_OK;
}

/* DIR/file i with the connector's name in it, malloc'd; NULL when out of memory. */
static char *file_path(const char *name, const char *dir, size_t i)
{
    char *file = substitute(files[i].file, name);
    char *path = file ? malloc(strlen(dir) + strlen(file) + 2) : NULL;
    if (path)
        sprintf(path, "%s/%s", dir, file);
    free(file);
    return path;
}

/* Removes what a failed write_connector made, so that a retry finds DIR as it was. */
static void undo(const char *name, const char *dir, size_t written, int made_dir)
{
    for (size_t i = 0; i < written; i++) {
        char *path = file_path(name, dir, i);
        if (path)
            unlink(path);
        free(path);
    }
    if (made_dir)
        rmdir(dir);
}

static int write_connector(const char *name, const char *dir, ch_error *err)
{
    size_t i;
    struct stat st;
    int made_dir = stat(dir, &st) != 0;
    if (prepare_dir(dir, err) != CH_OK)
        return CH_ERROR;
    for (i = 0; files[i].file; i++) {
        char *path = file_path(name, dir, i), *text = substitute(files[i].text, name);
        int rc = path && text ? write_new_file(path, text, err) : err_set(err, "out of memory");
        free(text);
        free(path);
        if (rc != CH_OK) {
            undo(name, dir, i, made_dir);
            return CH_ERROR;
        }
    }
    return CH_OK;
}

int cmd_new(int argc, char **argv)
{
    ch_error err;
    const char *name, *dir;
    char host[4096];
    /* --python anywhere after the command; the rest are positional */
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--python") != 0)
            continue;
        files = python_files;
        memmove(&argv[i], &argv[i + 1], (size_t)(argc - i) * sizeof *argv);
        argc--;
        break;
    }
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        print_help();
        return EXIT_OK;
    }
    if (argc < 2 || argc > 3 || argv[1][0] == '-' || (argc == 3 && argv[2][0] == '-')) {
        fprintf(stderr, "connector-host new: %s\nusage: %s\nTry 'connector-host new --help'.\n",
                argc < 2 ? "missing connector name" : "expected NAME and at most one DIR", usage);
        return EXIT_USAGE;
    }
    name = argv[1];
    dir = argc == 3 ? argv[2] : name;
    if (!valid_name(name, files == python_files)) {
        fprintf(stderr,
                "connector-host new: '%s' is not a usable connector name: use letters, digits "
                "and _%s, not starting with a digit, at most 64 characters\n",
                name, files == python_files ? " (and - for --python)" : "");
        return EXIT_USAGE;
    }
    if (write_connector(name, dir, &err) != CH_OK) {
        fprintf(stderr, "connector-host new: %s\n", err.msg);
        return EXIT_SYNC_FAILED;
    }
    host_command(host, sizeof host);
    if (files == python_files)
        printf("Wrote Python connector '%s' into %s/. Next:\n"
               "  cd %s && %s run .\n"
               "See %s/README.md.\n",
               name, dir, dir, host, dir);
    else
        printf("Wrote connector '%s' into %s/. Next:\n"
               "  cd %s && make && %s run %s --plugin-dir .\n"
               "See %s/README.md.\n",
               name, dir, dir, host, name, dir);
    return EXIT_OK;
}

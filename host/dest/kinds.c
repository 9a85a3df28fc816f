/*
 * kinds.c - the table of destination kinds, and choosing one from a spec.
 * A new destination is one line here plus its own files (a module, a whole
 * entry); the destinations call the shared helpers of dest.c, never this
 * file, so there is no loop.
 */
#include <stdio.h>
#include <string.h>

#include "dest.h"

/* The kinds built into the host, each defined in its own file. */
extern const dest_kind dest_kind_sqlite; /* sqlite.c */
extern const dest_kind dest_kind_jsonl;  /* jsonl.c */

/* PostgreSQL is a module: libpq would cost every SQLite sync 5 ms of start-up and 5 MB. */
static const dest_kind dest_kind_postgresql = {
    .name = "postgresql",
    .schemes = {"postgresql://", "postgres://", NULL},
    .usage = "postgresql://...",
    .help = "                        postgresql://USER@HOST/DB?schema=NAME\n",
    .flags = DEST_KEEPS_STATE | DEST_MODULE,
};

/* ClickHouse is a module too: libcurl, and only when configure found it. */
static const dest_kind dest_kind_clickhouse = {
    .name = "clickhouse",
    .schemes = {"clickhouse://", NULL},
    .usage = "clickhouse://...",
    .help = "                        clickhouse://USER[:PASSWORD]@HOST[:PORT]/DB[?cluster=NAME]\n",
    .flags = DEST_KEEPS_STATE | DEST_MODULE,
};

/* The order of `run --help`. */
static const dest_kind *const kinds[] = {&dest_kind_sqlite, &dest_kind_postgresql,
                                         &dest_kind_clickhouse, &dest_kind_jsonl};

#define NKINDS (sizeof kinds / sizeof kinds[0])

const dest_kind *const *dest_kinds(size_t *count)
{
    *count = NKINDS;
    return kinds;
}

const dest_kind *dest_kind_of(const char *spec)
{
    for (size_t k = 0; k < NKINDS; k++)
        for (const char *const *p = kinds[k]->schemes; *p; p++)
            if (strncmp(spec, *p, strlen(*p)) == 0)
                return kinds[k];
    return NULL;
}

int dest_uses_stdout(const char *spec)
{
    const dest_kind *kind = spec ? dest_kind_of(spec) : NULL;
    return kind && kind->uses_stdout && kind->uses_stdout(spec);
}

int dest_check(const char *spec, ch_error *err)
{
    const dest_kind *kind = dest_kind_of(spec);
    char expected[256] = "";
    size_t off = 0;
    if (kind != NULL)
        return kind->flags & DEST_MODULE ? dest_module_check(kind, spec, err)
                                         : kind->check(spec, err);
    for (size_t k = 0; k < NKINDS && off < sizeof expected; k++) {
        const char *sep = k == 0 ? "" : k + 1 < NKINDS ? ", " : " or ";
        off +=
            (size_t)snprintf(expected + off, sizeof expected - off, "%s%s", sep, kinds[k]->usage);
    }
    return err_set(err, "unknown destination '%s' (expected %s)", spec, expected);
}

int dest_open(const char *spec, const dest_open_opts *opts, dest **out, ch_error *err)
{
    const dest_kind *kind = dest_kind_of(spec);
    int rc;
    if (dest_check(spec, err) != CH_OK)
        return CH_ERROR;
    rc = kind->flags & DEST_MODULE ? dest_module_open(kind, spec, opts, out, err)
                                   : kind->open(spec, opts, out, err);
    if (rc == CH_OK) {
        (*out)->notice = opts->notice;
        (*out)->notice_ctx = opts->notice_ctx;
    }
    return rc;
}

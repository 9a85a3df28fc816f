/*
 * bulk_workload.h - the scaled three-operations workload, shared by the bulk
 * connector and the SQLite baseline so that both do exactly the same work.
 *
 * N upserts of {id: UUID, val1: the id, val2: i} into `three`, then a partial
 * update (val1 = "abc") of every 2nd row, then a delete of every 3rd row, with
 * a commit every BULK_BATCH operations. The UUIDs are version-4 UUIDs drawn
 * from a generator seeded once per run, so a row's id can be made again
 * instead of being kept in memory.
 */
#ifndef BULK_WORKLOAD_H
#define BULK_WORKLOAD_H

#include <stdint.h>
#include <string.h>
#include <time.h>

#define BULK_BATCH 10000

enum bulk_phase { BULK_UPSERT, BULK_UPDATE, BULK_DELETE, BULK_DONE };

static inline uint64_t bulk_mix(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

/* Writes row i's id, a version-4 UUID, as 36 characters and a NUL. */
static inline void bulk_uuid(uint64_t seed, long i, char out[37])
{
    static const char hex[] = "0123456789abcdef";
    uint64_t hi = bulk_mix(seed ^ ((uint64_t)i * 2)), lo = bulk_mix(seed ^ ((uint64_t)i * 2 + 1));
    unsigned char b[16];
    int n = 0;
    for (int k = 0; k < 8; k++) {
        b[k] = (unsigned char)(hi >> (56 - 8 * k));
        b[8 + k] = (unsigned char)(lo >> (56 - 8 * k));
    }
    b[6] = (unsigned char)((b[6] & 0x0F) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80); /* RFC 4122 variant */
    for (int k = 0; k < 16; k++) {
        if (k == 4 || k == 6 || k == 8 || k == 10)
            out[n++] = '-';
        out[n++] = hex[b[k] >> 4];
        out[n++] = hex[b[k] & 15];
    }
    out[n] = '\0';
}

/*
 * Operation number op (0-based, over all phases) of a run with n rows: its
 * phase and row. Returns BULK_DONE past the end.
 */
static inline enum bulk_phase bulk_op(long n, long op, long *row)
{
    long updates = n / 2, deletes = n / 3;
    if (op < n) {
        *row = op;
        return BULK_UPSERT;
    }
    op -= n;
    if (op < updates) {
        *row = op * 2 + 1; /* every 2nd row: 1, 3, 5, ... */
        return BULK_UPDATE;
    }
    op -= updates;
    if (op < deletes) {
        *row = op * 3 + 2; /* every 3rd row: 2, 5, 8, ... */
        return BULK_DELETE;
    }
    return BULK_DONE;
}

static inline long bulk_total_ops(long n)
{
    return n + n / 2 + n / 3;
}

/*
 * The UTC time with microseconds (2026-01-02T03:04:05.123456Z), formatted as
 * cheaply as the host does it: the baselines stamp _fivetran_synced per row too.
 */
static inline void bulk_now_utc(char out[32])
{
    static time_t prefix_second = -1;
    static char prefix[24];
    struct timespec ts;
    int frac;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (ts.tv_sec != prefix_second) {
        struct tm tm;
        gmtime_r(&ts.tv_sec, &tm);
        strftime(prefix, sizeof prefix, "%Y-%m-%dT%H:%M:%S", &tm);
        prefix_second = ts.tv_sec;
    }
    memcpy(out, prefix, 19);
    out[19] = '.';
    frac = (int)(ts.tv_nsec / 1000);
    for (int k = 25; k >= 20; k--, frac /= 10)
        out[k] = (char)('0' + frac % 10);
    out[26] = 'Z';
    out[27] = '\0';
}

#endif

/*
 * workload_stream.h - the deterministic operation stream of the workload
 * connector, shared with its oracle so that both agree on operation i.
 */
#ifndef WORKLOAD_STREAM_H
#define WORKLOAD_STREAM_H

#include <stdint.h>

enum workload_kind { W_UPSERT, W_UPDATE, W_DELETE };

/* Operation i over a key space of `keys`: 60% upserts, 20% partial updates, 20% deletes. */
static inline void workload_op(long i, long keys, enum workload_kind *kind, long *key)
{
    uint64_t h = (uint64_t)(i + 1) * 0x9E3779B97F4A7C15ULL;
    int r;
    h ^= h >> 31;
    h *= 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 29;
    *key = (long)(h % (uint64_t)keys);
    r = (int)((h >> 40) % 10);
    *kind = r < 6 ? W_UPSERT : r < 8 ? W_UPDATE : W_DELETE;
}

#endif

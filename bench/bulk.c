/*
 * bulk.c - the benchmark's connector: the scaled three-operations workload
 * (bulk_workload.h) through the host, checkpointing every BULK_BATCH
 * operations with the position reached, and resuming from it.
 *
 * Configuration: n (rows, default 100000); work (default 0): mixing rounds per
 * operation, to model a connector that does real work per row; seed (default:
 * a fresh one per run): the ids' seed, so that the benchmark can compare the
 * host's table with the baselines' (bench/baseline N DB SEED).
 */
#include <connector-host.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <uuid/uuid.h>

#include "bulk_workload.h"

static int schema(ch_schema *s, const ch_config *config)
{
    ch_table *t = ch_schema_table(s, "three");
    ch_table_primary_key(t, "id");
    ch_table_column(t, "id", "STRING");
    ch_table_column(t, "val1", "STRING");
    ch_table_column(t, "val2", "INT");
    return CH_OK;
}

/* A fresh seed per run, from libuuid's random source. */
static uint64_t fresh_seed(void)
{
    uuid_t u;
    uint64_t seed = 0;
    uuid_generate_random(u);
    for (int k = 0; k < 8; k++)
        seed = seed << 8 | u[k];
    return seed;
}

/* Burns about `rounds` mixing steps, so the benchmark can model a connector with real work. */
static void simulated_work(long rounds, long row)
{
    volatile uint64_t sink;
    uint64_t x = (uint64_t)row;
    for (long k = 0; k < rounds; k++)
        x = bulk_mix(x);
    sink = x;
    (void)sink;
}

static int checkpoint(ch_sync *sync, uint64_t seed, long op)
{
    char text[32];
    snprintf(text, sizeof text, "%" PRIu64, seed);
    if (ch_state_set(sync, "seed", text) != CH_OK)
        return CH_ERROR;
    snprintf(text, sizeof text, "%ld", op);
    if (ch_state_set(sync, "op", text) != CH_OK)
        return CH_ERROR;
    return ch_checkpoint(sync);
}

static int update(ch_sync *sync, const ch_config *config)
{
    const char *n_text = ch_config_get(config, "n");
    const char *seed_text = ch_state_get(sync, "seed"), *op_text = ch_state_get(sync, "op");
    const char *work_text = ch_config_get(config, "work");
    const char *fixed_seed = ch_config_get(config, "seed");
    long n = n_text ? atol(n_text) : 100000, op = op_text ? atol(op_text) : 0, row;
    long work = work_text ? atol(work_text) : 0;
    uint64_t seed = seed_text    ? strtoull(seed_text, NULL, 10)
                    : fixed_seed ? strtoull(fixed_seed, NULL, 10)
                                 : fresh_seed();
    ch_row *r = ch_row_new();
    char id[37];
    int rc = CH_OK;
    enum bulk_phase phase;
    if (r == NULL)
        return CH_ERROR;
    if (op >= bulk_total_ops(n)) { /* the last run finished: a new one with new ids */
        op = 0;
        seed = fixed_seed ? strtoull(fixed_seed, NULL, 10) : fresh_seed();
    }
    while (rc == CH_OK && (phase = bulk_op(n, op, &row)) != BULK_DONE) {
        if (work > 0)
            simulated_work(work, row); /* a connector that parses or computes per row */
        bulk_uuid(seed, row, id);
        ch_row_clear(r);
        ch_row_set_string(r, "id", id);
        if (phase == BULK_UPSERT) {
            ch_row_set_string(r, "val1", id);
            ch_row_set_int(r, "val2", (int32_t)row);
            rc = ch_upsert(sync, "three", r);
        } else if (phase == BULK_UPDATE) {
            ch_row_set_string(r, "val1", "abc");
            rc = ch_update(sync, "three", r);
        } else {
            rc = ch_delete(sync, "three", r);
        }
        if (rc == CH_OK && ++op % BULK_BATCH == 0)
            rc = checkpoint(sync, seed, op);
    }
    if (rc == CH_OK)
        rc = checkpoint(sync, seed, op);
    ch_row_free(r);
    return rc;
}

static const ch_connector bulk = {
    .name = "bulk",
    .description = "Benchmark: N upserts, N/2 partial updates, N/3 deletes",
    .schema = schema,
    .update = update,
};

int connector_plugin_init(ch_registry *registry)
{
    return CH_REGISTER(registry, &bulk);
}

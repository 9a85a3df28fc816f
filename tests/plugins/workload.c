/*
 * workload.c - a long deterministic stream for crash and fault tests.
 *
 * Operation i (see workload_stream.h) upserts {id, val = i, txt = "t<i>"},
 * updates only val = i, or deletes, over table `w`. A checkpoint every
 * `every` operations stores the position reached, and a sync resumes there,
 * so the table after any committed position is computable (workload_oracle).
 *
 * Configuration (all optional): n (operations, 10000), every (1000), keys
 * (500), sleep_us (pause per operation, 0), and fail_at / abort_at / segv_at:
 * at that operation, fail the sync / call abort() / dereference NULL; and
 * pause_at with pause_file F: at that operation, create F.reached and wait
 * until F exists, so that a test acts while the sync holds its locks.
 */
#include <connector-host.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "workload_stream.h"

static long setting(const ch_config *config, const char *key, long fallback)
{
    const char *v = ch_config_get(config, key);
    return v ? atol(v) : fallback;
}

/* A real NULL store: the crash the test wants, kept from UBSan, which would stop it first. */
#if defined(__GNUC__)
__attribute__((no_sanitize_undefined))
#endif
static void
crash_on(long address)
{
    *(volatile int *)(uintptr_t)address = 1;
}

/*
 * Says the pause is reached (F.reached), then waits, polling, until the test
 * creates F; CH_ERROR after a minute, so a test that died leaves no process.
 */
static int pause_until(const char *file)
{
    char reached[4096];
    struct stat sb;
    struct timespec tick = {0, 10 * 1000 * 1000};
    FILE *f;
    snprintf(reached, sizeof reached, "%s.reached", file);
    if ((f = fopen(reached, "w")) != NULL)
        fclose(f);
    for (int ticks = 0; stat(file, &sb) != 0; ticks++) {
        if (ticks == 6000)
            return CH_ERROR;
        nanosleep(&tick, NULL);
    }
    return CH_OK;
}

static int schema(ch_schema *s, const ch_config *config)
{
    ch_table *t = ch_schema_table(s, "w");
    ch_table_primary_key(t, "id");
    ch_table_column(t, "id", "LONG");
    ch_table_column(t, "val", "LONG");
    ch_table_column(t, "txt", "STRING");
    return CH_OK;
}

static int checkpoint_at(ch_sync *sync, long pos)
{
    char text[32];
    snprintf(text, sizeof text, "%ld", pos);
    if (ch_state_set(sync, "pos", text) != CH_OK)
        return CH_ERROR;
    return ch_checkpoint(sync);
}

static int update(ch_sync *sync, const ch_config *config)
{
    long n = setting(config, "n", 10000), every = setting(config, "every", 1000);
    long keys = setting(config, "keys", 500), sleep_us = setting(config, "sleep_us", 0);
    long fail_at = setting(config, "fail_at", -1), abort_at = setting(config, "abort_at", -1);
    long segv_at = setting(config, "segv_at", -1), pause_at = setting(config, "pause_at", -1);
    const char *pause_file = ch_config_get(config, "pause_file");
    const char *pos_text = ch_state_get(sync, "pos");
    long i = pos_text ? atol(pos_text) : 0;
    struct timespec pause = {sleep_us / 1000000, (sleep_us % 1000000) * 1000};
    ch_row *row = ch_row_new();
    int rc = CH_OK;
    char txt[32];
    if (row == NULL)
        return CH_ERROR;
    ch_log_info(sync, "resuming at operation %ld of %ld", i, n);
    for (; i < n && rc == CH_OK; i++) {
        enum workload_kind kind;
        long key;
        if (i == fail_at) {
            rc = ch_fail(sync, "workload failing on purpose at operation %ld", i);
            break;
        }
        if (i == abort_at)
            abort();
        if (i == segv_at)
            crash_on(setting(config, "null", 0));
        if (i == pause_at && pause_file && pause_until(pause_file) != CH_OK) {
            rc = ch_fail(sync, "workload: %s did not appear within a minute", pause_file);
            break;
        }
        workload_op(i, keys, &kind, &key);
        ch_row_clear(row);
        ch_row_set_long(row, "id", key);
        if (kind != W_DELETE)
            ch_row_set_long(row, "val", i);
        if (kind == W_UPSERT) {
            snprintf(txt, sizeof txt, "t%ld", i);
            ch_row_set_string(row, "txt", txt);
            rc = ch_upsert(sync, "w", row);
        } else if (kind == W_UPDATE) {
            rc = ch_update(sync, "w", row);
        } else {
            rc = ch_delete(sync, "w", row);
        }
        if (rc == CH_OK && (i + 1) % every == 0)
            rc = checkpoint_at(sync, i + 1);
        if (sleep_us > 0)
            nanosleep(&pause, NULL);
    }
    if (rc == CH_OK)
        rc = checkpoint_at(sync, n);
    ch_row_free(row);
    return rc;
}

static const ch_connector workload = {
    .name = "workload",
    .description = "Deterministic stream of upserts, updates and deletes with checkpoints",
    .schema = schema,
    .update = update,
};

int connector_plugin_init(ch_registry *registry)
{
    return CH_REGISTER(registry, &workload);
}

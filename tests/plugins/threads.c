/*
 * threads.c - a connector that emits from several threads at once, as one
 * fetching pages in parallel does: "threads" threads (default 4) each upsert
 * "rows" rows (default 2000) of keys of their own into `t`, set the state
 * and checkpoint every 100 rows; the update handler joins them and
 * checkpoints once more.
 */
#include <connector-host.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct worker {
    ch_sync *sync;
    long first, rows;
    int rc;
    pthread_t thread;
} worker;

static int schema(ch_schema *s, const ch_config *config)
{
    ch_table *t = ch_schema_table(s, "t");
    (void)config;
    ch_table_primary_key(t, "id");
    ch_table_column(t, "id", "LONG");
    ch_table_column(t, "thread", "LONG");
    return CH_OK;
}

static void *work(void *arg)
{
    worker *w = arg;
    ch_row *row = ch_row_new();
    char key[32], value[32];
    w->rc = row ? CH_OK : CH_ERROR;
    for (long i = 0; w->rc == CH_OK && i < w->rows; i++) {
        ch_row_clear(row);
        ch_row_set_long(row, "id", w->first + i);
        ch_row_set_long(row, "thread", w->first);
        w->rc = ch_upsert(w->sync, "t", row);
        if (w->rc == CH_OK && i % 100 == 99) {
            snprintf(key, sizeof key, "thread_%ld", w->first);
            snprintf(value, sizeof value, "%ld", i + 1);
            w->rc = ch_state_set(w->sync, key, value);
            if (w->rc == CH_OK)
                w->rc = ch_checkpoint(w->sync);
        }
    }
    ch_row_free(row);
    return NULL;
}

static int update(ch_sync *sync, const ch_config *config)
{
    const char *t = ch_config_get(config, "threads"), *r = ch_config_get(config, "rows");
    long nthreads = t ? atol(t) : 4, rows = r ? atol(r) : 2000;
    worker *w = calloc((size_t)nthreads, sizeof *w);
    int rc = w ? CH_OK : CH_ERROR;
    long started = 0;
    for (; rc == CH_OK && started < nthreads; started++) {
        w[started].sync = sync;
        w[started].first = started * 1000000;
        w[started].rows = rows;
        if (pthread_create(&w[started].thread, NULL, work, &w[started]) != 0)
            rc = ch_fail(sync, "cannot start a thread");
    }
    for (long i = 0; i < started; i++) {
        pthread_join(w[i].thread, NULL);
        if (w[i].rc != CH_OK)
            rc = CH_ERROR;
    }
    free(w);
    return rc == CH_OK ? ch_checkpoint(sync) : rc;
}

static const ch_connector threads = {
    .name = "threads",
    .description = "Upserts and checkpoints from several threads at once",
    .schema = schema,
    .update = update,
};

int connector_plugin_init(ch_registry *registry)
{
    return CH_REGISTER(registry, &threads);
}

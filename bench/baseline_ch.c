/*
 * baseline_ch.c - the ClickHouse row's yardstick: the bulk workload
 * (bulk_workload.h) written with plain libcurl over ClickHouse's HTTP
 * interface, no host and no plugin, into the same table the host makes (a
 * ReplacingMergeTree by a version column, ordered by id). Per BULK_BATCH
 * operations:
 *
 *   1. the upserts' rows are kept in memory, a change of a row upserted in
 *      the batch is applied to it there;
 *   2. the rows of the other changed keys are read with FINAL, the partial
 *      updates and deletes applied to them;
 *   3. one INSERT (TabSeparated) of every new row version, then one INSERT
 *      of the state row.
 *
 * Usage: baseline_ch N DATABASE URL            (URL: http://HOST:PORT)
 *        baseline_ch --verify N DATABASE URL   checks the table a finished run of N implies
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulk_workload.h"

typedef struct buf {
    char *s;
    size_t len, cap;
} buf;

static void add(buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 1 << 16;
        while (cap < b->len + n + 1)
            cap *= 2;
        if ((b->s = realloc(b->s, cap)) == NULL) {
            fprintf(stderr, "baseline_ch: out of memory\n");
            exit(1);
        }
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void adds(buf *b, const char *s)
{
    add(b, s, strlen(s));
}

static size_t collect(char *data, size_t size, size_t n, void *arg)
{
    add(arg, data, size * n);
    return size * n;
}

static CURL *curl;
static const char *base_url;

/*
 * Runs sql, in the URL with data as the body when given (an INSERT's rows), else as the body;
 * the answer into out if not NULL. Exits on error.
 */
static void run(const char *sql, const buf *data, buf *out)
{
    buf url = {0}, answer = {0};
    long status = 0;
    adds(&url, base_url);
    adds(&url, "/?wait_end_of_query=1&max_query_size=268435456");
    if (data) {
        char *q = curl_easy_escape(curl, sql, 0);
        adds(&url, "&query=");
        adds(&url, q);
        curl_free(q);
    }
    curl_easy_setopt(curl, CURLOPT_URL, url.s);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, data ? data->s : sql);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     (curl_off_t)(data ? data->len : strlen(sql)));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
    if (curl_easy_perform(curl) != CURLE_OK ||
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK || status != 200) {
        fprintf(stderr, "baseline_ch: %s: %s\n", sql, answer.s ? answer.s : "no answer");
        exit(1);
    }
    free(url.s);
    if (out)
        *out = answer;
    else
        free(answer.s);
}

/* A batch's change of one row: a partial update of val_1 to "abc", a delete, or both. */
typedef struct change {
    long row;
    int has_val1, deleted;
    char synced[32];
    int upserted; /* the row was upserted in this batch: changed in memory */
    char id[37];
} change;

/* The batch's changes by row: open addressing over indexes into changes, -1 for empty. */
#define SLOTS 32768 /* a power of two over twice BULK_BATCH */
static long slots[SLOTS];

static long *slot_of(const change *changes, long row)
{
    size_t h = (size_t)bulk_mix((uint64_t)row) & (SLOTS - 1);
    while (slots[h] >= 0 && changes[slots[h]].row != row)
        h = (h + 1) & (SLOTS - 1);
    return &slots[h];
}

/* The read changes by id, for the rows the server answers with. */
static long id_slots[SLOTS];

static long *id_slot_of(const change *changes, const char *id)
{
    size_t h = 1469598103934665603u;
    for (const char *p = id; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211u;
    h &= SLOTS - 1;
    while (id_slots[h] >= 0 && strcmp(changes[id_slots[h]].id, id) != 0)
        h = (h + 1) & (SLOTS - 1);
    return &id_slots[h];
}

static void sqlf(char *out, size_t size, const char *fmt, const char *db)
{
    snprintf(out, size, fmt, db);
}

int main(int argc, char **argv)
{
    int verify = argc > 1 && strcmp(argv[1], "--verify") == 0;
    long n, op = 0, row = 0;
    uint64_t seed, version;
    const char *db;
    char sql[1024], id[37];
    struct timespec ts;
    change *changes;
    long *upserts; /* per batch: the upserted rows, -1 when a change in the batch deleted it */
    if (argc != 4 + verify) {
        fprintf(stderr, "usage: baseline_ch [--verify] N DATABASE URL\n");
        return 2;
    }
    n = atol(argv[1 + verify]);
    db = argv[2 + verify];
    base_url = argv[3 + verify];
    curl_global_init(CURL_GLOBAL_DEFAULT);
    curl = curl_easy_init();
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    /* no "Expect: 100-continue" before a large insert: it would wait for the server's go */
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, curl_slist_append(NULL, "Expect:"));
    if (verify) {
        buf out = {0};
        char want[128];
        snprintf(sql, sizeof sql,
                 "SELECT count(), sum(_fivetran_deleted), countIf(val_1 = 'abc') FROM %s.three "
                 "FINAL FORMAT TabSeparated",
                 db);
        run(sql, NULL, &out);
        snprintf(want, sizeof want, "%ld\t%ld\t%ld\n", n, n / 3, n / 2);
        if (strcmp(out.s, want) != 0) {
            fprintf(stderr, "baseline_ch: the table has %s, not %s", out.s, want);
            return 1;
        }
        return 0;
    }
    sqlf(sql, sizeof sql, "CREATE DATABASE IF NOT EXISTS %s", db);
    run(sql, NULL, NULL);
    sqlf(sql, sizeof sql, "DROP TABLE IF EXISTS %s.three", db);
    run(sql, NULL, NULL);
    sqlf(sql, sizeof sql,
         "CREATE TABLE %s.three (id String, val_1 Nullable(String), val_2 Nullable(Int32), "
         "_fivetran_synced String, _fivetran_deleted UInt8, _connector_version UInt64) ENGINE = "
         "ReplacingMergeTree(_connector_version) ORDER BY id",
         db);
    run(sql, NULL, NULL);
    sqlf(sql, sizeof sql,
         "CREATE TABLE IF NOT EXISTS %s._connector_state (connector String, state String, "
         "updated_at String, _connector_version UInt64) ENGINE = "
         "ReplacingMergeTree(_connector_version) ORDER BY connector",
         db);
    run(sql, NULL, NULL);
    clock_gettime(CLOCK_REALTIME, &ts);
    seed = (uint64_t)ts.tv_sec * 1000000007u ^ (uint64_t)ts.tv_nsec;
    version = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
    changes = malloc(BULK_BATCH * sizeof *changes);
    upserts = malloc(BULK_BATCH * sizeof *upserts);
    while (op < bulk_total_ops(n)) {
        buf data = {0}, q = {0}, out = {0};
        size_t nup = 0, nch = 0, nread = 0;
        long first_up = -1;
        char synced[32], line[256];
        memset(slots, 0xff, sizeof slots);
        memset(id_slots, 0xff, sizeof id_slots);
        /* one batch: upserted rows by their row number's offset, changes in order */
        for (long k = 0; k < BULK_BATCH && op < bulk_total_ops(n); k++, op++) {
            enum bulk_phase phase = bulk_op(n, op, &row);
            if (phase == BULK_UPSERT) {
                if (first_up < 0)
                    first_up = row;
                upserts[nup++] = row;
                continue;
            }
            /* a row changes at most once per phase: an update and a delete may meet in a batch */
            long *slot = slot_of(changes, row);
            change *c = *slot >= 0 ? &changes[*slot] : NULL;
            if (c == NULL) {
                *slot = (long)nch;
                c = &changes[nch++];
                memset(c, 0, sizeof *c);
                c->row = row;
                c->upserted = first_up >= 0 && row >= first_up && row < first_up + (long)nup;
            }
            if (phase == BULK_UPDATE)
                c->has_val1 = 1;
            else
                c->deleted = 1;
            bulk_now_utc(c->synced);
        }
        version++;
        /* the upserted rows, with the changes of the batch applied in memory */
        for (size_t i = 0; i < nup; i++) {
            long at = *slot_of(changes, upserts[i]);
            const change *c = at >= 0 ? &changes[at] : NULL;
            bulk_uuid(seed, upserts[i], id);
            bulk_now_utc(synced);
            snprintf(line, sizeof line, "%s\t%s\t%ld\t%s\t%d\t%llu\n", id,
                     c && c->has_val1 ? "abc" : id, upserts[i], c ? c->synced : synced,
                     c && c->deleted, (unsigned long long)version);
            adds(&data, line);
        }
        /* the other changed rows: read with FINAL, changed, written again */
        for (size_t j = 0; j < nch; j++) {
            if (changes[j].upserted)
                continue;
            bulk_uuid(seed, changes[j].row, changes[j].id);
            *id_slot_of(changes, changes[j].id) = (long)j;
            adds(&q, nread++ ? ", '" : "'");
            adds(&q, changes[j].id);
            adds(&q, "'");
        }
        if (nread > 0) {
            buf sel = {0};
            adds(&sel, "SELECT id, val_1, val_2, _fivetran_deleted FROM ");
            adds(&sel, db);
            adds(&sel, ".three FINAL WHERE id IN (");
            adds(&sel, q.s);
            adds(&sel, ") FORMAT TabSeparated");
            run(sel.s, NULL, &out);
            free(sel.s);
            /* the answer is in id order, the changes in row order: matched by id */
            for (char *p = out.s, *next; p && *p; p = next) {
                char *f[4], *t = p;
                next = strchr(p, '\n');
                *next++ = '\0';
                for (int k = 0; k < 4; k++) {
                    f[k] = t;
                    if (k < 3 && (t = strchr(t, '\t')) != NULL)
                        *t++ = '\0';
                }
                long j = *id_slot_of(changes, f[0]);
                if (j < 0)
                    continue;
                snprintf(line, sizeof line, "%s\t%s\t%s\t%s\t%d\t%llu\n", f[0],
                         changes[j].has_val1 ? "abc" : f[1], f[2], changes[j].synced,
                         changes[j].deleted || strcmp(f[3], "1") == 0, (unsigned long long)version);
                adds(&data, line);
            }
            free(out.s);
        }
        free(q.s);
        if (data.len > 0) {
            snprintf(sql, sizeof sql,
                     "INSERT INTO %s.three (id, val_1, val_2, _fivetran_synced, "
                     "_fivetran_deleted, _connector_version) FORMAT TabSeparated",
                     db);
            run(sql, &data, NULL);
        }
        free(data.s);
        memset(&data, 0, sizeof data);
        bulk_now_utc(synced);
        snprintf(line, sizeof line, "bulk\t{\"op\":\"%ld\"}\t%s\t%llu\n", op, synced,
                 (unsigned long long)++version);
        adds(&data, line);
        snprintf(sql, sizeof sql, "INSERT INTO %s._connector_state FORMAT TabSeparated", db);
        run(sql, &data, NULL);
        free(data.s);
    }
    free(changes);
    free(upserts);
    curl_easy_cleanup(curl);
    curl_global_cleanup();
    return 0;
}

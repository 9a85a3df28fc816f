/*
 * fileruntime.c - a runtime in C, to test runtimes without Python: it
 * claims files named *.rows, whose lines are "ID LABEL", and builds a
 * connector that upserts them into table items (key id typed by its first
 * value, label declared STRING) and the configuration into table config.
 * A line "fail-open" makes open fail, "fail-schema" the schema handler.
 * With FILERUNTIME_MARK set, the shutdown hooks append to that file.
 */
#include <connector-host.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct rows_file {
    char name[64];
    char path[4096];
} rows_file;

static void mark(const char *what)
{
    const char *file = getenv("FILERUNTIME_MARK");
    FILE *f = file ? fopen(file, "a") : NULL;
    if (f) {
        fprintf(f, "%s\n", what);
        fclose(f);
    }
}

static int has_line(const char *path, const char *line)
{
    char buf[256];
    int found = 0;
    FILE *f = fopen(path, "r");
    while (f && !found && fgets(buf, sizeof buf, f))
        found = strncmp(buf, line, strlen(line)) == 0;
    if (f)
        fclose(f);
    return found;
}

static int claims(const char *path, void *user_data)
{
    struct stat st;
    size_t n = strlen(path);
    (void)user_data;
    return n > 5 && strcmp(path + n - 5, ".rows") == 0 && stat(path, &st) == 0 &&
           S_ISREG(st.st_mode);
}

static int schema(ch_schema *s, const ch_config *config)
{
    rows_file *rf = ch_schema_user_data(s);
    ch_table *t;
    (void)config;
    ch_message(CH_LOG_INFO, "declaring the tables of %s", rf->name);
    if (has_line(rf->path, "fail-schema"))
        return ch_schema_fail(s, "%s: fail-schema on purpose", rf->name);
    t = ch_schema_table(s, "items");
    ch_table_key_column(t, "id");
    ch_table_column(t, "label", "STRING");
    return CH_OK;
}

static int update(ch_sync *sync, const ch_config *config)
{
    rows_file *rf = ch_sync_user_data(sync);
    ch_row *row = ch_row_new();
    char buf[256], label[200];
    long id;
    FILE *f = fopen(rf->path, "r");
    while (f && fgets(buf, sizeof buf, f)) {
        if (sscanf(buf, "%ld %199s", &id, label) != 2)
            continue;
        ch_row_clear(row);
        ch_row_set_long(row, "id", id);
        ch_row_set_string(row, "label", label);
        ch_upsert(sync, "items", row);
    }
    if (f)
        fclose(f);
    for (size_t i = 0; i < ch_config_count(config); i++) {
        ch_row_clear(row);
        ch_row_set_long(row, "n", (int64_t)i);
        ch_row_set_string(row, "k", ch_config_key_at(config, i));
        ch_row_set_string(row, "v", ch_config_value_at(config, i));
        ch_upsert(sync, "config", row);
    }
    ch_row_free(row);
    if (ch_config_key_at(config, ch_config_count(config)) != NULL)
        return ch_fail(sync, "ch_config_key_at past the end is not NULL");
    ch_state_set(sync, "working_dir", ch_config_working_dir(config));
    return ch_checkpoint(sync);
}

static void connector_shutdown(void *user_data)
{
    mark("connector shutdown");
    free(user_data);
}

static int open_rows(const char *path, ch_connector *out, char *why, size_t size, void *ud)
{
    rows_file *rf;
    const char *base = strrchr(path, '/');
    size_t n = 0;
    (void)ud;
    if (has_line(path, "fail-open")) {
        snprintf(why, size, "%s:1: fail-open on purpose", path);
        return CH_ERROR;
    }
    if ((rf = calloc(1, sizeof *rf)) == NULL)
        return CH_ERROR;
    snprintf(rf->path, sizeof rf->path, "%s", path);
    for (base = base ? base + 1 : path; *base && *base != '.' && n + 1 < sizeof rf->name; base++)
        rf->name[n++] = *base == '-' || (*base >= 'a' && *base <= 'z') ? *base : '_';
    out->name = rf->name;
    out->description = "rows from a .rows file";
    out->schema = schema;
    out->update = update;
    out->user_data = rf;
    out->shutdown = connector_shutdown;
    return CH_OK;
}

static void runtime_shutdown(void *user_data)
{
    (void)user_data;
    mark("runtime shutdown");
}

int connector_plugin_init(ch_registry *registry)
{
    static const ch_runtime rows = {
        .name = "rows",
        .description = "test runtime: *.rows files",
        .claims = claims,
        .open = open_rows,
        .shutdown = runtime_shutdown,
    };
    return CH_REGISTER_RUNTIME(registry, &rows);
}

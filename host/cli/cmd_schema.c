/* cmd_schema.c - `connector-host schema NAME`: the declared schema as JSON. */
#include <stdio.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "cli.h"
#include "sync/session.h"

static const char usage[] =
    "connector-host schema NAME|PATH [--plugin-dir DIR]... [--working-dir DIR] "
    "[--configuration FILE] [--naming fivetran|source]";

static void key(yajl_gen g, const char *k)
{
    yajl_gen_string(g, (const unsigned char *)k, strlen(k));
}

static void pair(yajl_gen g, const char *k, const char *v)
{
    key(g, k);
    key(g, v);
}

static void gen_table(yajl_gen g, const table_def *t)
{
    char type[32];
    yajl_gen_map_open(g);
    pair(g, "name", t->name);
    pair(g, "destination_name", t->dest_name);
    key(g, "primary_key");
    yajl_gen_array_open(g);
    for (size_t k = 0; k < t->nkey; k++)
        key(g, t->cols[t->key[k]].name);
    yajl_gen_array_close(g);
    key(g, "columns");
    yajl_gen_array_open(g);
    for (size_t c = 0; c < t->ncols; c++) {
        const column_def *col = &t->cols[c];
        yajl_gen_map_open(g);
        pair(g, "name", col->name);
        pair(g, "destination_name", col->dest_name);
        key(g, "type");
        if (col->type == T_NONE)
            yajl_gen_null(g); /* an undeclared key column: typed by its first value */
        else
            key(g, type_format(col->type, col->precision, col->scale, type, sizeof type));
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    yajl_gen_map_close(g);
}

int cmd_schema(int argc, char **argv)
{
    options opts;
    session ses;
    ch_error err;
    yajl_gen g;
    const unsigned char *buf;
    size_t len;
    int status = options_parse(
        &opts, argc, argv,
        OPT_PLUGIN_DIR | OPT_WORKING_DIR | OPT_CONFIGURATION | OPT_LOG | OPT_NAMING, 1, usage);
    if (status != EXIT_OK || opts.help) {
        if (opts.help)
            printf("Usage: %s\n\nPrints connector NAME's declared tables, primary keys, typed "
                   "columns and\nconfiguration keys as JSON. Missing required configuration "
                   "keys are not an\nerror here. A PATH (with a '/' or a '.': ., ./dir, "
                   "connector.py) is built\nby the runtime that claims it, as for run.\n\n"
                   "  --naming NAMING  the destination names shown: fivetran (default) or\n"
                   "                   source, as written (see run --help)\n",
                   usage);
        options_free(&opts);
        return status;
    }
    status = session_open(&ses, &opts.req, 0, &err);
    if (status != EXIT_OK) {
        fprintf(stderr, "connector-host schema: %s\n", err.msg);
        session_close(&ses);
        options_free(&opts);
        return status;
    }
    g = yajl_gen_alloc(NULL);
    if (g) {
        yajl_gen_config(g, yajl_gen_beautify, 1);
        yajl_gen_map_open(g);
        pair(g, "connector", ses.connector->def.name);
        pair(g, "description", ses.connector->def.description);
        pair(g, "plugin", ses.connector->plugin);
        if (ses.connector->path)
            pair(g, "path", ses.connector->path);
        key(g, "configuration");
        yajl_gen_array_open(g);
        for (const ch_config_key *k = ses.connector->def.config_keys; k && k->name; k++) {
            yajl_gen_map_open(g);
            pair(g, "name", k->name);
            pair(g, "description", k->description ? k->description : "");
            key(g, "required");
            yajl_gen_bool(g, (k->required & CH_KEY_REQUIRED) != 0);
            yajl_gen_map_close(g);
        }
        yajl_gen_array_close(g);
        key(g, "tables");
        yajl_gen_array_open(g);
        for (size_t i = 0; i < ses.schema->ntables; i++)
            gen_table(g, ses.schema->tables[i]);
        yajl_gen_array_close(g);
        yajl_gen_map_close(g);
        if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok)
            fwrite(buf, 1, len, stdout);
        yajl_gen_free(g);
    }
    session_close(&ses);
    options_free(&opts);
    return g ? EXIT_OK : EXIT_SYNC_FAILED;
}

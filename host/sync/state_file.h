/*
 * state_file.h - a connector's state files in the working directory:
 *
 *   files/state/NAME.json   connector NAME's state, one file per connector
 *   files/state/NAME.store  the destination that committed it: the
 *                           description of a warehouse, or "jsonl" when the
 *                           files are the only store (jsonl runs)
 *   files/state.json        a copy of one connector's state, for readers that
 *                           expect `fivetran debug`'s single file
 *   files/state.json.connector  the connector state.json belongs to
 *
 * Several connectors share a working directory without touching each
 * other's files. state.json belongs to the first connector that commits a
 * state in the directory and stays its copy; a state.json from before the
 * per-connector files is that connector's state until its next sync moves it.
 */
#ifndef HOST_STATE_FILE_H
#define HOST_STATE_FILE_H

#include <sys/stat.h>

#include "workdir.h"

/* The store of a state kept by jsonl runs alone, written into NAME.store. */
#define STATE_STORE_JSONL "jsonl"

typedef struct state_file {
    const char *connector;  /* the connector of this sync */
    char *path;             /* files/state/NAME.json */
    char *store_path;       /* files/state/NAME.store */
    const char *dir;        /* files/state */
    const char *copy_path;  /* files/state.json */
    const char *owner_path; /* files/state.json.connector */
    char *store;            /* what NAME.store says; NULL when there is none */
    char *owner;            /* the connector the owner file names; NULL when none does */
    int owned;              /* state.json is this connector's */
    int copy_exists;        /* state.json exists */
    /* What state_file_write records in NAME.store; NULL leaves it as it is. */
    const char *store_now;
} state_file;

/*
 * Finds the connector's files and reads who state.json belongs to and which
 * store NAME.store names. Anything but a regular file in the place of one of
 * them is refused: the host never reads through a link or waits on a FIFO.
 */
int state_file_open(state_file *f, const workdir *w, const char *connector, ch_error *err);

/*
 * Reads one of the files: *text is NULL (and CH_OK) when it does not exist;
 * sb, when given, receives its status.
 */
int state_file_read(const char *path, char **text, struct stat *sb, ch_error *err);

/*
 * Records json as the connector's state: NAME.store first when store_now
 * differs from it, then state.json when it is this connector's or nobody's
 * yet, then NAME.json. A kill at any point leaves each file whole and never
 * one connector's state named as another's: before state.json is claimed,
 * the old one is removed, then the owner file names the connector.
 */
int state_file_write(state_file *f, const char *json, ch_error *err);

/*
 * Writes "name, name" of the connectors with a state file in the working
 * directory into buf ("" when there is none).
 */
void state_file_list(const workdir *w, char *buf, size_t size);

/* Frees what state_file_open read. */
void state_file_close(state_file *f);

#endif

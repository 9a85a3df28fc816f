/*
 * state_file.h - files/state.json, the working directory's copy of a
 * connector's state, and files/state.json.connector, which names the
 * connector it belongs to: a file of another connector is never used.
 */
#ifndef HOST_STATE_FILE_H
#define HOST_STATE_FILE_H

#include "workdir.h"

typedef struct state_file {
    const char *path;       /* files/state.json */
    const char *owner_path; /* files/state.json.connector */
    const char *connector;  /* the connector of this sync */
    char *owner;            /* the connector the owner file names; NULL when none does */
    int owned;              /* owner is this sync's connector */
} state_file;

/* Reads who state.json belongs to. */
int state_file_open(state_file *f, const workdir *w, const char *connector, ch_error *err);

/*
 * Replaces state.json with json. When the file was another connector's (or
 * nobody's), it is removed first, then the owner file names this connector,
 * then the new state is written: a kill at any point leaves either a
 * consistent pair or no state.json, never one connector's state named as
 * another's.
 */
int state_file_write(state_file *f, const char *json, ch_error *err);

/* Frees what state_file_open read. */
void state_file_close(state_file *f);

#endif

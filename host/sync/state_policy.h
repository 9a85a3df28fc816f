/*
 * state_policy.h - where a sync's state comes from, and whether its
 * checkpoints write the working directory's state files (state_file.h):
 *
 * - A destination that keeps state (SQLite, PostgreSQL): its committed state
 *   wins; the connector's files are rewritten to match, with a warning for a
 *   file that differed (it was edited, or a sync was killed in between).
 * - A destination that keeps none (jsonl): the state the working directory
 *   committed. When the directory's warehouse (files/warehouse.db) or the
 *   destination NAME.store names holds it, the run starts from it and writes
 *   nothing: a jsonl run never advances a warehouse's state. Otherwise the
 *   files are the only store, read and written as a warehouse would be.
 * - A dry run writes nothing.
 * - --state FILE replaces the state the sync starts from, said in a warning.
 */
#ifndef HOST_STATE_POLICY_H
#define HOST_STATE_POLICY_H

#include "base/log.h"
#include "dest/dest.h"
#include "state.h"
#include "state_file.h"
#include "workdir.h"

typedef struct state_plan_request {
    dest *dest; /* open; only used when kind keeps state */
    const dest_kind *kind;
    const char *connector;
    const workdir *w;
    const logger *log;
    /* Nothing is written, for this reason ("dry run"); NULL: a sync that commits. */
    const char *read_only;
    /* --state FILE, checked with state_seed_read: the state to start from instead. */
    const char *seed_path;
    const char *seed_json;
} state_plan_request;

typedef struct state_plan {
    state_file file;
    int write; /* the sync's commits write the state files (state_file_write) */
    int found; /* a committed state was found (else the sync starts from {}) */
} state_plan;

/*
 * Loads the state a sync starts from into st, telling the log where it came
 * from and every file not used, and why. Files that differ from a warehouse's
 * committed state, and a state.json of the layout before files/state/, are
 * rewritten here unless the request is read-only. Close the plan afterwards,
 * whatever this returns.
 */
int state_plan_load(state_plan *p, const state_plan_request *r, state *st, ch_error *err);

/* Frees the plan. */
void state_plan_close(state_plan *p);

/*
 * Reads --state FILE (any file the user names: a pipe, a link, <(...)) and
 * checks it holds a JSON object; *json is malloc'd. Errors name the file, with
 * line and column for JSON.
 */
int state_seed_read(const char *path, char **json, ch_error *err);

#endif

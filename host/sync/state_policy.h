/*
 * state_policy.h - where a sync's state comes from: the warehouse's
 * committed state wins over state.json, which is rewritten to match; a
 * destination that keeps no state (jsonl) reads state.json alone.
 */
#ifndef HOST_STATE_POLICY_H
#define HOST_STATE_POLICY_H

#include "base/log.h"
#include "dest/dest.h"
#include "state.h"
#include "state_file.h"
#include "workdir.h"

/* Loads the warehouse's state; the warehouse wins over files/state.json, which is rewritten. */
int load_state(dest *d, const dest_kind *kind, const char *connector, const workdir *w,
               state_file *f, const logger *lg, int dry_run, state *st, ch_error *err);

#endif

/* sync.h - one sync, from loading the connector to the summary. */
#ifndef HOST_SYNC_H
#define HOST_SYNC_H

#include "request.h"

/*
 * Runs one sync as requested: loads the connector, its configuration and
 * schema, opens the destination, loads the committed state (the warehouse's
 * copy wins over state.json), runs the update handler and prints the
 * summary. Returns the exit status; every failure is logged and reported.
 */
int sync_run(const sync_request *req);

#endif

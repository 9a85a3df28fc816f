/* session.h - what run and schema share: the connector, its configuration and schema. */
#ifndef HOST_SESSION_H
#define HOST_SESSION_H

#include "config.h"
#include "request.h"
#include "plugin/loader.h"
#include "plugin/registry.h"
#include "contract/schema.h"

typedef struct session {
    registry *reg;
    search_path path;
    const registered *connector; /* in reg, or &built */
    registered built;            /* a connector a runtime built from a path */
    config *config;
    char *config_name; /* the file it came from, or NULL when there was none */
    schema *schema;
    int loader_ready;
    secrets secret; /* the configuration's secret values, known once it is read */
    logger log;     /* the request's logger, hiding them; ch_message writes here */
} session;

/*
 * Finds and loads the connector alone (a runtime builds a path's, which
 * names it): what session_open does first. Close the session afterwards.
 */
int session_find(session *s, const sync_request *req, ch_error *err);

/*
 * Finds and loads the connector, reads the configuration (checking required
 * keys when asked), and builds the declared schema. On failure returns the
 * exit status and sets err.
 */
int session_open(session *s, const sync_request *req, int check_required, ch_error *err);

/*
 * Where ch_message writes from now on (lg must outlive the session), and
 * which connector it names; session_open sets the request's logger.
 */
void session_set_logger(const logger *lg, const char *connector);

/* Frees everything, unloading the plugins last. */
void session_close(session *s);

#endif

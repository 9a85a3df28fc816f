/*
 * pg_sql.c - building SQL text and running it, for the PostgreSQL
 * destination: quoting, statements with parameters, and errors that say
 * whether the server went away, cancelled the statement, or refused it;
 * committing the transaction, and the per-table data.
 */
#include <stdlib.h>
#include <string.h>

#include "pg.h"

/* ---- SQL text ------------------------------------------------------------ */

void pg_sql_table(pg_sql *b, const char *nsp, const char *table)
{
    sql_ident(b, nsp);
    pg_sql_add(b, ".");
    sql_ident(b, table);
}

/* ---- running statements --------------------------------------------------- */

const char *pg_one_line(const char *msg, char *buf, size_t size)
{
    size_t n = 0;
    for (const char *p = msg; *p && n + 3 < size; p++) {
        if (*p == '\n') {
            while (p[1] == ' ' || p[1] == '\t')
                p++; /* libpq indents its continuation lines */
            if (p[1] == '\0')
                break;
            buf[n++] = ';';
            buf[n++] = ' ';
        } else {
            buf[n++] = *p;
        }
    }
    buf[n] = '\0';
    return buf;
}

int pg_fail(pg_dest *d, const PGresult *res, const char *what, ch_error *err)
{
    char msg[700];
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    pg_one_line(res && *PQresultErrorMessage(res) ? PQresultErrorMessage(res)
                                                  : PQerrorMessage(d->conn),
                msg, sizeof msg);
    /*
     * Gone: the connection is down, a connection exception (08), an
     * administrator or crash shutdown (57P0x), or an error libpq made
     * itself (no SQLSTATE), such as "server closed the connection".
     */
    if (PQstatus(d->conn) == CONNECTION_BAD || state == NULL || strncmp(state, "08", 2) == 0 ||
        strncmp(state, "57P0", 4) == 0)
        return err_set(err, "%s: the server went away during %s: %s; %s", d->base.description, what,
                       msg,
                       strcmp(what, "committing") == 0
                           ? "this checkpoint may or may not have been committed; the next run "
                             "resumes from the last one the server kept"
                           : "nothing after the last checkpoint is committed");
    if (state && strcmp(state, "57014") == 0)
        return err_set(err,
                       "%s: %s was cancelled by the server (statement_timeout or a cancel "
                       "request): %s",
                       d->base.description, what, msg);
    return err_set(err, "%s: %s: %s", d->base.description, what, msg);
}

int pg_exec_params(pg_dest *d, const char *sql, int n, const char *const *params,
                   const int *lengths, const int *formats, PGresult **res, const char *what,
                   ch_error *err)
{
    PGresult *r = n || formats ? PQexecParams(d->conn, sql, n, NULL, params, lengths, formats, 0)
                               : PQexec(d->conn, sql);
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        pg_fail(d, r, what, err);
        PQclear(r);
        return CH_ERROR;
    }
    if (res)
        *res = r;
    else
        PQclear(r);
    return CH_OK;
}

int pg_exec(pg_dest *d, const char *sql, const char *what, ch_error *err)
{
    return pg_exec_params(d, sql, 0, NULL, NULL, NULL, NULL, what, err);
}

int pg_exec_sql(pg_dest *d, pg_sql *b, const char *what, ch_error *err)
{
    int rc = b->oom ? err_set(err, "out of memory") : pg_exec(d, b->s, what, err);
    free(b->s);
    memset(b, 0, sizeof *b);
    return rc;
}

int pg_commit(pg_dest *d, ch_error *err)
{
    PGresult *res = PQexec(d->conn, "COMMIT");
    int ok = PQresultStatus(res) == PGRES_COMMAND_OK && strcmp(PQcmdStatus(res), "COMMIT") == 0;
    int rc = ok ? CH_OK
             : PQresultStatus(res) == PGRES_COMMAND_OK
                 ? err_set(err, "%s: committing: the server rolled the transaction back",
                           d->base.description)
                 : pg_fail(d, res, "committing", err);
    PQclear(res);
    return rc;
}

pg_table *pg_table_of(pg_dest *d, table_def *t)
{
    pg_table *pt = t->dest;
    if (pt == NULL && (pt = calloc(1, sizeof *pt)) != NULL) {
        pt->id = ++d->next_table_id;
        pt->def = t;
        pt->next = d->tables;
        d->tables = pt;
        t->dest = pt;
    }
    return pt;
}

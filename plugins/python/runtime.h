/* runtime.h - the Python runtime's parts: the interpreter, the _connector_host module, values. */
#ifndef PYTHON_RUNTIME_H
#define PYTHON_RUNTIME_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "connector-host.h"

/* One connector.py, loaded: what the handlers get as their user_data. */
typedef struct py_connector {
    char name[101];
    char *path;          /* connector.py */
    char *project;       /* its directory, on sys.path */
    PyObject *connector; /* the module's Connector object */
} py_connector;

/* The column types a declared column may have, as _connector_host knows them. */
enum py_type {
    PY_UNDECLARED = 0,
    PY_BOOLEAN,
    PY_SHORT,
    PY_INT,
    PY_LONG,
    PY_DECIMAL,
    PY_FLOAT,
    PY_DOUBLE,
    PY_NAIVE_DATE,
    PY_NAIVE_DATETIME,
    PY_UTC_DATETIME,
    PY_BINARY,
    PY_XML,
    PY_STRING,
    PY_JSON,
    PY_NAIVE_TIME
};

/* ---- module.c: _connector_host, what fivetran_connector_sdk calls ---- */

/* The module's init function, registered with PyImport_AppendInittab. */
PyObject *module_init(void);

/* The sync that operations go to, or NULL outside the update handler. */
void module_set_sync(ch_sync *sync);

/* The schema that declare_table fills, or NULL outside the schema handler. */
void module_set_schema(ch_schema *schema);

/* True when the pending exception is a refused operation's (the host knows why already). */
int module_refused_pending(void);

/* Frees the module's own state; call with the GIL, before finalising. */
void module_clear(void);

/* ---- values.c: Python values into a row ---- */

/* Imports what conversion needs (datetime, decimal, json); -1 with a Python error. */
int values_init(void);

/* Releases what values_init took. */
void values_clear(void);

/*
 * Sets every (column, value) of the dict data into row, converting by the
 * column's declared type (types: column -> enum py_type, or NULL) and
 * inferring otherwise. -1 with a Python exception when a value cannot go
 * into a row at all; values the host refuses mark the row invalid instead.
 */
int values_fill_row(ch_row *row, PyObject *types, PyObject *data, const char *table);

/* json.dumps(value) as a new str, or NULL with a Python exception. */
PyObject *values_json_dumps(PyObject *value);

#endif

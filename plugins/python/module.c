/*
 * module.c - _connector_host, the C half of fivetran_connector_sdk: the
 * operations, logging and schema declaration, each a thin call into the
 * host's public API. Values are converted here in C (values.c), not in
 * Python code per value, so a Python connector runs at the host's pace.
 */
#include "runtime.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Touched only with the GIL held, so the handlers' globals need no lock of their own. */
static ch_sync *current_sync;
static ch_schema *current_schema;
static PyObject *declared;   /* table -> {column -> enum py_type}, from declare_table */
static PyObject *sync_error; /* _connector_host.SyncError */
/*
 * Each thread fills a row of its own: converting a value may run Python code
 * (str(), json.dumps), during which the interpreter hands the GIL to another
 * thread, which must not clear the row being filled.
 */
static pthread_key_t row_key;
static pthread_once_t row_once = PTHREAD_ONCE_INIT;

static void row_destroy(void *row)
{
    ch_row_free(row);
}

static void row_key_make(void)
{
    pthread_key_create(&row_key, row_destroy);
}

/* This thread's row, emptied; NULL when out of memory. */
static ch_row *thread_row(void)
{
    ch_row *row;
    pthread_once(&row_once, row_key_make);
    if ((row = pthread_getspecific(row_key)) == NULL) {
        if ((row = ch_row_new()) == NULL || pthread_setspecific(row_key, row) != 0) {
            ch_row_free(row);
            return NULL;
        }
    }
    ch_row_clear(row);
    return row;
}

void module_set_sync(ch_sync *sync)
{
    current_sync = sync;
}

void module_set_schema(ch_schema *schema)
{
    current_schema = schema;
}

int module_refused_pending(void)
{
    return sync_error && PyErr_ExceptionMatches(sync_error);
}

void module_clear(void)
{
    ch_row *row;
    Py_CLEAR(declared);
    /* the main thread's row; other threads' go with their thread */
    pthread_once(&row_once, row_key_make);
    if ((row = pthread_getspecific(row_key)) != NULL) {
        pthread_setspecific(row_key, NULL);
        ch_row_free(row);
    }
}

static ch_sync *sync_or_raise(const char *what)
{
    if (current_sync == NULL)
        PyErr_Format(sync_error,
                     "op.%s() called outside update(): operations belong to a sync, which runs "
                     "update()",
                     what);
    return current_sync;
}

/* The host refused the operation: the sync has failed, and says why in SYNC FAILED. */
static PyObject *refused(const char *what, const char *table)
{
    PyErr_Format(sync_error,
                 "op.%s(%s%s%s) was refused: the sync has failed (connector-host reports why) or "
                 "is stopping",
                 what, table ? "'" : "", table ? table : "", table ? "'" : "");
    return NULL;
}

static const char *table_name(PyObject *table)
{
    const char *name;
    if (!PyUnicode_Check(table)) {
        PyErr_Format(PyExc_TypeError, "Table name must be a string, got %s",
                     Py_TYPE(table)->tp_name);
        return NULL;
    }
    if ((name = PyUnicode_AsUTF8(table)) == NULL)
        return NULL;
    for (const char *p = name; *p; p++)
        if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
            return name;
    PyErr_SetString(PyExc_ValueError, "Table name must be a non-empty string");
    return NULL;
}

typedef int (*row_op)(ch_sync *, const char *, const ch_row *);

/* upsert, update and delete: the table, a dict, and the SDK's optional file= (not supported). */
static PyObject *row_operation(PyObject *args, PyObject *kwargs, const char *what,
                               const char *format, const char *data_name, row_op op)
{
    char *kwlist[] = {"table", (char *)data_name, "file", NULL};
    PyObject *table, *data, *file = Py_None, *types;
    const char *name;
    ch_sync *sync;
    ch_row *row;
    int rc;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, format, kwlist, &table, &data, &file))
        return NULL;
    if ((name = table_name(table)) == NULL || (sync = sync_or_raise(what)) == NULL)
        return NULL;
    if (file != Py_None) {
        PyErr_SetString(PyExc_NotImplementedError,
                        "file uploads (file=) are not supported by connector-host");
        return NULL;
    }
    if ((row = thread_row()) == NULL)
        return PyErr_NoMemory();
    types = declared ? PyDict_GetItemWithError(declared, table) : NULL;
    if ((types == NULL && PyErr_Occurred()) || values_fill_row(row, types, data, name) != 0)
        return NULL;
    rc = op(sync, name, row);
    if (rc != CH_OK)
        return refused(what, name);
    Py_RETURN_NONE;
}

static PyObject *py_upsert(PyObject *self, PyObject *args, PyObject *kwargs)
{
    return row_operation(args, kwargs, "upsert", "OO|$O:upsert", "data", ch_upsert);
}

static PyObject *py_update(PyObject *self, PyObject *args, PyObject *kwargs)
{
    return row_operation(args, kwargs, "update", "OO|$O:update", "modified", ch_update);
}

static PyObject *py_delete(PyObject *self, PyObject *args, PyObject *kwargs)
{
    return row_operation(args, kwargs, "delete", "OO|$O:delete", "keys", ch_delete);
}

static PyObject *py_truncate(PyObject *self, PyObject *args, PyObject *kwargs)
{
    char *kwlist[] = {"table", NULL};
    PyObject *table;
    const char *name;
    ch_sync *sync;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O:truncate", kwlist, &table))
        return NULL;
    if ((name = table_name(table)) == NULL || (sync = sync_or_raise("truncate")) == NULL)
        return NULL;
    if (ch_truncate(sync, name) != CH_OK)
        return refused("truncate", name);
    Py_RETURN_NONE;
}

/* checkpoint(state_json): the state is json.dumps'ed by the SDK layer. */
static PyObject *py_checkpoint(PyObject *self, PyObject *arg)
{
    const char *json;
    ch_sync *sync;
    int rc;
    if (!PyUnicode_Check(arg) || (json = PyUnicode_AsUTF8(arg)) == NULL) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_TypeError, "checkpoint needs the state as JSON text");
        return NULL;
    }
    if ((sync = sync_or_raise("checkpoint")) == NULL)
        return NULL;
    if (ch_state_set_json(sync, json) != CH_OK)
        return refused("checkpoint", NULL);
    /* a commit waits for the disk: other Python threads may run meanwhile */
    Py_BEGIN_ALLOW_THREADS rc = ch_checkpoint(sync);
    Py_END_ALLOW_THREADS if (rc != CH_OK) return refused("checkpoint", NULL);
    Py_RETURN_NONE;
}

/* fail(message): op.error(), which ends the sync with the connector's reason. */
static PyObject *py_fail(PyObject *self, PyObject *arg)
{
    const char *message = PyUnicode_Check(arg) ? PyUnicode_AsUTF8(arg) : NULL;
    ch_sync *sync;
    if (message == NULL) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_TypeError, "fail needs a message");
        return NULL;
    }
    if ((sync = sync_or_raise("error")) == NULL)
        return NULL;
    ch_fail(sync, "op.error(): %s", message);
    Py_RETURN_NONE;
}

/* The message with each NUL written as \x00, which a C string would end at; malloc'd. */
static char *without_nul(const char *text, Py_ssize_t len)
{
    char *out = malloc((size_t)len * 4 + 1), *o = out;
    if (out == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < len; i++) {
        if (text[i] == '\0') {
            memcpy(o, "\\x00", 4);
            o += 4;
        } else {
            *o++ = text[i];
        }
    }
    *o = '\0';
    return out;
}

/* log(level, message): into the sync's log, or the host's when no sync runs. */
static PyObject *py_log(PyObject *self, PyObject *args)
{
    int level;
    const char *message;
    char *copy = NULL;
    Py_ssize_t len;
    if (!PyArg_ParseTuple(args, "is#:log", &level, &message, &len))
        return NULL;
    if (strlen(message) != (size_t)len) {
        if ((copy = without_nul(message, len)) == NULL)
            return PyErr_NoMemory();
        message = copy;
    }
    if (level < CH_LOG_FINE || level > CH_LOG_SEVERE)
        level = CH_LOG_INFO;
    if (current_sync)
        ch_log(current_sync, (ch_log_level)level, "%s", message);
    else
        ch_message((ch_log_level)level, "%s", message);
    free(copy);
    Py_RETURN_NONE;
}

static int type_code(const char *type)
{
    static const char *const names[] = {
        "",       "BOOLEAN",    "SHORT",          "INT",          "LONG",   "DECIMAL", "FLOAT",
        "DOUBLE", "NAIVE_DATE", "NAIVE_DATETIME", "UTC_DATETIME", "BINARY", "XML",     "STRING",
        "JSON",   "NAIVE_TIME"};
    for (int i = 1; i < (int)(sizeof names / sizeof names[0]); i++)
        if (strncmp(type, names[i], strlen(names[i])) == 0 &&
            (type[strlen(names[i])] == '\0' || type[strlen(names[i])] == '('))
            return i;
    return PY_UNDECLARED;
}

/* declare_table(name, [key columns], [(column, TYPE)]): one entry of schema()'s list. */
static PyObject *py_declare_table(PyObject *self, PyObject *args)
{
    PyObject *name_obj, *keys, *columns, *types;
    const char *name;
    ch_table *t;
    if (!PyArg_ParseTuple(args, "UO!O!:declare_table", &name_obj, &PyList_Type, &keys, &PyList_Type,
                          &columns))
        return NULL;
    if (current_schema == NULL) {
        PyErr_SetString(sync_error, "tables are declared by schema(), which connector-host calls");
        return NULL;
    }
    if ((name = PyUnicode_AsUTF8(name_obj)) == NULL)
        return NULL;
    if (declared == NULL && (declared = PyDict_New()) == NULL)
        return NULL;
    if ((types = PyDict_New()) == NULL || PyDict_SetItem(declared, name_obj, types) != 0) {
        Py_XDECREF(types);
        return NULL;
    }
    Py_DECREF(types); /* declared holds it */
    if ((t = ch_schema_table(current_schema, name)) == NULL)
        Py_RETURN_NONE; /* the host collected why, and reports it before any operation */
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(columns); i++) {
        PyObject *pair = PyList_GET_ITEM(columns, i), *code;
        const char *column, *type;
        if (!PyArg_ParseTuple(pair, "ss:column", &column, &type))
            return NULL;
        ch_table_column(t, column, type);
        if ((code = PyLong_FromLong(type_code(type))) == NULL ||
            PyDict_SetItem(types, PyTuple_GET_ITEM(pair, 0), code) != 0) {
            Py_XDECREF(code);
            return NULL;
        }
        Py_DECREF(code);
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(keys); i++) {
        PyObject *key = PyList_GET_ITEM(keys, i);
        const char *column = PyUnicode_Check(key) ? PyUnicode_AsUTF8(key) : NULL;
        int typed;
        if (column == NULL) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_TypeError, "primary key columns must be str");
            return NULL;
        }
        /* a key column left out of columns is typed by its first value, as the SDK allows */
        if ((typed = PyDict_Contains(types, key)) < 0)
            return NULL;
        if (typed)
            ch_table_primary_key(t, column);
        else
            ch_table_key_column(t, column);
    }
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"upsert", (PyCFunction)(void (*)(void))py_upsert, METH_VARARGS | METH_KEYWORDS,
     "upsert(table, data): insert the row or replace the row with its primary key."},
    {"update", (PyCFunction)(void (*)(void))py_update, METH_VARARGS | METH_KEYWORDS,
     "update(table, modified): change the given columns of the row with its primary key."},
    {"delete", (PyCFunction)(void (*)(void))py_delete, METH_VARARGS | METH_KEYWORDS,
     "delete(table, keys): soft-delete the row with this primary key."},
    {"truncate", (PyCFunction)(void (*)(void))py_truncate, METH_VARARGS | METH_KEYWORDS,
     "truncate(table): soft-delete every row written before this call."},
    {"checkpoint", py_checkpoint, METH_O,
     "checkpoint(state_json): commit every operation so far with this state."},
    {"fail", py_fail, METH_O, "fail(message): end the sync as failed, with this reason."},
    {"log", py_log, METH_VARARGS, "log(level, message): one line in connector-host's log."},
    {"declare_table", py_declare_table, METH_VARARGS,
     "declare_table(name, key_columns, [(column, type)]): declare one table."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    "_connector_host",
    "connector-host's operations, logging and schema, for fivetran_connector_sdk.",
    -1,
    methods,
};

PyObject *module_init(void)
{
    PyObject *m = PyModule_Create(&module_def);
    if (m == NULL)
        return NULL;
    sync_error = PyErr_NewException("_connector_host.SyncError", PyExc_RuntimeError, NULL);
    if (sync_error == NULL || PyModule_AddObjectRef(m, "SyncError", sync_error) != 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}

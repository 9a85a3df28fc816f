/*
 * runtime.c - the Python runtime: a plugin that registers no connector of
 * its own but a runtime, which claims connector.py files (or directories
 * holding one), embeds CPython, imports the file with our
 * fivetran_connector_sdk module, and hands its update and schema functions
 * to the host as an ordinary connector's handlers.
 */
#include "runtime.h"

#include <dlfcn.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sdk_source.h"

static int initialized;            /* the interpreter runs */
static PyThreadState *main_thread; /* saved while handlers take the GIL with PyGILState */
static PyObject *sdk;              /* fivetran_connector_sdk */

static void say(char *why, size_t size, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static void say(char *why, size_t size, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    vsnprintf(why, size, format, ap);
    va_end(ap);
}

static int is_regular(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* A directory's connector.py, or the .py file itself; NULL when path is neither. */
static char *connector_file(const char *path)
{
    struct stat st;
    char *file;
    if (stat(path, &st) != 0)
        return NULL;
    if (S_ISREG(st.st_mode))
        return ends_with(path, ".py") ? strdup(path) : NULL;
    if (!S_ISDIR(st.st_mode) || (file = malloc(strlen(path) + 16)) == NULL)
        return NULL;
    sprintf(file, "%s/connector.py", path);
    if (is_regular(file))
        return file;
    free(file);
    return NULL;
}

static int py_claims(const char *path, void *user_data)
{
    char *file = connector_file(path);
    free(file);
    return file != NULL;
}

/*
 * Extension modules of the standard library (_decimal, _json, ...) are
 * shared objects that expect libpython's symbols to be global; this plugin
 * was loaded with local symbols, so libpython is promoted once. It also
 * stays loaded after this plugin is unloaded: CPython never unloads the
 * extension modules, which still point into it at exit.
 */
static void make_libpython_global(void)
{
    Dl_info info;
    if (dladdr((void *)&Py_InitializeFromConfig, &info) && info.dli_fname)
        dlopen(info.dli_fname, RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD | RTLD_NODELETE);
}

/* Item i of a (line, traceback) pair from _describe as UTF-8, or NULL; clears any error. */
static const char *described_text(PyObject *described, Py_ssize_t i)
{
    PyObject *item = described && PyTuple_Check(described) ? PyTuple_GetItem(described, i) : NULL;
    const char *text = item && PyUnicode_Check(item) ? PyUnicode_AsUTF8(item) : NULL;
    PyErr_Clear();
    return text;
}

/* The pending exception, normalised and with its traceback attached (a new reference, or
   NULL when none is pending); the error indicator is cleared. */
static PyObject *take_exception(void)
{
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (tb && value)
        PyException_SetTraceback(value, tb);
    Py_XDECREF(type);
    Py_XDECREF(tb);
    PyErr_Clear();
    return value;
}

/* _describe's (line, traceback) pair for an exception, or NULL; clears any error. */
static PyObject *describe(PyObject *value, const char *where, const char *project)
{
    PyObject *described = value && sdk ? PyObject_CallMethod(sdk, "_describe", "Oss", value, where,
                                                             project ? project : "")
                                       : NULL;
    PyErr_Clear();
    return described;
}

/* The text of the pending Python exception, with its place (a syntax error's file:line:col). */
static void exception_text(char *why, size_t size, const char *where, const char *project)
{
    PyObject *value = take_exception(), *described;
    if (value && PyErr_GivenExceptionMatches(value, PyExc_SyntaxError)) {
        PyObject *file = PyObject_GetAttrString(value, "filename");
        PyObject *line = PyObject_GetAttrString(value, "lineno");
        PyObject *col = PyObject_GetAttrString(value, "offset");
        PyObject *msg = PyObject_GetAttrString(value, "msg");
        PyErr_Clear();
        say(why, size, "%s:%ld:%ld: %s: %s",
            file && PyUnicode_Check(file) ? PyUnicode_AsUTF8(file) : "?",
            line && PyLong_Check(line) ? PyLong_AsLong(line) : 0L,
            col && PyLong_Check(col) ? PyLong_AsLong(col) : 0L,
            PyErr_GivenExceptionMatches(value, PyExc_IndentationError) ? "indentation error"
                                                                       : "syntax error",
            msg && PyUnicode_Check(msg) ? PyUnicode_AsUTF8(msg) : "invalid syntax");
        Py_XDECREF(file);
        Py_XDECREF(line);
        Py_XDECREF(col);
        Py_XDECREF(msg);
    } else if ((described = describe(value, where, project)) != NULL) {
        const char *line = described_text(described, 0);
        say(why, size, "%s", line ? line : "an exception that cannot be shown");
        Py_DECREF(described);
    } else {
        say(why, size, "%s raised an exception that cannot be shown", where);
    }
    PyErr_Clear();
    Py_XDECREF(value);
}

/* The one-line summary and whole traceback of the pending exception (_describe); clears it. */
static PyObject *describe_pending(const char *where, const char *project)
{
    PyObject *value = take_exception(), *described = describe(value, where, project);
    Py_XDECREF(value);
    return described;
}

/* Makes sys.NAME a writer into the log at level; -1 with a Python exception. */
static int log_stream(const char *name, ch_log_level level)
{
    PyObject *writer = PyObject_CallMethod(sdk, "_LogWriter", "i", (int)level);
    int rc = writer ? PySys_SetObject(name, writer) : -1;
    Py_XDECREF(writer);
    return rc;
}

static int start_python(char *why, size_t size)
{
    PyConfig config;
    PyStatus status;
    PyObject *code;
    if (initialized) {
        if (sdk == NULL)
            say(why, size, "Python did not start earlier in this process");
        return sdk ? CH_OK : CH_ERROR;
    }
    make_libpython_global();
    /* what `fivetran debug` tells a connector about where it runs; before os.environ is read */
    setenv("FIVETRAN_DEPLOYMENT_MODEL", "local_debug", 0);
    setenv("FIVETRAN_CONNECTION_ID", "test_connection_id", 0);
    setenv("FIVETRAN_CONNECTION_NAME", "test_connection_name", 0);
    setenv("FIVETRAN_GROUP_ID", "test_group_id", 0);
    if (PyImport_AppendInittab("_connector_host", module_init) != 0) {
        say(why, size, "cannot register the _connector_host module");
        return CH_ERROR;
    }
    PyConfig_InitPythonConfig(&config);
    config.install_signal_handlers =
        0; /* SIGINT and SIGTERM stay the host's, which stops cleanly */
    config.parse_argv = 0;
    config.write_bytecode = 0; /* nothing written into the user's project */
    status = PyConfig_SetString(&config, &config.program_name, L"connector-host");
    if (!PyStatus_Exception(status))
        status = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    if (PyStatus_Exception(status)) {
        say(why, size, "cannot start Python: %s",
            status.err_msg ? status.err_msg : "unknown error");
        return CH_ERROR;
    }
    initialized = 1;
    /*
     * As python itself does: a write to a closed socket is BrokenPipeError in
     * the connector, not SIGPIPE killing the sync (the handlers stay the host's).
     */
    signal(SIGPIPE, SIG_IGN);
    if (values_init() != 0 || (code = Py_CompileString(sdk_fivetran_connector_sdk_py,
                                                       "<connector-host>/fivetran_connector_sdk.py",
                                                       Py_file_input)) == NULL) {
        exception_text(why, size, "starting fivetran_connector_sdk", NULL);
        goto release;
    }
    sdk = PyImport_ExecCodeModuleEx("fivetran_connector_sdk", code,
                                    "<connector-host>/fivetran_connector_sdk.py");
    Py_DECREF(code);
    if (sdk == NULL) {
        exception_text(why, size, "starting fivetran_connector_sdk", NULL);
        goto release;
    }
    /* print() goes to the log: standard output carries the summary or a jsonl:- stream */
    if (log_stream("stdout", CH_LOG_INFO) != 0 || log_stream("stderr", CH_LOG_WARNING) != 0) {
        exception_text(why, size, "redirecting sys.stdout and sys.stderr", NULL);
        goto release;
    }
    main_thread = PyEval_SaveThread();
    return CH_OK;
release:
    main_thread = PyEval_SaveThread();
    return CH_ERROR;
}

static PyObject *config_dict(const ch_config *cfg)
{
    PyObject *d = PyDict_New();
    for (size_t i = 0; d && i < ch_config_count(cfg); i++) {
        PyObject *v = PyUnicode_FromString(ch_config_value_at(cfg, i));
        if (v == NULL || PyDict_SetItemString(d, ch_config_key_at(cfg, i), v) != 0) {
            Py_XDECREF(v);
            Py_CLEAR(d);
            break;
        }
        Py_DECREF(v);
    }
    return d;
}

/* Logs the traceback and returns the one-line reason, for a handler that raised. */
static int handler_failed(py_connector *pc, ch_sync *sync, ch_schema *schema, const char *where)
{
    /* a refused operation's traceback only says where the connector was: the host says why */
    ch_log_level level = module_refused_pending() ? CH_LOG_FINE : CH_LOG_SEVERE;
    PyObject *described = describe_pending(where, pc->project);
    const char *line = described_text(described, 0), *full = described_text(described, 1);
    int rc;
    if (line == NULL)
        line = "an exception that cannot be shown";
    if (full && sync)
        ch_log(sync, level, "%s", full);
    else if (full)
        ch_message(level, "%s", full);
    /* the host's reason says what was wrong with the operation; this says where it was called */
    if (level == CH_LOG_FINE && sync && line)
        ch_log(sync, CH_LOG_WARNING, "%s", line);
    rc = sync ? ch_fail(sync, "%s", line) : ch_schema_fail(schema, "%s", line);
    Py_XDECREF(described);
    return rc;
}

static int py_schema(ch_schema *schema, const ch_config *cfg)
{
    py_connector *pc = ch_schema_user_data(schema);
    PyGILState_STATE gil = PyGILState_Ensure();
    PyObject *conf = config_dict(cfg), *r = NULL;
    int rc = CH_OK;
    module_set_schema(schema);
    if (conf)
        r = PyObject_CallMethod(sdk, "_run_schema", "OO", pc->connector, conf);
    if (r == NULL)
        rc = handler_failed(pc, NULL, schema, "schema()");
    module_set_schema(NULL);
    Py_XDECREF(r);
    Py_XDECREF(conf);
    PyGILState_Release(gil);
    return rc;
}

static int py_update(ch_sync *sync, const ch_config *cfg)
{
    py_connector *pc = ch_sync_user_data(sync);
    PyGILState_STATE gil = PyGILState_Ensure();
    PyObject *conf = config_dict(cfg), *state = NULL, *r = NULL, *json;
    int rc = CH_OK;
    module_set_sync(sync);
    if (conf && (json = PyImport_ImportModule("json")) != NULL) {
        state = PyObject_CallMethod(json, "loads", "s", ch_state_json(sync));
        Py_DECREF(json);
    }
    if (state)
        r = PyObject_CallMethod(sdk, "_run_update", "OOO", pc->connector, conf, state);
    if (r == NULL)
        rc = handler_failed(pc, sync, NULL, "update()");
    module_set_sync(NULL);
    Py_XDECREF(r);
    Py_XDECREF(state);
    Py_XDECREF(conf);
    PyGILState_Release(gil);
    return rc;
}

static void py_connector_free(void *user_data)
{
    py_connector *pc = user_data;
    if (pc == NULL)
        return;
    if (pc->connector) {
        PyGILState_STATE gil = PyGILState_Ensure();
        Py_CLEAR(pc->connector);
        PyGILState_Release(gil);
    }
    free(pc->path);
    free(pc->project);
    free(pc);
}

/* The connector's name: its project directory's, in the letters a name may have. */
static void name_of(const char *project, char *name, size_t size)
{
    const char *base = strrchr(project, '/');
    size_t n = 0;
    base = base && base[1] ? base + 1 : project;
    for (; *base && n + 1 < size; base++)
        name[n++] = (char)((*base >= 'a' && *base <= 'z') || (*base >= 'A' && *base <= 'Z') ||
                                   (*base >= '0' && *base <= '9') || *base == '-'
                               ? *base
                               : '_');
    name[n] = '\0';
    if (n == 0)
        snprintf(name, size, "connector");
}

static int py_open(const char *path, ch_connector *out, char *why, size_t size, void *user_data)
{
    char real[PATH_MAX], *file = connector_file(path), *slash;
    py_connector *pc;
    PyGILState_STATE gil;
    PyObject *found;
    if (file == NULL) {
        say(why, size, "no connector.py here");
        return CH_ERROR;
    }
    if (realpath(file, real) == NULL || (pc = calloc(1, sizeof *pc)) == NULL) {
        say(why, size, "cannot resolve %s", file);
        free(file);
        return CH_ERROR;
    }
    free(file);
    pc->path = strdup(real);
    if ((slash = strrchr(real, '/')) != NULL)
        *slash = '\0';
    pc->project = strdup(slash == real ? "/" : real);
    if (pc->path == NULL || pc->project == NULL || start_python(why, size) != CH_OK) {
        if (!why[0])
            say(why, size, "out of memory");
        py_connector_free(pc);
        return CH_ERROR;
    }
    name_of(pc->project, pc->name, sizeof pc->name);
    gil = PyGILState_Ensure();
    found = PyObject_CallMethod(sdk, "_load", "ss", pc->path, pc->project);
    if (found == NULL)
        exception_text(why, size, "importing connector.py", pc->project);
    pc->connector = found;
    PyGILState_Release(gil);
    if (found == NULL) {
        py_connector_free(pc);
        return CH_ERROR;
    }
    out->name = pc->name;
    out->description = "Python connector (fivetran_connector_sdk)";
    out->schema = py_schema;
    out->update = py_update;
    out->user_data = pc;
    out->shutdown = py_connector_free;
    return CH_OK;
}

static void py_shutdown(void *user_data)
{
    PyObject *alive;
    long threads = 0;
    if (!initialized)
        return;
    PyEval_RestoreThread(main_thread);
    /* Py_FinalizeEx waits for every non-daemon thread: one a connector left running would
       hang the host after its sync, so the process exits without finalising instead */
    if ((alive = PyObject_CallMethod(sdk, "_threads_left", NULL)) != NULL)
        threads = PyLong_AsLong(alive);
    Py_XDECREF(alive);
    PyErr_Clear();
    if (threads > 0) {
        Dl_info self;
        /* those threads may still run this plugin's code: it must stay mapped past unloading */
        if (dladdr((void *)&py_shutdown, &self) && self.dli_fname)
            dlopen(self.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
        ch_message(CH_LOG_WARNING,
                   "%ld thread%s of the connector %s still running after its sync; not waiting "
                   "for %s",
                   threads, threads == 1 ? "" : "s", threads == 1 ? "is" : "are",
                   threads == 1 ? "it" : "them");
        main_thread = PyEval_SaveThread();
        return;
    }
    module_clear();
    values_clear();
    Py_CLEAR(sdk);
    Py_FinalizeEx();
    initialized = 0;
}

int connector_plugin_init(ch_registry *registry)
{
    static const ch_runtime python = {
        .name = "python",
        .description =
            "Fivetran Connector SDK connectors: a connector.py, or a directory holding one",
        .claims = py_claims,
        .open = py_open,
        .shutdown = py_shutdown,
    };
    return CH_REGISTER_RUNTIME(registry, &python);
}

/*
 * connector-host.h - the whole API a connector plugin is written against.
 *
 * Read it top to bottom. A plugin is a shared object (NAME.so, built with
 * libtool -module -avoid-version) that exports one function,
 *
 *     int connector_plugin_init(ch_registry *registry);
 *
 * which calls CH_REGISTER() once for each connector it provides. A connector
 * is a name, a description, a schema handler that declares tables, and an
 * update handler that emits operations (upsert, update, delete, truncate,
 * checkpoint) to the host. The host validates every operation, writes it to
 * the destination and makes it durable at each checkpoint together with the
 * connector's state, so that a sync interrupted at any point resumes from the
 * last checkpoint with nothing lost and nothing duplicated.
 *
 * Conventions: functions that can fail return CH_OK (0) or CH_ERROR (-1).
 * When an operation fails, the host remembers why, refuses every later
 * operation of the sync, and reports the first failure; a handler only needs
 * to return CH_ERROR. Strings passed in are copied before the call returns.
 * Strings returned by the host stay valid until the handler returns, except
 * those of ch_state_get() and ch_state_json(): they stay valid until the
 * state next changes (ch_state_set, ch_state_set_json); copy them to keep
 * them longer.
 */
#ifndef CONNECTOR_HOST_H
#define CONNECTOR_HOST_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Versions and status ------------------------------------------------ */

/*
 * The ABI's major version is bumped whenever a change to this header breaks
 * built plugins; the minor version grows when something is added at the end
 * of a structure or to the function list. A plugin built against minor M
 * loads into every host of the same major version and minor >= M; a host
 * copies only the part of a structure that the plugin's build knows.
 */
#define CH_ABI_VERSION 1
#define CH_ABI_MINOR   1

#define CH_OK    0
#define CH_ERROR (-1)

#if defined(__GNUC__)
#define CH_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define CH_PRINTF(fmt, args)
#endif

/* ---- Opaque handles owned by the host ---------------------------------- */

typedef struct ch_registry ch_registry; /* registration table */
typedef struct ch_config ch_config;     /* configuration.json, read only */
typedef struct ch_schema ch_schema;     /* schema being declared */
typedef struct ch_table ch_table;       /* one declared table */
typedef struct ch_sync ch_sync;         /* one sync: state, ops, logging */
typedef struct ch_row ch_row;           /* a reusable row of named values */

/* ---- Registration ------------------------------------------------------- */

/* Flags of a configuration key (ch_config_key.required), combined with |. */
#define CH_KEY_REQUIRED 1 /* `run` refuses to start when the key is missing */
#define CH_KEY_SECRET   2 /* its value (4 bytes or more) is replaced by *** in every log line */

/*
 * A configuration key the connector knows about; listed by `schema`. Keys
 * whose names say they are secret (password, passwd, secret, token, api key,
 * access key, private key, credential; any case, '_', '-' and ' ' ignored)
 * are secret without CH_KEY_SECRET.
 */
typedef struct ch_config_key {
    const char *name;        /* key in configuration.json */
    const char *description; /* one line, shown to users */
    int required;            /* CH_KEY_REQUIRED, CH_KEY_SECRET, both, or 0 */
} ch_config_key;

/* Declares the connector's tables; called before every sync and by `schema`. */
typedef int (*ch_schema_fn)(ch_schema *schema, const ch_config *config);

/* Performs one sync: reads state and configuration, emits operations. */
typedef int (*ch_update_fn)(ch_sync *sync, const ch_config *config);

typedef struct ch_connector {
    const char *name;                 /* unique; what users type after `run`; no '.' or '/' */
    const char *description;          /* one line */
    ch_schema_fn schema;              /* may be NULL: tables are created on use */
    ch_update_fn update;              /* required */
    const ch_config_key *config_keys; /* NULL, or ended by an entry with name NULL */
    /* ---- ABI 1.1 ---- */
    void *user_data;                   /* what ch_schema_user_data and ch_sync_user_data return */
    void (*shutdown)(void *user_data); /* may be NULL; called once before the plugin unloads */
} ch_connector;

/*
 * Registers a connector; refused on ABI mismatch (major, or a minor newer
 * than the host's), duplicate name or no update handler. size is
 * sizeof(ch_connector) as the plugin was built.
 */
int ch_register_connector(ch_registry *registry, int abi_version, int abi_minor, size_t size,
                          const ch_connector *connector);

/* Registers a connector built against this header's ABI version. */
#define CH_REGISTER(registry, connector)                                                           \
    ch_register_connector((registry), CH_ABI_VERSION, CH_ABI_MINOR, sizeof *(connector),           \
                          (connector))

/* The ABI 1.0 registration that plugins built before 1.1 call; new plugins use CH_REGISTER. */
int ch_register(ch_registry *registry, int abi_version, const ch_connector *connector);

/*
 * A runtime builds connectors from files (a connector.py, say) instead of
 * compiled code. `connector-host run PATH`, for a PATH with a '/' or a '.'
 * in it, asks each registered runtime in turn whether it claims PATH and
 * has the first that does build the connector.
 */
typedef struct ch_runtime {
    const char *name;        /* unique among runtimes, as connector names */
    const char *description; /* one line, with what it claims, shown by `list` */
    /* 1 when the runtime runs the connector at path (a file or a directory), else 0. */
    int (*claims)(const char *path, void *user_data);
    /*
     * Builds the connector at path into *out (zeroed by the host; name,
     * handlers and user_data as for ch_register). On failure writes why,
     * with file and line when it knows them, into why and returns CH_ERROR.
     */
    int (*open)(const char *path, ch_connector *out, char *why, size_t why_size, void *user_data);
    void *user_data;                   /* passed to claims, open and shutdown */
    void (*shutdown)(void *user_data); /* may be NULL; called once before the plugin unloads */
} ch_runtime;

/* Registers a runtime; refused as ch_register_connector refuses. size is sizeof(ch_runtime). */
int ch_register_runtime(ch_registry *registry, int abi_version, int abi_minor, size_t size,
                        const ch_runtime *runtime);

/* Registers a runtime built against this header's ABI version. */
#define CH_REGISTER_RUNTIME(registry, runtime)                                                     \
    ch_register_runtime((registry), CH_ABI_VERSION, CH_ABI_MINOR, sizeof *(runtime), (runtime))

/* The one symbol a plugin exports; returns CH_OK when registration succeeded. */
int connector_plugin_init(ch_registry *registry);

/* ---- Configuration ------------------------------------------------------ */

/* The value of a configuration key, or NULL when absent. */
const char *ch_config_get(const ch_config *config, const char *key);

/* How many keys the configuration has (ABI 1.1). */
size_t ch_config_count(const ch_config *config);

/* The name of key number i (0 <= i < ch_config_count), in file order, or NULL (ABI 1.1). */
const char *ch_config_key_at(const ch_config *config, size_t i);

/* The value of key number i, or NULL (ABI 1.1). */
const char *ch_config_value_at(const ch_config *config, size_t i);

/* The absolute path of the sync's working directory, where files/ lives (ABI 1.1). */
const char *ch_config_working_dir(const ch_config *config);

/* ---- Schema declaration (inside the schema handler) --------------------- */

/*
 * Type names, as in the behavioural contract: BOOLEAN, SHORT, INT, LONG,
 * DECIMAL(p,s), FLOAT, DOUBLE, NAIVE_DATE, NAIVE_TIME, NAIVE_DATETIME,
 * UTC_DATETIME, BINARY, XML, STRING, JSON. Errors in a declaration (duplicate
 * table or column, unknown type, bad DECIMAL parameters, primary key naming
 * an undeclared column) are collected and reported by the host before any
 * operation runs, so a handler may ignore these return values.
 */

/* Declares a table; returns it, or NULL if the name is empty or taken. */
ch_table *ch_schema_table(ch_schema *schema, const char *name);

/* Appends a column to the table's primary key, in key order. */
int ch_table_primary_key(ch_table *table, const char *column);

/* Declares a typed column, e.g. ch_table_column(t, "price", "DECIMAL(10,2)"). */
int ch_table_column(ch_table *table, const char *column, const char *type);

/*
 * Appends a primary-key column whose type comes from its first value, even
 * when the table declares other columns (ABI 1.1).
 */
int ch_table_key_column(ch_table *table, const char *column);

/* The user_data of the connector whose schema handler is running (ABI 1.1). */
void *ch_schema_user_data(const ch_schema *schema);

/* Records why the schema handler fails and returns CH_ERROR; the first reason is kept (ABI 1.1). */
int ch_schema_fail(ch_schema *schema, const char *format, ...) CH_PRINTF(2, 3);

/* ---- Rows: one typed setter per type ------------------------------------ */

/* A new empty row, or NULL when out of memory; reuse it with ch_row_clear. */
ch_row *ch_row_new(void);

/* Forgets every value of the row, keeping its memory for reuse. */
void ch_row_clear(ch_row *row);

/* Frees the row; NULL is allowed. */
void ch_row_free(ch_row *row);

/*
 * Each setter sets (or replaces) the named column's value. Text setters check
 * their format here (dates, decimals, JSON, UTF-8) and return CH_ERROR with
 * the row marked invalid, so that the operation it is used in fails with the
 * reason. The value is converted to the column's declared type when the row
 * is written; a value that does not convert exactly is an error. Times take
 * 0 to 6 fraction digits and are stored with 6 (12:00:00 is 12:00:00.000000).
 */
int ch_row_set_null(ch_row *row, const char *column);
int ch_row_set_boolean(ch_row *row, const char *column, int value);
int ch_row_set_short(ch_row *row, const char *column, int16_t value);
int ch_row_set_int(ch_row *row, const char *column, int32_t value);
int ch_row_set_long(ch_row *row, const char *column, int64_t value);
int ch_row_set_decimal(ch_row *row, const char *column, const char *text); /* "-12.50" */
int ch_row_set_float(ch_row *row, const char *column, float value);
int ch_row_set_double(ch_row *row, const char *column, double value);
int ch_row_set_naive_date(ch_row *row, const char *column, const char *text);     /* YYYY-MM-DD */
int ch_row_set_naive_time(ch_row *row, const char *column, const char *text);     /* HH:MM:SS[.f] */
int ch_row_set_naive_datetime(ch_row *row, const char *column, const char *text); /* no zone */
int ch_row_set_utc_datetime(ch_row *row, const char *column, const char *text);   /* Z or +hh:mm */
int ch_row_set_binary(ch_row *row, const char *column, const void *data, size_t size);
int ch_row_set_xml(ch_row *row, const char *column, const char *text);
int ch_row_set_string(ch_row *row, const char *column, const char *text);
int ch_row_set_json(ch_row *row, const char *column, const char *json_text);

/* ---- Operations (inside the update handler) ----------------------------- */
/*
 * Every function that takes a ch_sync acts only on the sync whose update
 * handler is running: given NULL, it fails that sync with the function's
 * name; called after the handler returned (from atexit(), say), it does
 * nothing, says so on standard error, and returns CH_ERROR (or NULL).
 * They may be called from any thread of the connector while its update
 * handler runs: calls are applied one at a time, in one total order. A
 * string from ch_state_get or ch_state_json stays valid only until the
 * state next changes, on any thread.
 */

/* Inserts the row or replaces the row with the same primary key. */
int ch_upsert(ch_sync *sync, const char *table, const ch_row *row);

/* Changes only the row's columns in the existing row found by primary key. */
int ch_update(ch_sync *sync, const char *table, const ch_row *row);

/* Soft-deletes the row whose primary key the given row holds. */
int ch_delete(ch_sync *sync, const char *table, const ch_row *key);

/* Soft-deletes every row of the table written before this operation. */
int ch_truncate(ch_sync *sync, const char *table);

/*
 * Makes every operation so far durable together with the current state: queued at once,
 * durable when the next checkpoint (or the sync's end) returns, so the connector goes on
 * while it commits.
 */
int ch_checkpoint(ch_sync *sync);

/* ---- State: a JSON object kept between syncs ---------------------------- */

/* The state's top-level value for key (a string's text, another value's JSON), or NULL if
   absent; valid until the state next changes. */
const char *ch_state_get(ch_sync *sync, const char *key);

/* Sets a top-level string value of the state; stored at the next checkpoint. */
int ch_state_set(ch_sync *sync, const char *key, const char *value);

/* Replaces the whole state with a JSON object given as text. */
int ch_state_set_json(ch_sync *sync, const char *json_object);

/* The whole current state as JSON text; valid until the state next changes. */
const char *ch_state_json(ch_sync *sync);

/* ---- Logging and failure ------------------------------------------------ */

typedef enum ch_log_level {
    CH_LOG_FINE = 0,
    CH_LOG_INFO = 1,
    CH_LOG_WARNING = 2,
    CH_LOG_SEVERE = 3
} ch_log_level;

/* Logs a message attributed to the connector; never pass secrets. */
void ch_log(ch_sync *sync, ch_log_level level, const char *format, ...) CH_PRINTF(3, 4);

#define ch_log_fine(sync, ...)    ch_log((sync), CH_LOG_FINE, __VA_ARGS__)
#define ch_log_info(sync, ...)    ch_log((sync), CH_LOG_INFO, __VA_ARGS__)
#define ch_log_warning(sync, ...) ch_log((sync), CH_LOG_WARNING, __VA_ARGS__)
#define ch_log_severe(sync, ...)  ch_log((sync), CH_LOG_SEVERE, __VA_ARGS__)

/* Records why the sync fails and returns CH_ERROR: `return ch_fail(sync, ...)`. */
int ch_fail(ch_sync *sync, const char *format, ...) CH_PRINTF(2, 3);

/* The user_data of the connector whose update handler is running, or NULL (ABI 1.1). */
void *ch_sync_user_data(ch_sync *sync);

/*
 * Logs a message attributed to the connector when no sync is at hand: in a
 * schema handler, a runtime's open, or a thread outside a sync (ABI 1.1).
 */
void ch_message(ch_log_level level, const char *format, ...) CH_PRINTF(2, 3);

#ifdef __cplusplus
}
#endif

#endif /* CONNECTOR_HOST_H */

"""fivetran_connector_sdk, as connector-host provides it.

Connectors written for Fivetran's Connector SDK import this module by that
name and run unmodified. Operations are handed to connector-host's C sink
(module _connector_host), which converts and checks values, writes them to
the destination and commits them with the state at every checkpoint. What
differs from `fivetran debug` is listed in docs/python.md.
"""

import enum
import json
import os
import sys
import threading
import traceback

import _connector_host as _ch

__version__ = "2.12.1+connector-host"

# Levels of _connector_host.log, the host's: FINE, INFO, WARNING, SEVERE.
_FINE, _INFO, _WARNING, _SEVERE = 0, 1, 2, 3

_DECIMAL_HELP = (
    'DECIMAL data type missing precision and scale. Use a dictionary for DECIMAL column type '
    'like: "col_name": {  # Decimal data type with precision and scale.\n'
    '    "type": "DECIMAL",\n    "precision": 15,\n    "scale": 2\n}'
)

# The SDK's schema type names; NAIVE_TIME is connector-host's addition.
_TYPES = ("BOOLEAN", "SHORT", "INT", "LONG", "DECIMAL", "FLOAT", "DOUBLE", "NAIVE_DATE",
          "NAIVE_DATETIME", "UTC_DATETIME", "BINARY", "XML", "STRING", "JSON", "NAIVE_TIME")


class Logging:
    """Connector logs, mapped onto the host's FINE, INFO, WARNING and SEVERE."""

    class Level(enum.IntEnum):
        DEBUG = 1
        FINE = 2
        INFO = 3
        WARNING = 4
        ERROR = 5
        SEVERE = 6
        CRITICAL = 7

    # Messages below this level are dropped here; the host filters again with --log-level.
    LOG_LEVEL = Level.DEBUG

    @staticmethod
    def _emit(level, host_level, message, exception=None):
        if Logging.LOG_LEVEL is not None and level < Logging.LOG_LEVEL:
            return
        text = str(message)
        if exception is not None:
            frames = traceback.format_exception(type(exception), exception,
                                                exception.__traceback__, limit=1)
            text += "\n" + "".join(frames).rstrip("\n")
        _ch.log(host_level, text)

    @staticmethod
    def debug(message):
        Logging._emit(Logging.Level.DEBUG, _FINE, message)

    @staticmethod
    def fine(message):
        Logging._emit(Logging.Level.FINE, _FINE, message)

    @staticmethod
    def info(message):
        Logging._emit(Logging.Level.INFO, _INFO, message)

    @staticmethod
    def warning(message):
        Logging._emit(Logging.Level.WARNING, _WARNING, message)

    @staticmethod
    def error(message, exception=None):
        Logging._emit(Logging.Level.ERROR, _SEVERE, message, exception)

    @staticmethod
    def severe(message, exception=None):
        Logging._emit(Logging.Level.SEVERE, _SEVERE, message, exception)

    @staticmethod
    def critical(message, exception=None):
        Logging._emit(Logging.Level.CRITICAL, _SEVERE, message, exception)


def _check_message(message, trace=None):
    if not isinstance(message, str):
        raise TypeError(f"Message must be a string, got {type(message).__name__}")
    if not message.strip():
        raise ValueError("Message must be a non-empty string")
    if trace is not None and not isinstance(trace, str):
        raise TypeError(f"Trace must be a string, got {type(trace).__name__}")


class Operations:
    """The operations; each acts at once (no `yield` needed) and returns None."""

    upsert = staticmethod(_ch.upsert)
    update = staticmethod(_ch.update)
    delete = staticmethod(_ch.delete)
    truncate = staticmethod(_ch.truncate)

    @staticmethod
    def checkpoint(state):
        # json.dumps as the SDK does it: a value it cannot serialise raises TypeError here
        _ch.checkpoint(json.dumps(state))

    @staticmethod
    def warning(message):
        _check_message(message)
        _ch.log(_WARNING, message)

    @staticmethod
    def error(message, trace=None):
        _check_message(message, trace)
        _ch.fail(message if trace is None else f"{message}\n{trace}")


class FileUpload:
    """Accepted so that connectors importing it load; connector-host uploads no files."""

    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs


class Connector:
    """A connector: its update function, and optionally its schema function."""

    def __init__(self, update, schema=None, configuration_form=None):
        if not callable(update):
            raise TypeError("Connector(update=...) needs a function")
        if schema is not None and not callable(schema):
            raise TypeError("Connector(schema=...) needs a function or None")
        self.update_method = update
        self.schema_method = schema
        self.configuration_form = configuration_form

    def debug(self, *args, **kwargs):
        """Kept for `python connector.py`; connector-host drives the connector itself."""
        Logging.fine("connector.debug() does nothing under connector-host: "
                     "run `connector-host run .` instead")
        return True

    def run(self, *args, **kwargs):
        return self.debug()


class _LogWriter:
    """sys.stdout and sys.stderr: print() goes to the log, line by line."""

    def __init__(self, level):
        self._level = level
        self._lock = threading.Lock()
        self._pending = ""
        self.encoding = "utf-8"
        self.errors = "replace"

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        with self._lock:
            self._pending += text
            *lines, self._pending = self._pending.split("\n")
        for line in lines:
            _ch.log(self._level, line)
        return len(text)

    def flush(self):
        with self._lock:
            line, self._pending = self._pending, ""
        if line:
            _ch.log(self._level, line)

    def isatty(self):
        return False

    def writable(self):
        return True

    def fileno(self):
        raise OSError("print() output goes to connector-host's log: no file descriptor")


def _threads_left():
    """Threads other than the main one that interpreter shutdown would wait for."""
    return sum(1 for t in threading.enumerate()
               if t is not threading.main_thread() and t.is_alive() and not t.daemon)


def _flush_output():
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, _LogWriter):
            stream.flush()


def _decimal_type(column, entry, spec):
    if str(spec.get("type", "")).upper() != "DECIMAL":
        raise ValueError(
            f"Expecting DECIMAL data type for dictionary column entry, but got: {spec.get('type')} "
            f"in entry: {entry} for column: {column}. Dictionary type is only allowed for DECIMAL "
            "columns with 'precision' and 'scale' fields, as in: {'type': 'DECIMAL', "
            "'precision': <int>, 'scale': <int>}. For all other data types, use a string as the "
            "column type.")
    missing = [k for k in ("precision", "scale") if k not in spec]
    if missing:
        raise ValueError(f"DECIMAL column {column} of table {entry.get('table')} lacks "
                         f"{' and '.join(repr(k) for k in missing)}: give "
                         "{'type': 'DECIMAL', 'precision': <int>, 'scale': <int>}")
    return f"DECIMAL({int(spec['precision'])},{int(spec['scale'])})"


def _column_type(column, entry, spec):
    if isinstance(spec, dict):
        return _decimal_type(column, entry, spec)
    if not isinstance(spec, str):
        raise ValueError(f"Unrecognized column type for column: {column} in entry: {entry}. "
                         f"Got: {type(spec).__name__}")
    name = spec.strip().upper()
    if name == "DECIMAL":
        raise ValueError(_DECIMAL_HELP)
    if name not in _TYPES:
        raise ValueError(f"Unrecognized column type encountered: '{spec}' for column: {column} "
                         f"in entry: {entry}")
    return name


def _declare(tables):
    """Checks schema()'s list of dicts as the SDK does and declares each table to the host."""
    if not isinstance(tables, (list, tuple)):
        raise TypeError(f"schema() must return a list of table definitions, "
                        f"got {type(tables).__name__}")
    seen = set()
    for entry in tables:
        if not isinstance(entry, dict):
            raise TypeError(f"schema() entry must be a dict, got {type(entry).__name__}")
        if "table" not in entry:
            raise ValueError(f"Entry missing table name: {entry}")
        name = entry["table"]
        if not isinstance(name, str):
            raise TypeError(f"Table name must be a string, got {type(name).__name__}")
        if not name.strip():
            raise ValueError("Table name must be a non-empty string")
        if name in seen:
            raise ValueError(f"Table already defined: {name}")
        seen.add(name)
        unknown = [k for k in entry if k not in ("table", "primary_key", "columns")]
        if unknown:
            _ch.log(_WARNING, f"schema(): table {name}: ignoring {', '.join(map(repr, unknown))}"
                              " (a table has 'table', 'primary_key' and 'columns')")
        key = entry.get("primary_key") or []
        if isinstance(key, str):
            key = [key]
        columns = entry.get("columns") or {}
        if not isinstance(columns, dict):
            raise TypeError(f"columns of table {name} must be a dict, got "
                            f"{type(columns).__name__}")
        typed = [(str(c), _column_type(c, entry, t)) for c, t in columns.items()]
        _ch.declare_table(name, [str(k) for k in key], typed)


def _run_schema(connector, configuration):
    if connector.schema_method is None:
        return
    try:
        _declare(connector.schema_method(configuration))
    finally:
        _flush_output()


def _run_update(connector, configuration, state):
    try:
        result = connector.update_method(configuration, state)
        # SDK 1.x connectors `yield` their operations: drain the generator
        if result is not None and hasattr(result, "__next__"):
            for _ in result:
                pass
    finally:
        _flush_output()


def _describe(exc, where, project):
    """One line for SYNC FAILED, and the whole traceback for the log."""
    frames = traceback.extract_tb(exc.__traceback__)
    # the connector's frames: not ours, not the import machinery's ("<frozen importlib...>")
    mine = [f for f in frames if not f.filename.startswith("<")]
    # for the one line, the project's own frames (json's encoder says little of where)
    own = [f for f in mine if project and f.filename.startswith(project + os.sep)] or mine

    def place(f):
        name = f.filename
        if project and name.startswith(project + os.sep):
            name = name[len(project) + 1:]
        return f"{name}:{f.lineno} in {f.name}"

    if isinstance(exc, LoadError):
        return str(exc), str(exc)
    text = f"{where} raised {type(exc).__name__}: {exc}"
    if own:
        innermost = own[-3:]
        text += " (at " + ", called from ".join(place(f) for f in reversed(innermost)) + ")"
    # the connector's frames only: ours are the same in every traceback
    lines = ["Traceback (most recent call last):\n"] + traceback.format_list(mine) if mine else []
    lines += traceback.format_exception_only(type(exc), exc)
    return text, "".join(lines).rstrip("\n")


def _missing_requirements(project):
    """Names of requirements.txt entries that are not importable here (nothing is installed)."""
    import importlib.metadata
    import importlib.util
    import re
    path = os.path.join(project, "requirements.txt")
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError:
        return []
    missing = []
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        m = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", line)
        if not m:
            continue
        name = m.group(0)
        module = re.sub(r"[-.]+", "_", name).lower()
        if module in ("fivetran_connector_sdk", "fivetran_connector_sdk_core"):
            continue
        try:
            importlib.metadata.distribution(name)
            continue
        except importlib.metadata.PackageNotFoundError:
            pass
        try:
            if importlib.util.find_spec(module) is not None:
                continue
        except (ImportError, ValueError):
            pass
        missing.append(line)
    return missing


class LoadError(Exception):
    """connector.py cannot give a connector: no file, a syntax error, no `connector` object."""


def _load(path, project):
    """Imports connector.py as module `connector` and returns its Connector."""
    import importlib.util
    import re
    if project not in sys.path:
        sys.path.insert(0, project)
    for requirement in _missing_requirements(project):
        name = re.match(r"[A-Za-z0-9._-]*", requirement).group(0).lower()
        _ch.log(_WARNING, f"requirements.txt: {requirement!r} is not installed here; "
                          f"connector-host installs nothing (Debian packages it as python3-{name},"
                          " if at all)")
    spec = importlib.util.spec_from_file_location("connector", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["connector"] = module
    try:
        spec.loader.exec_module(module)
    finally:
        _flush_output()
    found = getattr(module, "connector", None)
    if isinstance(found, Connector):
        return found
    others = [n for n, v in vars(module).items() if isinstance(v, Connector)]
    if others:
        raise LoadError(f"the Connector object must be named 'connector', but found: "
                        f"{', '.join(repr(n) for n in others)}")
    raise LoadError("connector object not found: define "
                    "`connector = Connector(update=update, schema=schema)` in "
                    f"{os.path.basename(path)}")

# Every operation in its positional and its keyword form, op.warning, print() and the Logging API.
import sys

from fivetran_connector_sdk import Connector
from fivetran_connector_sdk import Logging as log
from fivetran_connector_sdk import Operations as op


def schema(configuration):
    return [
        {"table": "items", "primary_key": ["id"], "columns": {"id": "INT", "name": "STRING"}},
        {"table": "trunc_pos", "primary_key": ["k"]},
        {"table": "trunc_kw", "primary_key": ["k"]},
    ]


def update(configuration, state):
    run = state.get("run", 0) + 1
    log.info(f"ops run {run}, state in: {state}")
    if run == 1:
        # positional forms
        op.upsert("items", {"id": 1, "name": "one", "qty": 10})
        op.upsert("items", {"id": 2, "name": "two", "qty": 20})
        op.upsert("items", {"id": 3, "name": "three", "qty": 30})
        op.update("items", {"id": 2, "name": "TWO"})
        op.delete("items", {"id": 3})
        # keyword forms
        op.upsert(table="items", data={"id": 4, "name": "four", "qty": 40})
        op.upsert(table="items", data={"id": 5, "name": "five", "qty": 50})
        op.update(table="items", modified={"id": 4, "qty": 44})
        op.delete(table="items", keys={"id": 5})
        # an update and a delete of rows never written are ignored
        op.update("items", {"id": 99, "name": "ghost"})
        op.delete("items", {"id": 98})
        for k in ("a", "b"):
            op.upsert("trunc_pos", {"k": k})
            op.upsert("trunc_kw", {"k": k})
        op.checkpoint({"run": run, "form": "positional"})
        op.truncate("trunc_pos")
        op.truncate(table="trunc_kw")
        op.upsert("trunc_pos", {"k": "c"})
        op.upsert("trunc_kw", {"k": "c"})
        # an upsert revives a deleted row, with only the columns it gives
        op.upsert("items", {"id": 3, "name": "three again"})
    # logging: every level of both APIs
    log.fine("log fine line")
    log.debug("log debug line")
    log.info("log info line")
    log.warning("log warning line")
    log.severe("log severe line")
    log.error("log error line")
    log.critical("log critical line")
    try:
        raise KeyError("missing-key-xyz")
    except KeyError as e:
        log.error("caught an error", e)
        log.severe("caught a severe", e)
    L = log.Level
    log.info("levels " + " ".join(f"{n}={int(getattr(L, n))}" for n in
                                  ("DEBUG", "FINE", "INFO", "WARNING", "ERROR", "SEVERE", "CRITICAL")))
    log.info(f"LOG_LEVEL exists: {hasattr(log, 'LOG_LEVEL')}")
    saved = log.LOG_LEVEL
    log.LOG_LEVEL = log.Level.WARNING
    log.info("suppressed info line")
    log.warning("kept warning line")
    log.LOG_LEVEL = saved
    op.warning("op warning line")
    print("print line one")
    print("print", "line", 2, sep="-")
    print("partial ", end="")
    print("line three")
    print("to stderr line", file=sys.stderr)
    sys.stdout.write("written without newline")
    op.checkpoint(state={"run": run, "form": "keyword"})


connector = Connector(update=update, schema=schema)

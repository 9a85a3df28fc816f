# Fails on request (configuration "mode"): an exception in update() after two checkpoints, op.error(),
# an exception in schema(), a refused value the connector catches and ignores ("swallow"), a state
# json.dumps cannot serialise ("badstate"). Without a mode it resumes from the state and finishes.
from fivetran_connector_sdk import Connector
from fivetran_connector_sdk import Logging as log
from fivetran_connector_sdk import Operations as op


def check_columns(configuration):
    raise RuntimeError("schema exploded for " + configuration.get("mode", "?"))


def schema(configuration):
    if configuration.get("mode") == "schema":
        check_columns(configuration)
    return [{"table": "t", "primary_key": ["i"]}]


def explode(i):
    raise ValueError(f"boom at {i}")


def update(configuration, state):
    start = state.get("next", 0)
    mode = configuration.get("mode", "")
    fail_at = int(configuration.get("fail_at", "-1"))
    log.info(f"resuming at {start}, state {state}")
    for i in range(start, 10):
        if i == fail_at and mode == "raise":
            explode(i)
        if i == fail_at and mode == "op_error":
            op.error(f"giving up at {i}", "trace: the upstream said no")
            return
        if i == fail_at and mode == "swallow":
            try:
                op.upsert("t", {"i": None, "run": "no key"})
            except Exception as e:  # noqa: BLE001 - a connector that ignores errors
                log.warning(f"ignored {type(e).__name__}")
            for op_call in (lambda: op.upsert("t", {"i": 100}), lambda: op.checkpoint({"next": 100})):
                try:
                    op_call()
                except Exception as e:  # noqa: BLE001
                    log.warning(f"refused afterwards: {type(e).__name__}: {e}")
            return
        if i == fail_at and mode == "badstate":
            op.checkpoint({"next": i, "at": object()})
        op.upsert("t", {"i": i, "run": configuration.get("run", "1")})
        if i % 3 == 2:
            op.checkpoint({"next": i + 1})
    op.checkpoint({"next": 10})


connector = Connector(update=update, schema=schema)

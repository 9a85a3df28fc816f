# The configuration arrives as a dict; the state from the last checkpoint arrives in the next run.
# With "fail": "secret", update() raises an exception whose message holds the secret api_key.
import json

from fivetran_connector_sdk import Connector
from fivetran_connector_sdk import Logging as log
from fivetran_connector_sdk import Operations as op


def update(configuration, state):
    log.info(f"configuration is a {type(configuration).__name__}: {json.dumps(configuration, sort_keys=True)}")
    log.info(f"state is a {type(state).__name__}: {json.dumps(state, sort_keys=True)}")
    runs = state.get("runs", 0) + 1
    if configuration.get("fail") == "secret":
        raise ValueError(f"the server rejected key {configuration['api_key']}")
    for key, value in configuration.items():
        op.upsert("config", {"key": key, "value": value, "run": runs})
    op.upsert("runs", {"run": runs, "state_in": state})
    op.checkpoint({"runs": runs, "nested": {"list": [1, 2, runs], "text": "caf\u00e9"}, "last": configuration.get("region")})


connector = Connector(update=update,
                      schema=lambda configuration: [{"table": "config", "primary_key": ["key", "run"]},
                                                    {"table": "runs", "primary_key": ["run"]}])

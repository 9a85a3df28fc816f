# A DOUBLE key of 0.0 and -0.0, which the warehouse takes for one key: the writer's key order
# must keep their operations in turn (tests/sorted.sh).
from fivetran_connector_sdk import Connector
from fivetran_connector_sdk import Operations as op


def schema(configuration):
    return [{"table": "z", "primary_key": ["k"], "columns": {"k": "DOUBLE", "v": "STRING"}}]


def update(configuration, state):
    op.upsert("z", {"k": 0.0, "v": "zero"})
    op.upsert("z", {"k": 1.5, "v": "one and a half"})
    op.delete("z", {"k": -0.0})
    op.update("z", {"k": -0.0, "v": "minus zero"})
    op.upsert("z", {"k": -1.5, "v": "minus one and a half"})
    op.checkpoint({"done": True})


connector = Connector(update=update, schema=schema)

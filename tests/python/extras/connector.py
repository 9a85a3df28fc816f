"""What a Fivetran SDK connector may look at or import besides the operations: the environment
fivetran debug sets, FileUpload, a schema entry with a misspelt key; configuration "case"
picks a mistake instead (a DECIMAL without scale, a value the host refuses)."""
import os

from fivetran_connector_sdk import Connector, FileUpload, Operations as op


def schema(configuration):
    if configuration.get("case") == "no_scale":
        return [{"table": "t", "columns": {"price": {"type": "DECIMAL", "precision": 10}}}]
    return [{"table": "t", "primary_keys": ["id"], "columns": {"n": "INT"}}]


def update(configuration, state):
    if configuration.get("case") == "refused":
        op.upsert("t", {"id": 1, "n": "not a number"})
    op.upsert("t", {"id": 1, "n": 1, "model": os.environ.get("FIVETRAN_DEPLOYMENT_MODEL"),
                    "file_upload": FileUpload.__name__})
    op.checkpoint({})


connector = Connector(update=update, schema=schema)

# A syntax error on line 5: the colon after the def is missing.
from fivetran_connector_sdk import Connector, Operations as op


def update(configuration, state)
    op.upsert("t", {"id": 1})


connector = Connector(update=update)

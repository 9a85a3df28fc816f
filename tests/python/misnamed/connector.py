# The Connector object exists but is named wrongly.
from fivetran_connector_sdk import Connector, Operations as op


def update(configuration, state):
    op.upsert("t", {"id": 1})


my_connector = Connector(update=update)

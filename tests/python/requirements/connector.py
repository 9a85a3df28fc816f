# requirements.txt names a distribution that is not installed: a warning, and the sync still runs.
from fivetran_connector_sdk import Connector
from fivetran_connector_sdk import Operations as op


def update(configuration, state):
    op.upsert("req", {"id": 1})
    op.checkpoint({})


connector = Connector(update=update)

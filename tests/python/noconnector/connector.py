# Defines update() but no module-level `connector` object.
from fivetran_connector_sdk import Operations as op


def update(configuration, state):
    op.upsert("t", {"id": 1})

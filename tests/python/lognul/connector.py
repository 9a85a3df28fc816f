# Log messages and print() output holding a NUL character, which a Python str may hold.
from fivetran_connector_sdk import Connector
from fivetran_connector_sdk import Logging as log
from fivetran_connector_sdk import Operations as op


def update(configuration, state):
    log.info("log before\x00after")
    print("print before\x00after")
    op.upsert("lognul", {"id": 1})
    op.checkpoint({"logged": True})


connector = Connector(update=update)

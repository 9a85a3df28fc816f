# The SDK 1.x style: update() is a generator that yields every operation.
from fivetran_connector_sdk import Connector
from fivetran_connector_sdk import Logging as log
from fivetran_connector_sdk import Operations as op


def update(configuration, state):
    log.info("generator starts")
    for i in range(5):
        yield op.upsert("gen", {"id": i, "sq": i * i})
    yield op.update("gen", {"id": 1, "sq": -1})
    yield op.delete("gen", {"id": 4})
    yield op.checkpoint({"yielded": 7})
    log.info("generator ends")


connector = Connector(update=update,
                      schema=lambda configuration: [{"table": "gen", "primary_key": ["id"]}])

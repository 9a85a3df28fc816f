# The seed connector in Python: three rows with UUID ids (val1 = the id, val2 = i), an update of
# row 2 setting val1 to 'abc', a delete of row 3, one checkpoint. Declares what the C plugin
# `three` declares, so both land the same table.
import uuid

from fivetran_connector_sdk import Connector
from fivetran_connector_sdk import Logging as log
from fivetran_connector_sdk import Operations as op


def schema(configuration):
    return [{"table": "three", "primary_key": ["id"],
             "columns": {"id": "STRING", "val1": "STRING", "val2": "INT"}}]


def update(configuration, state):
    ids = [uuid.uuid4() for _ in range(3)]
    for i, row_id in enumerate(ids):
        op.upsert(table="three", data={"id": row_id, "val1": row_id, "val2": i})
        log.info(f"upserted row {i + 1} with id {row_id}")
    op.update(table="three", modified={"id": ids[1], "val1": "abc"})
    op.delete(table="three", keys={"id": ids[2]})
    op.checkpoint(state={"last_id": str(ids[0])})


connector = Connector(update=update, schema=schema)

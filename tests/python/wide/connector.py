# Partial updates of tables past eight columns and past 64: the host keeps which columns an
# operation gives as bits, eight flags a step, and a wide table's flags one by one.
from fivetran_connector_sdk import Connector
from fivetran_connector_sdk import Operations as op

COLUMNS = {"narrow": 12, "wide": 70}
UPDATED = {"narrow": [2, 9, 10, 11], "wide": [2, 9, 10, 11, 63, 64, 65, 68]}


def update(configuration, state):
    for table, n in COLUMNS.items():
        for i in range(3):
            row = {"id": i}
            for c in range(1, n):
                row[f"c{c}"] = f"v{i}_{c}"
            yield op.upsert(table, row)
        part = {"id": 1}
        for c in UPDATED[table]:
            part[f"c{c}"] = f"u{c}"
        yield op.update(table, part)
        yield op.delete(table, {"id": 2})
    yield op.checkpoint({"done": 1})


connector = Connector(update=update, schema=lambda configuration: [
    {"table": table, "primary_key": ["id"]} for table in COLUMNS])

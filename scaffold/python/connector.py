"""@NAME@: a connector for Fivetran's Connector SDK, made by `connector-host new @NAME@ --python`.

It syncs numbered items from a pretend source into table `items`, a batch per run, and keeps
its place in the state. Change fetch_items() and schema() to sync your real source. The file
runs unchanged under `fivetran debug` and under `connector-host run .`.
"""

from datetime import datetime, timezone

from fivetran_connector_sdk import Connector
from fivetran_connector_sdk import Logging as log
from fivetran_connector_sdk import Operations as op


def schema(configuration: dict):
    # Declared columns keep their type; others are typed from their first value.
    return [
        {
            "table": "items",
            "primary_key": ["id"],
            "columns": {
                "id": "INT",
                "price": {"type": "DECIMAL", "precision": 10, "scale": 2},
                "created_at": "UTC_DATETIME",
            },
        }
    ]


def fetch_items(start: int, count: int):
    """The pretend source: items start, start + 1, ..."""
    for n in range(start, start + count):
        yield {
            "id": n,
            "name": f"item {n}",
            "price": f"{n}.50",
            "created_at": datetime(2024, 1, 1, tzinfo=timezone.utc),
        }


def update(configuration: dict, state: dict):
    batch = int(configuration.get("batch", "5"))
    start = state.get("next_id", 1)
    log.info(f"syncing items {start} to {start + batch - 1}")
    for item in fetch_items(start, batch):
        op.upsert(table="items", data=item)
    # Everything before a checkpoint is committed together with this state.
    op.checkpoint(state={"next_id": start + batch})


connector = Connector(update=update, schema=schema)

if __name__ == "__main__":
    connector.debug()

# One sync whose result is compared across destinations (SQLite, PostgreSQL, jsonl): declared and
# inferred types, partial updates, deletes, a truncate and rows written after it.
import datetime as dt
import decimal
import uuid

from fivetran_connector_sdk import Connector
from fivetran_connector_sdk import Operations as op


def schema(configuration):
    return [
        {"table": "people", "primary_key": ["id"], "columns": {
            "id": "INT", "name": "STRING", "score": {"type": "DECIMAL", "precision": 8, "scale": 2},
            "born": "NAIVE_DATE", "seen": "UTC_DATETIME", "local": "NAIVE_DATETIME",
            "ratio": "FLOAT", "tags": "JSON", "photo": "BINARY", "active": "BOOLEAN",
            "small": "SHORT", "doc": "XML"}},
        {"table": "events", "primary_key": ["eid"]},
    ]


def update(configuration, state):
    tz = dt.timezone(dt.timedelta(hours=3, minutes=30))
    for i in range(20):
        op.upsert("people", {
            "id": i, "name": f"person {i} \u00e9", "score": decimal.Decimal(i * 37) / 4,
            "born": dt.date(1950 + i, 1 + i % 12, 1 + i), "seen": dt.datetime(2024, 1, 1 + i, i, 30, i, i * 1000, tzinfo=tz),
            "local": f"2024-05-{1 + i:02d} 0{i % 10}:15:00", "ratio": i / 3, "tags": {"a": i, "b": [i, str(i)]},
            "photo": bytes(range(i, i + 5)), "active": i % 2 == 0, "small": -i * 1000, "doc": f"<p n='{i}'/>",
            "n": i * 10 ** 15, "big": 2 ** 64 + i, "d": i * 0.1, "meta": [i, {"c": None}], "note": uuid.UUID(int=i),
        })
    for i in range(0, 20, 4):
        op.update("people", {"id": i, "name": None, "score": "-1.5", "ratio": 0.25, "active": None})
    for i in (3, 7, 11):
        op.delete("people", {"id": i})
    for i in range(5):
        op.upsert("events", {"eid": f"e{i}", "at": dt.datetime(2024, 2, 1, i).isoformat(), "count": i})
    op.checkpoint({"phase": 1})
    op.truncate("events")
    op.upsert("events", {"eid": "e1", "at": "again", "count": 100})
    op.upsert("events", {"eid": "e9", "at": "new", "count": 9})
    op.update("people", {"id": 19, "photo": b"", "tags": []})
    op.checkpoint({"phase": 2})


connector = Connector(update=update, schema=schema)

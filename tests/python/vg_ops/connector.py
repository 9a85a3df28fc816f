"""Every operation and value path once, for valgrind: declared and inferred values, a thread,
a generator, print, a checkpoint, and (configuration "fail") an exception after it."""
import datetime
import decimal
import threading

from fivetran_connector_sdk import Connector, Logging as log, Operations as op


def schema(configuration):
    return [{"table": "t", "primary_key": ["id"],
             "columns": {"d": {"type": "DECIMAL", "precision": 10, "scale": 2},
                         "at": "UTC_DATETIME", "f": "FLOAT", "j": "JSON", "s": "STRING",
                         "day": "NAIVE_DATE", "b": "BINARY"}}]


def rows():
    utc = datetime.timezone.utc
    for i in range(50):
        yield {"id": i, "d": decimal.Decimal("1.25") + i, "at": datetime.datetime(2024, 1, 2, tzinfo=utc),
               "f": 0.1, "j": {"k": [i]}, "s": i, "day": datetime.date(2024, 2, 29), "b": b"\x00\x01",
               "big": 2 ** 80, "x": 1.5, "flag": i % 2 == 0, "other": decimal.Decimal("3.5"),
               "none": None}


def update(configuration, state):
    print("printed line")
    log.info("start")
    t = threading.Thread(target=lambda: [op.upsert("u", {"id": k}) for k in range(20)])
    t.start()
    for r in rows():
        op.upsert(table="t", data=r)
    t.join()
    op.update("t", {"id": 1, "s": "changed"})
    op.delete("t", {"id": 2})
    op.truncate("u")
    op.checkpoint({"n": 1})
    if configuration.get("fail"):
        raise RuntimeError("failing on purpose")
    yield op.upsert("t", {"id": 99})


connector = Connector(update=update, schema=schema)

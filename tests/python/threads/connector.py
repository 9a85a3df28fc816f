# 8 threads upsert at once, each its own 2000 rows: plain values into "plain"; into "rich", values
# whose conversion runs Python code (str() of an object, a UUID, json.dumps of a dict), during which
# Python may switch threads. Then every thread checkpoints once more, concurrently.
import threading
import uuid

from fivetran_connector_sdk import Connector
from fivetran_connector_sdk import Logging as log
from fivetran_connector_sdk import Operations as op

THREADS, ROWS = 8, 2000


class Tag:
    def __init__(self, t, i):
        self.t, self.i = t, i

    def __str__(self):
        text = ""
        for ch in f"{self.t}-{self.i}":  # slow on purpose: a thread switch may happen here
            text += ch
        return text


def schema(configuration):
    return [{"table": "plain", "primary_key": ["t", "i"]},
            {"table": "rich", "primary_key": ["t", "i"], "columns": {"tag": "STRING"}}]


def update(configuration, state):
    errors = []

    def work(t):
        try:
            for i in range(ROWS):
                op.upsert("plain", {"t": t, "i": i, "v": t * 100000 + i, "s": f"{t}/{i}"})
                op.upsert("rich", {"t": t, "i": i, "tag": Tag(t, i),
                                   "doc": {"t": t, "i": i, "l": [t, i]},
                                   "u": uuid.UUID(int=t * 100000 + i)})
            op.checkpoint({"thread": t})
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(repr(e))

    threads = [threading.Thread(target=work, args=(t,)) for t in range(THREADS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    if errors:
        raise RuntimeError(f"{len(errors)} threads failed: {errors[:3]}")
    log.info("all threads done")
    op.checkpoint({"threads": THREADS, "rows": ROWS})


connector = Connector(update=update, schema=schema)

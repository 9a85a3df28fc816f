"""The benchmark's workload as a Fivetran SDK connector (bench/bulk.c's, in Python).

N upserts of {id, val1: the id, val2: i} into `three` (declared STRING, STRING, INT), a
partial update (val1 = "abc") of every 2nd row, a delete of every 3rd row, a checkpoint
every 10,000 operations with the position reached. The ids are UUID-shaped text made from
(seed, row) again when needed, as the C connector does, instead of being kept.
"""

import random

from fivetran_connector_sdk import Connector
from fivetran_connector_sdk import Operations as op

BATCH = 10000
MASK = (1 << 128) - 1


def schema(configuration):
    return [{"table": "three", "primary_key": ["id"],
             "columns": {"id": "STRING", "val1": "STRING", "val2": "INT"}}]


def row_id(seed, i):
    h = ((i + 1) * 0x9E3779B97F4A7C15F39CC0605CEDC835 ^ seed) & MASK
    t = f"{h:032x}"
    return f"{t[:8]}-{t[8:12]}-4{t[13:16]}-a{t[17:20]}-{t[20:]}"


def update(configuration, state):
    n = int(configuration.get("n", "100000"))
    total = n + n // 2 + n // 3
    pos = state.get("op", 0)
    seed = state.get("seed")
    if seed is None or pos >= total:
        seed, pos = random.getrandbits(128), 0
    upsert, upd, delete = op.upsert, op.update, op.delete
    while pos < total:
        end = min(total, (pos // BATCH + 1) * BATCH)
        for k in range(pos, end):
            if k < n:
                i = row_id(seed, k)
                upsert("three", {"id": i, "val1": i, "val2": k})
            elif k < n + n // 2:
                upd("three", {"id": row_id(seed, (k - n) * 2 + 1), "val1": "abc"})
            else:
                delete("three", {"id": row_id(seed, (k - n - n // 2) * 3 + 2)})
        pos = end
        op.checkpoint({"seed": seed, "op": pos})


connector = Connector(update=update, schema=schema)

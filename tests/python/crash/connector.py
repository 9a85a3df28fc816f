# A deterministic stream of upserts, updates and deletes over a few hundred keys, driven by the
# position in the state: operation p is a function of p alone, and a checkpoint follows every
# `every` operations with {"pos": p + 1}. Killed at any moment and run again, it resumes at the
# committed position, so the final table is that of one uninterrupted run.
# Configuration: n (operations), every, keys, stop (end early at this position, for an oracle).
from fivetran_connector_sdk import Connector
from fivetran_connector_sdk import Operations as op


def mix(p):
    x = (p * 2654435761 + 0x9E3779B9) & 0xFFFFFFFF
    x ^= x >> 15
    return (x * 2246822519) & 0xFFFFFFFF


def update(configuration, state):
    n = int(configuration.get("n", "20000"))
    every = int(configuration.get("every", "250"))
    keys = int(configuration.get("keys", "300"))
    stop = int(configuration.get("stop", str(n)))
    pos = state.get("pos", 0)
    while pos < stop:
        x = mix(pos)
        key = x % keys
        kind = (x >> 12) % 10
        if kind < 6:
            op.upsert("stream", {"k": key, "v": pos, "label": f"p{pos}", "doc": {"p": pos, "k": key}})
        elif kind < 8:
            op.update("stream", {"k": key, "v": -pos})
        else:
            op.delete("stream", {"k": key})
        pos += 1
        if pos % every == 0 or pos == stop:
            op.checkpoint({"pos": pos})


connector = Connector(update=update,
                      schema=lambda configuration: [{"table": "stream", "primary_key": ["k"],
                                                     "columns": {"k": "INT", "v": "LONG"}}])

"""Leaves a non-daemon thread running after update() (the host must not wait for it), and
writes to a pipe whose reader is gone (BrokenPipeError, as in python, not SIGPIPE)."""
import os
import threading
import time

from fivetran_connector_sdk import Connector, Operations as op


def forever():
    while True:
        time.sleep(0.05)


def update(configuration, state):
    r, w = os.pipe()
    os.close(r)
    try:
        os.write(w, b"x")
        outcome = "written"
    except BrokenPipeError:
        outcome = "BrokenPipeError"
    os.close(w)
    op.upsert("t", {"id": 1, "pipe": outcome})
    threading.Thread(target=forever).start()
    op.checkpoint({"done": True})


connector = Connector(update=update)

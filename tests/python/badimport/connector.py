# Imports a module that does not exist, on line 5.
from fivetran_connector_sdk import Connector, Operations as op
import json

import no_such_module_for_connector_host_tests


def update(configuration, state):
    op.upsert("t", {"id": 1})


connector = Connector(update=update)

# schema() mistakes the SDK refuses, chosen by the configuration's "case".
from fivetran_connector_sdk import Connector, Operations as op

CASES = {
    "plain_decimal": [{"table": "t", "primary_key": ["id"], "columns": {"id": "INT", "price": "DECIMAL"}}],
    "unknown_type": [{"table": "t", "primary_key": ["id"], "columns": {"id": "INT", "when": "TIMESTAMPZ"}}],
    "duplicate": [{"table": "t", "primary_key": ["id"]}, {"table": "t", "primary_key": ["id"]}],
    "dict_not_decimal": [{"table": "t", "columns": {"n": {"type": "INT", "precision": 3, "scale": 0}}}],
    "no_table": [{"primary_key": ["id"]}],
    "blank_table": [{"table": "  "}],
    "not_a_list": {"table": "t"},
}


def schema(configuration):
    return CASES[configuration["case"]]


def update(configuration, state):
    op.upsert("t", {"id": 1})
    op.checkpoint({"ran": True})


connector = Connector(update=update, schema=schema)

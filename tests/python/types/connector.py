# Every type, declared and inferred, with edge values; keyless tables, a key column left out of
# "columns", DECIMAL as a dict, type names in lower case. configuration "case" = "bug_*" upserts one
# value that should convert but (at the time of writing) does not.
import datetime as dt
import decimal
import uuid

from fivetran_connector_sdk import Connector
from fivetran_connector_sdk import Operations as op

D = decimal.Decimal
UTC = dt.timezone.utc
PLUS2 = dt.timezone(dt.timedelta(hours=2))
MINUS5 = dt.timezone(dt.timedelta(hours=-5))


def schema(configuration):
    return [
        {"table": "declared", "primary_key": ["id"], "columns": {
            "id": "INT",
            "b": "BOOLEAN", "s": "SHORT", "i": "INT", "l": "LONG",
            "dec": {"type": "DECIMAL", "precision": 20, "scale": 4},
            "decbig": {"type": "decimal", "precision": 38, "scale": 0},
            "f": "FLOAT", "d": "DOUBLE",
            "nd": "naive_date", "ndt": "Naive_DateTime", "udt": "utc_datetime",
            "bin": "binary", "x": "XML", "st": "string", "j": "json",
            "never": "STRING",  # declared, never sent: still created
        }},
        {"table": "inferred", "primary_key": ["id"]},
        {"table": "keyless", "columns": {"v": "INT"}},
        {"table": "pk_outside", "primary_key": ["code"],
         "columns": {"amount": {"type": "DECIMAL", "precision": 10, "scale": 2}}},
        {"table": "composite", "primary_key": ["a", "b"]},
    ]


def update(configuration, state):
    case = configuration.get("case", "")
    if case == "bug_normalized_decimal":  # Decimal('100.00').normalize() is Decimal('1E+2')
        op.upsert("declared", {"id": 100, "dec": D("100.00").normalize()})
    elif case == "bug_float_decimal":  # repr(1e16) is '1e+16'
        op.upsert("declared", {"id": 101, "decbig": 1e16})
    elif case == "bad_int":
        op.upsert("declared", {"id": 102, "i": "forty-two"})
    elif case == "bad_date":
        op.upsert("declared", {"id": 103, "nd": "2023-02-29"})
    elif case == "utc_without_zone":
        op.upsert("declared", {"id": 104, "udt": "2024-01-02 03:04:05"})
    elif case == "short_overflow":
        op.upsert("declared", {"id": 105, "s": 32768})
    elif case == "long_overflow":
        op.upsert("declared", {"id": 106, "l": 2 ** 63})
    elif case:
        raise ValueError("unknown case " + case)
    if case:
        op.checkpoint({"case": case})
        return

    up = op.upsert
    up("declared", {"id": 1, "b": None, "s": None, "i": None, "l": None, "dec": None, "decbig": None,
                    "f": None, "d": None, "nd": None, "ndt": None, "udt": None, "bin": None,
                    "x": None, "st": None, "j": None})
    up("declared", {"id": 2, "b": True, "s": -32768, "i": 2 ** 31 - 1, "l": 2 ** 63 - 1,
                    "dec": "12345.6789", "decbig": "-99999999999999999999999999999999999999",
                    "f": 0.1, "d": 0.1, "nd": "2024-02-29", "ndt": "2024-02-29T23:59:59.123456",
                    "udt": "2024-02-29T23:59:59Z", "bin": b"\x00\x01\xfe\xff", "x": "<a b='1'/>",
                    "st": "h\u00e9llo \u2713", "j": {"k": [1, 2.5, None, True, "s"], "n": {"m": {}}}})
    up("declared", {"id": 3, "b": False, "s": 32767, "i": -2 ** 31, "l": -2 ** 63,
                    "dec": D("-0.0001"), "decbig": 2 ** 100, "f": 1.5, "d": 1e308,
                    "nd": dt.date(1970, 1, 1), "ndt": dt.datetime(2000, 1, 1, 12, 0, 0),
                    "udt": dt.datetime(2024, 6, 1, 12, 0, tzinfo=PLUS2), "bin": bytearray(b"ab"),
                    "x": "<r/>", "st": 12345, "j": "abc"})
    up("declared", {"id": 4, "b": 1, "i": "42", "l": 3.0, "dec": 7, "d": 7, "f": 16777217,
                    "nd": dt.datetime(2024, 3, 1, 5, 6, 7), "ndt": "2024-03-01 05:06:07",
                    "udt": "2024-03-01 05:06:07+05:30", "st": [1, 2], "j": [1, "two", {"3": 4}]})
    up("declared", {"id": 5, "dec": 12.5, "udt": dt.datetime(2024, 1, 1, 0, 0),
                    "ndt": dt.datetime(2024, 1, 1, 0, 0, tzinfo=MINUS5),
                    "st": dt.datetime(2024, 1, 2, 3, 4, 5), "j": True, "x": None})
    up("declared", {"id": 6, "st": D("1.50"), "j": 3, "udt": dt.datetime(2024, 7, 1, 1, 2, 3, 456789, tzinfo=UTC),
                    "st_extra": "undeclared column of a declared table"})

    up("inferred", {"id": 1, "b": True, "max": 2 ** 63 - 1, "over": 2 ** 63, "huge": 2 ** 200,
                    "min": -2 ** 63, "under": -2 ** 63 - 1, "dmax": 10 ** 37, "dover": 10 ** 38,
                    "f": 0.1, "by": b"\x00\xff", "dj": {"a": [1, {"b": None}]}, "lj": [1, "x"],
                    "s": "str", "dt": dt.datetime(2025, 1, 1, tzinfo=UTC),
                    "dec": D("1.10"), "u": uuid.UUID(int=1), "n": None,
                    "date": dt.date(2024, 1, 1), "nested": [{"a": [{"b": [1]}]}]})
    up("inferred", {"id": 2, "b": False, "max": None, "s": "", "f": -2.5})

    up("keyless", {"v": 1, "w": "a"})
    up("keyless", {"v": 1, "w": "a"})  # the same values: the same _fivetran_id, one row
    up("keyless", {"v": 2, "w": "a"})
    up("keyless", {"v": "3", "w": None})

    up("pk_outside", {"code": "A-1", "amount": "10.5"})
    up("pk_outside", {"code": "B-2", "amount": 3})

    up("composite", {"a": 1, "b": "x", "v": 1})
    up("composite", {"a": 1, "b": "y", "v": 2})
    up("composite", {"a": 1, "b": "x", "v": 3})
    op.checkpoint({"done": True})


connector = Connector(update=update, schema=schema)

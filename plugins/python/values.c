/*
 * values.c - Python values into a row, by the SDK's rules: a declared
 * column converts the value to its type (str() into STRING, json.dumps into
 * JSON, datetime objects into the date types), an undeclared one takes the
 * type of the Python value. The host then checks and converts what it is
 * given, so its errors name the table, column and value.
 */
#include "runtime.h"

#include <datetime.h>
#include <stdio.h>
#include <string.h>

static PyObject *json_dumps;   /* json.dumps */
static PyObject *decimal_type; /* decimal.Decimal */
static PyObject *utc;          /* datetime.timezone.utc */

/* module.name as a new reference, or NULL with a Python exception. */
static PyObject *import_attr(const char *module, const char *name)
{
    PyObject *m = PyImport_ImportModule(module), *attr;
    if (m == NULL)
        return NULL;
    attr = PyObject_GetAttrString(m, name);
    Py_DECREF(m);
    return attr;
}

int values_init(void)
{
    PyObject *tz;
    PyDateTime_IMPORT;
    if (PyDateTimeAPI == NULL || (json_dumps = import_attr("json", "dumps")) == NULL ||
        (decimal_type = import_attr("decimal", "Decimal")) == NULL ||
        (tz = import_attr("datetime", "timezone")) == NULL)
        return -1;
    utc = PyObject_GetAttrString(tz, "utc");
    Py_DECREF(tz);
    return utc ? 0 : -1;
}

void values_clear(void)
{
    Py_CLEAR(json_dumps);
    Py_CLEAR(decimal_type);
    Py_CLEAR(utc);
}

PyObject *values_json_dumps(PyObject *value)
{
    return PyObject_CallOneArg(json_dumps, value);
}

/* The UTF-8 of a str, refusing an embedded NUL, which a C string would cut. */
static const char *utf8_of(PyObject *str, const char *table, const char *column)
{
    Py_ssize_t len;
    const char *text = PyUnicode_AsUTF8AndSize(str, &len);
    if (text != NULL && strlen(text) != (size_t)len) {
        PyErr_Format(PyExc_ValueError, "table '%s', column '%s': the text holds a NUL character",
                     table, column);
        return NULL;
    }
    return text;
}

typedef int (*text_setter)(ch_row *, const char *, const char *);

/* Sets a str object through a text setter. */
static int set_str(ch_row *row, const char *column, PyObject *str, text_setter set,
                   const char *table)
{
    const char *text = utf8_of(str, table, column);
    if (text == NULL)
        return -1;
    set(row, column, text);
    return 0;
}

/* Sets str(value) (or another text form) through a text setter, consuming text. */
static int set_new_str(ch_row *row, const char *column, PyObject *text, text_setter set,
                       const char *table)
{
    int rc;
    if (text == NULL)
        return -1;
    rc = set_str(row, column, text, set, table);
    Py_DECREF(text);
    return rc;
}

static int set_binary(ch_row *row, const char *column, PyObject *v)
{
    Py_buffer view;
    if (PyObject_GetBuffer(v, &view, PyBUF_SIMPLE) != 0)
        return -1;
    ch_row_set_binary(row, column, view.buf, (size_t)view.len);
    PyBuffer_Release(&view);
    return 0;
}

static int is_binary(PyObject *v)
{
    return PyBytes_Check(v) || PyByteArray_Check(v) || PyMemoryView_Check(v);
}

/* An int too wide for 64 bits: DECIMAL while it fits 38 digits (the SDK's FLOAT would round). */
static int set_big_int(ch_row *row, const char *column, PyObject *v, const char *table)
{
    PyObject *text = PyObject_Str(v);
    Py_ssize_t len;
    const char *digits;
    if (text == NULL || (digits = PyUnicode_AsUTF8AndSize(text, &len)) == NULL) {
        Py_XDECREF(text);
        return -1;
    }
    if (len - (digits[0] == '-') <= 38)
        ch_row_set_decimal(row, column, digits);
    else
        ch_row_set_string(row, column, digits);
    Py_DECREF(text);
    return 0;
}

static int set_int(ch_row *row, const char *column, PyObject *v, const char *table)
{
    int overflow;
    long long n = PyLong_AsLongLongAndOverflow(v, &overflow);
    if (overflow)
        return set_big_int(row, column, v, table);
    if (n == -1 && PyErr_Occurred())
        return -1;
    ch_row_set_long(row, column, (int64_t)n);
    return 0;
}

/* The type an undeclared column takes from the Python value. */
static int infer(ch_row *row, const char *column, PyObject *v, const char *table)
{
    if (v == Py_None)
        return ch_row_set_null(row, column), 0;
    if (PyBool_Check(v))
        return ch_row_set_boolean(row, column, v == Py_True), 0;
    if (PyLong_Check(v))
        return set_int(row, column, v, table);
    if (PyFloat_Check(v))
        return ch_row_set_double(row, column, PyFloat_AS_DOUBLE(v)), 0;
    if (PyUnicode_Check(v))
        return set_str(row, column, v, ch_row_set_string, table);
    if (is_binary(v))
        return set_binary(row, column, v);
    if (PyDict_Check(v) || PyList_Check(v))
        return set_new_str(row, column, values_json_dumps(v), ch_row_set_json, table);
    /* datetime, Decimal, UUID and the rest: their text, as the SDK sends them */
    return set_new_str(row, column, PyObject_Str(v), ch_row_set_string, table);
}

/* A datetime in UTC (an aware one converted, a naive one taken as UTC), new reference. */
static PyObject *in_utc(PyObject *dt)
{
    PyObject *tz = PyObject_GetAttrString(dt, "tzinfo");
    if (tz == NULL)
        return NULL;
    if (tz == Py_None) {
        Py_DECREF(tz);
        Py_INCREF(dt);
        return dt;
    }
    Py_DECREF(tz);
    return PyObject_CallMethod(dt, "astimezone", "O", utc);
}

/* Writes a date, datetime or time object in the form the host's setter of type wants. */
static int set_temporal_object(ch_row *row, const char *column, PyObject *v, int type)
{
    char buf[48];
    PyObject *dt = NULL;
    int y, mo, d, h = 0, mi = 0, s = 0, us = 0;
    if (PyTime_Check(v)) {
        if (type != PY_NAIVE_TIME)
            return 1;
        h = PyDateTime_TIME_GET_HOUR(v);
        mi = PyDateTime_TIME_GET_MINUTE(v);
        s = PyDateTime_TIME_GET_SECOND(v);
        us = PyDateTime_TIME_GET_MICROSECOND(v);
        snprintf(buf, sizeof buf, "%02d:%02d:%02d.%06d", h, mi, s, us);
        ch_row_set_naive_time(row, column, buf);
        return 0;
    }
    if (!PyDate_Check(v) || type == PY_NAIVE_TIME)
        return 1;
    if (PyDateTime_Check(v)) {
        if ((dt = in_utc(v)) == NULL)
            return -1;
        h = PyDateTime_DATE_GET_HOUR(dt);
        mi = PyDateTime_DATE_GET_MINUTE(dt);
        s = PyDateTime_DATE_GET_SECOND(dt);
        us = PyDateTime_DATE_GET_MICROSECOND(dt);
        v = dt;
    }
    y = PyDateTime_GET_YEAR(v);
    mo = PyDateTime_GET_MONTH(v);
    d = PyDateTime_GET_DAY(v);
    Py_XDECREF(dt);
    if (type == PY_NAIVE_DATE) {
        snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, mo, d);
        ch_row_set_naive_date(row, column, buf);
    } else {
        snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06d%s", y, mo, d, h, mi, s, us,
                 type == PY_UTC_DATETIME ? "Z" : "");
        if (type == PY_UTC_DATETIME)
            ch_row_set_utc_datetime(row, column, buf);
        else
            ch_row_set_naive_datetime(row, column, buf);
    }
    return 0;
}

/* A date or time given as text: the SDK also takes a space between date and time. */
static int set_temporal_text(ch_row *row, const char *column, PyObject *v, int type,
                             const char *table)
{
    char buf[96];
    const char *text = utf8_of(v, table, column);
    if (text == NULL)
        return -1;
    if (strlen(text) < sizeof buf && strlen(text) > 10 && text[10] == ' ' &&
        (type == PY_NAIVE_DATETIME || type == PY_UTC_DATETIME)) {
        memcpy(buf, text, strlen(text) + 1);
        buf[10] = 'T';
        text = buf;
    }
    switch (type) {
    case PY_NAIVE_DATE:
        ch_row_set_naive_date(row, column, text);
        break;
    case PY_NAIVE_DATETIME:
        ch_row_set_naive_datetime(row, column, text);
        break;
    case PY_UTC_DATETIME:
        ch_row_set_utc_datetime(row, column, text);
        break;
    default:
        ch_row_set_naive_time(row, column, text);
    }
    return 0;
}

/* A Decimal in plain notation: str(Decimal('1E+2')) is exponent notation, format 'f' is not. */
static PyObject *plain_decimal(PyObject *d)
{
    PyObject *spec = PyUnicode_FromString("f"), *text;
    if (spec == NULL)
        return NULL;
    text = PyObject_Format(d, spec);
    Py_DECREF(spec);
    return text;
}

/* DECIMAL from str, int, Decimal or float (the decimal of its shortest repr), in plain notation. */
static int set_decimal(ch_row *row, const char *column, PyObject *v, const char *table)
{
    PyObject *d;
    if (PyUnicode_Check(v))
        return set_str(row, column, v, ch_row_set_decimal, table);
    if (PyLong_Check(v) && !PyBool_Check(v))
        return set_new_str(row, column, PyObject_Str(v), ch_row_set_decimal, table);
    if (PyFloat_Check(v)) {
        PyObject *repr = PyObject_Repr(v); /* 1e+16 */
        int rc;
        if (repr == NULL)
            return -1;
        d = PyObject_CallOneArg(decimal_type, repr);
        Py_DECREF(repr);
        if (d == NULL)
            return -1;
        rc = set_new_str(row, column, plain_decimal(d), ch_row_set_decimal, table);
        Py_DECREF(d);
        return rc;
    }
    if (PyObject_IsInstance(v, decimal_type) == 1)
        return set_new_str(row, column, plain_decimal(v), ch_row_set_decimal, table);
    return infer(row, column, v, table);
}

/* One value into a column of a declared type. */
static int convert(ch_row *row, const char *column, PyObject *v, int type, const char *table)
{
    int rc;
    if (v == Py_None)
        return ch_row_set_null(row, column), 0;
    switch (type) {
    case PY_STRING:
        if (PyUnicode_Check(v))
            return set_str(row, column, v, ch_row_set_string, table);
        return set_new_str(row, column, PyObject_Str(v), ch_row_set_string, table);
    case PY_JSON:
        return set_new_str(row, column, values_json_dumps(v), ch_row_set_json, table);
    case PY_XML:
        if (PyUnicode_Check(v))
            return set_str(row, column, v, ch_row_set_xml, table);
        break;
    case PY_BINARY:
        if (is_binary(v))
            return set_binary(row, column, v);
        break;
    case PY_BOOLEAN:
        if (PyLong_Check(v) || PyFloat_Check(v)) /* the SDK's byte path: bool(value) */
            return ch_row_set_boolean(row, column, PyObject_IsTrue(v) == 1), 0;
        break;
    case PY_FLOAT:
    case PY_DOUBLE:
        if (PyLong_Check(v) || PyFloat_Check(v)) {
            double d = PyFloat_AsDouble(v);
            if (d == -1.0 && PyErr_Occurred())
                return -1;
            if (type == PY_FLOAT) /* rounded to 32 bits, as the SDK's FLOAT field does */
                return ch_row_set_float(row, column, (float)d), 0;
            return ch_row_set_double(row, column, d), 0;
        }
        break;
    case PY_SHORT:
    case PY_INT:
    case PY_LONG:
        if (PyFloat_Check(v)) {
            double d = PyFloat_AS_DOUBLE(v);
            /* the range first: casting NaN, inf or 1e30 to an integer is undefined */
            if (d >= -9.2e18 && d <= 9.2e18 && d == (double)(int64_t)d)
                return ch_row_set_long(row, column, (int64_t)d), 0;
            return ch_row_set_double(row, column, d), 0; /* the host refuses the fraction */
        }
        break;
    case PY_DECIMAL:
        return set_decimal(row, column, v, table);
    case PY_NAIVE_DATE:
    case PY_NAIVE_DATETIME:
    case PY_UTC_DATETIME:
    case PY_NAIVE_TIME:
        if (PyUnicode_Check(v))
            return set_temporal_text(row, column, v, type, table);
        if ((rc = set_temporal_object(row, column, v, type)) <= 0)
            return rc;
        break;
    }
    return infer(row, column, v, table);
}

int values_fill_row(ch_row *row, PyObject *types, PyObject *data, const char *table)
{
    PyObject *key, *v;
    Py_ssize_t pos = 0;
    if (!PyDict_Check(data)) {
        PyErr_Format(PyExc_TypeError, "table '%s': the row must be a dict of column: value, got %s",
                     table, Py_TYPE(data)->tp_name);
        return -1;
    }
    while (PyDict_Next(data, &pos, &key, &v)) {
        const char *column;
        PyObject *declared;
        int rc;
        if (!PyUnicode_Check(key)) {
            PyErr_Format(PyExc_TypeError, "table '%s': column names must be str, got %s", table,
                         Py_TYPE(key)->tp_name);
            return -1;
        }
        if ((column = utf8_of(key, table, "?")) == NULL)
            return -1;
        declared = types ? PyDict_GetItemWithError(types, key) : NULL;
        if (declared == NULL && PyErr_Occurred())
            return -1;
        /* converting may run Python code (str(), json.dumps) that changes the dict: hold both */
        Py_INCREF(key);
        Py_INCREF(v);
        rc = declared ? convert(row, column, v, (int)PyLong_AsLong(declared), table)
                      : infer(row, column, v, table);
        Py_DECREF(v);
        Py_DECREF(key);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* types.h - the column types of the behavioural contract. */
#ifndef HOST_TYPES_H
#define HOST_TYPES_H

#include "base/error.h"

typedef enum col_type {
    T_NONE = 0, /* no type yet: an undeclared column before its first value */
    T_BOOLEAN,
    T_SHORT,
    T_INT,
    T_LONG,
    T_DECIMAL,
    T_FLOAT,
    T_DOUBLE,
    T_NAIVE_DATE,
    T_NAIVE_TIME,
    T_NAIVE_DATETIME,
    T_UTC_DATETIME,
    T_BINARY,
    T_XML,
    T_STRING,
    T_JSON
} col_type;

/* How a value of a type is stored: decides the SQLite column and binding. */
typedef enum storage { S_INTEGER, S_REAL, S_TEXT, S_BLOB } storage;

#define DECIMAL_MAX_PRECISION 38

/* A type with its DECIMAL parameters (zero for other types). */
typedef struct type_spec {
    col_type type;
    int precision, scale;
} type_spec;

/* The contract's name of a type ("INT", "DECIMAL"). */
const char *type_name(col_type type);

/* Formats a type with its parameters ("DECIMAL(10,2)") into buf. */
const char *type_format(col_type type, int precision, int scale, char *buf, size_t size);

/* Parses a type name such as "INT" or "DECIMAL(10,2)"; case-insensitive. */
int type_parse(const char *text, col_type *type, int *precision, int *scale, ch_error *err);

/*
 * The narrowest type that holds values of both types with nothing lost, per
 * the contract's widening: SHORT < INT < LONG < DECIMAL/DOUBLE (FLOAT <
 * DOUBLE), anything else STRING. T_NONE joins as the other type.
 */
col_type type_widen(col_type a, col_type b);

/* Where values of the type are stored. */
static inline storage type_storage(col_type type)
{
    switch (type) {
    case T_BOOLEAN:
    case T_SHORT:
    case T_INT:
    case T_LONG:
        return S_INTEGER;
    case T_FLOAT:
    case T_DOUBLE:
        return S_REAL;
    case T_BINARY:
        return S_BLOB;
    default:
        return S_TEXT;
    }
}

#endif

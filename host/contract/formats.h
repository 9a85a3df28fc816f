/* formats.h - validation and canonical forms of the text-encoded types. */
#ifndef HOST_FORMATS_H
#define HOST_FORMATS_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/utf8.h"

/* Longest canonical text of a date/time value, with its NUL. */
#define DATETIME_TEXT_MAX 40

/* Validates YYYY-MM-DD (years 0001-9999, real calendar days). */
int date_check(const char *s, ch_error *err);

/*
 * Times are stored with exactly this many fraction digits (00:00:00.000000),
 * however many the value was given with (0 to 6): every stored time of a
 * type then has one length, so that equal times are equal text and text
 * order is time order.
 */
#define TIME_FRACTION_DIGITS 6

/* Validates HH:MM:SS with an optional fraction of 1 to 6 digits. */
int time_check(const char *s, ch_error *err);

/* Validates a time as time_check does; writes HH:MM:SS.ffffff. */
int naive_time_canonical(const char *s, char *out, size_t size, ch_error *err);

/* Validates a date, 'T' or ' ', and a time; writes YYYY-MM-DDTHH:MM:SS.ffffff. */
int naive_datetime_canonical(const char *s, char *out, size_t size, ch_error *err);

/*
 * Validates a datetime with 'Z' or a +hh:mm offset; writes it in UTC as
 * YYYY-MM-DDTHH:MM:SS.ffffffZ.
 */
int utc_datetime_canonical(const char *s, char *out, size_t size, ch_error *err);

/* The microseconds since 1970-01-01T00:00:00Z of a valid UTC datetime (negative before). */
int utc_datetime_micros(const char *s, int64_t *us, ch_error *err);

/*
 * Validates a decimal number ("-12.50") and writes it with exactly `scale`
 * fraction digits. Fails when it has more than precision-scale integer
 * digits or non-zero digits beyond the scale. With precision 0, the value's
 * own scale is kept and only the 38-digit limit applies.
 */
int decimal_canonical(const char *s, int precision, int scale, char *out, size_t size,
                      ch_error *err);

/* Number of fraction digits in a valid decimal text. */
int decimal_scale_of(const char *s);

/* True when the text is one valid JSON value. */
int json_valid(const char *s, size_t len);

#endif

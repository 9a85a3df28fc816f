/* formats.h - validation and canonical forms of the text-encoded types. */
#ifndef HOST_FORMATS_H
#define HOST_FORMATS_H

#include <stddef.h>

#include "base/error.h"
#include "base/utf8.h"

/* Longest canonical text of a date/time value, with its NUL. */
#define DATETIME_TEXT_MAX 40

/* Validates YYYY-MM-DD (years 0001-9999, real calendar days). */
int date_check(const char *s, ch_error *err);

/* Validates HH:MM:SS with an optional fraction of 1 to 6 digits. */
int time_check(const char *s, ch_error *err);

/* Validates a date, 'T' or ' ', and a time; writes the canonical 'T' form. */
int naive_datetime_canonical(const char *s, char *out, size_t size, ch_error *err);

/* Validates a datetime with 'Z' or a +hh:mm offset; writes it in UTC ending in 'Z'. */
int utc_datetime_canonical(const char *s, char *out, size_t size, ch_error *err);

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

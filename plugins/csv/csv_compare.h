/*
 * csv_compare.h - how the csv connector orders cursor values, which are text.
 *
 * When both values are plain decimal numbers (optional sign, digits, optional fraction, no
 * exponent) they compare by exact value, however long: "9" < "10", "1.50" = "1.5",
 * "-0" = "0", "007" = "7". Otherwise they compare by their bytes, which for UTF-8 is code
 * point order and orders ISO 8601 dates and times as time does.
 */
#ifndef CSV_COMPARE_H
#define CSV_COMPARE_H

/* Negative, zero or positive as a orders before, with, or after b. */
int csv_compare(const char *a, const char *b);

#endif

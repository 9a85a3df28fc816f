/* test_formats.c - dates, times, decimals, UTF-8, JSON and value conversion. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "contract/formats.h"
#include "tap.h"
#include "contract/value.h"

static void dates(void)
{
    ch_error e;
    char out[DATETIME_TEXT_MAX];
    ok(date_check("2024-02-29", &e) == CH_OK, "leap day 2024-02-29 is a date");
    ok(date_check("2023-02-29", &e) == CH_ERROR, "2023-02-29 is not");
    has_str(e.msg, "'2023-02-29' is not a valid date", "message names the value");
    ok(date_check("2026-02-30", &e) == CH_ERROR, "2026-02-30 is not a date");
    ok(date_check("1900-02-29", &e) == CH_ERROR, "1900 is not a leap year");
    ok(date_check("2000-02-29", &e) == CH_OK, "2000 is a leap year");
    ok(date_check("1970-01-01", &e) == CH_OK, "the epoch is a date");
    ok(date_check("2026-1-01", &e) == CH_ERROR, "short month refused");
    ok(date_check("2026-01-01x", &e) == CH_ERROR, "trailing text refused");
    ok(date_check("0000-01-01", &e) == CH_ERROR, "year 0 refused");
    ok(time_check("23:59:59.123456", &e) == CH_OK, "time with microseconds");
    ok(time_check("24:00:00", &e) == CH_ERROR, "hour 24 refused");
    ok(time_check("12:00:00.1234567", &e) == CH_ERROR, "seven fraction digits refused");
    ok(time_check("12:00:00.", &e) == CH_ERROR, "empty fraction refused");
    ok(naive_datetime_canonical("2026-11-24 10:00:00", out, sizeof out, &e) == CH_OK &&
           strcmp(out, "2026-11-24T10:00:00.000000") == 0,
       "space separator becomes T, six fraction digits");
    ok(naive_datetime_canonical("2026-11-24T10:00:00Z", out, sizeof out, &e) == CH_ERROR,
       "naive datetime with a zone refused");
    ok(utc_datetime_canonical("2026-11-24T10:00:00Z", out, sizeof out, &e) == CH_OK &&
           strcmp(out, "2026-11-24T10:00:00.000000Z") == 0,
       "UTC datetime gets six fraction digits");
    ok(utc_datetime_canonical("2026-01-01T01:30:00.5+02:00", out, sizeof out, &e) == CH_OK,
       "offset accepted");
    is_str(out, "2025-12-31T23:30:00.500000Z", "offset converted to UTC across a year boundary");
    ok(utc_datetime_canonical("2024-02-28T23:00:00-01:00", out, sizeof out, &e) == CH_OK,
       "negative offset");
    is_str(out, "2024-02-29T00:00:00.000000Z", "negative offset lands on the leap day");
    ok(utc_datetime_canonical("2026-11-24T10:00:00", out, sizeof out, &e) == CH_ERROR,
       "UTC datetime without zone refused");
}

/* One instant or time of day, however many fraction digits it came with, is one text. */
static void canonical_times(void)
{
    static const char *const utc[] = {"2024-01-01T00:00:00Z", "2024-01-01T00:00:00.0Z",
                                      "2024-01-01T00:00:00.000Z", "2024-01-01 00:00:00.000000Z",
                                      "2024-01-01T01:00:00+01:00"};
    static const char *const naive[] = {"2024-01-01T00:00:00", "2024-01-01 00:00:00.00",
                                        "2024-01-01T00:00:00.000000"};
    static const char *const times[] = {"08:30:00", "08:30:00.0", "08:30:00.000000"};
    ch_error e;
    char out[DATETIME_TEXT_MAX], a[DATETIME_TEXT_MAX], b[DATETIME_TEXT_MAX];
    int64_t us;
    for (size_t i = 0; i < sizeof utc / sizeof utc[0]; i++) {
        ok(utc_datetime_canonical(utc[i], out, sizeof out, &e) == CH_OK, "UTC '%s' is valid",
           utc[i]);
        is_str(out, "2024-01-01T00:00:00.000000Z", "UTC '%s' has the one canonical text", utc[i]);
    }
    for (size_t i = 0; i < sizeof naive / sizeof naive[0]; i++) {
        ok(naive_datetime_canonical(naive[i], out, sizeof out, &e) == CH_OK, "naive '%s' is valid",
           naive[i]);
        is_str(out, "2024-01-01T00:00:00.000000", "naive '%s' has the one canonical text",
               naive[i]);
    }
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        ok(naive_time_canonical(times[i], out, sizeof out, &e) == CH_OK, "time '%s' is valid",
           times[i]);
        is_str(out, "08:30:00.000000", "time '%s' has the one canonical text", times[i]);
    }
    ok(naive_time_canonical("23:59:59.5", out, sizeof out, &e) == CH_OK, "a short fraction");
    is_str(out, "23:59:59.500000", "is padded to six digits");
    ok(naive_time_canonical("24:00:00", out, sizeof out, &e) == CH_ERROR, "hour 24 refused");
    has_str(e.msg, "'24:00:00' is not a valid time", "the refusal names the value");
    ok(naive_time_canonical("12:00:00.1234567", out, sizeof out, &e) == CH_ERROR,
       "seven fraction digits refused, not cut");
    ok(naive_time_canonical("12:00:00", out, 15, &e) == CH_ERROR, "a buffer one short refused");
    /* the bug this form fixes: ".5Z" sorted before "Z" as text */
    ok(utc_datetime_canonical("2024-01-01T00:00:00.5Z", a, sizeof a, &e) == CH_OK &&
           utc_datetime_canonical("2024-01-01T00:00:00Z", b, sizeof b, &e) == CH_OK &&
           strcmp(b, a) < 0,
       "text order is time order: 00:00:00 before 00:00:00.5");
    ok(naive_datetime_canonical("2024-01-01T00:00:00.5", a, sizeof a, &e) == CH_OK &&
           naive_datetime_canonical("2024-01-01T00:00:00", b, sizeof b, &e) == CH_OK &&
           strcmp(b, a) < 0,
       "naive text order is time order");
    ok(utc_datetime_micros("1970-01-01T00:00:00Z", &us, &e) == CH_OK && us == 0,
       "the epoch is 0 microseconds");
    ok(utc_datetime_micros("2000-01-01T01:00:00.000001+01:00", &us, &e) == CH_OK &&
           us == INT64_C(946684800000001),
       "2000-01-01 (an offset applied) in microseconds");
    ok(utc_datetime_micros("1969-12-31T23:59:59.5Z", &us, &e) == CH_OK && us == -500000,
       "before the epoch is negative");
    ok(utc_datetime_micros("2000-01-01", &us, &e) == CH_ERROR, "a date alone is refused");
}

static void decimals(void)
{
    ch_error e;
    char out[64];
    ok(decimal_canonical("12.5", 10, 2, out, sizeof out, &e) == CH_OK, "12.5 fits (10,2)");
    is_str(out, "12.50", "padded to the scale");
    ok(decimal_canonical("-0.000", 10, 2, out, sizeof out, &e) == CH_OK, "negative zero");
    is_str(out, "0.00", "negative zero is canonical zero");
    ok(decimal_canonical("007", 3, 0, out, sizeof out, &e) == CH_OK, "leading zeros");
    is_str(out, "7", "leading zeros dropped");
    ok(decimal_canonical("1.005", 10, 2, out, sizeof out, &e) == CH_ERROR, "extra digit refused");
    has_str(e.msg, "more than 2 digits after the point", "message says why");
    ok(decimal_canonical("1.500", 10, 2, out, sizeof out, &e) == CH_OK, "extra zeros are exact");
    ok(decimal_canonical("123456789", 10, 2, out, sizeof out, &e) == CH_ERROR,
       "too many integer digits refused");
    ok(decimal_canonical("99999999999999999999999999999999999999", 38, 0, out, sizeof out, &e) ==
           CH_OK,
       "DECIMAL(38,0) max");
    ok(decimal_canonical("1e5", 10, 0, out, sizeof out, &e) == CH_ERROR, "exponent refused");
    ok(decimal_canonical(".", 10, 0, out, sizeof out, &e) == CH_ERROR, "lone point refused");
    ok(decimal_canonical("", 10, 0, out, sizeof out, &e) == CH_ERROR, "empty refused");
    /* Review finding: more than 38 fraction digits slipped past the limit. */
    ok(decimal_canonical("0.12345678901234567890123456789012345678901", 0, 0, out, sizeof out,
                         &e) == CH_ERROR,
       "41 fraction digits refused with the value's own scale");
    has_str(e.msg, "more than 38 digits after the point", "the limit is named");
    ok(decimal_canonical("0.12345678901234567890123456789012345678", 0, 0, out, sizeof out, &e) ==
           CH_OK,
       "38 fraction digits accepted");
}

static void text(void)
{
    ok(utf8_valid("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80", 15), "valid UTF-8");
    ok(!utf8_valid("\xc0\xaf", 2), "overlong refused");
    ok(!utf8_valid("\xed\xa0\x80", 3), "surrogate refused");
    ok(!utf8_valid("\xe2\x82", 2), "truncated sequence refused");
    ok(!utf8_valid("\xff", 1), "0xff refused");
    {
        /* the ASCII fast path reads in words: a bad byte anywhere, at any length, is found */
        char text[48];
        int missed = 0, refused = 0;
        for (size_t len = 1; len <= 40; len++) {
            memset(text, 'a', len);
            refused += !utf8_valid(text, len);
            for (size_t at = 0; at < len; at++) {
                text[at] = (char)0xff;
                missed += utf8_valid(text, len);
                text[at] = 'a';
            }
        }
        ok(refused == 0, "ASCII of every length from 1 to 40 is valid");
        ok(missed == 0, "a bad byte at every position of every length from 1 to 40 is refused");
    }
    {
        const char *j = "{\"a\":[1,2,{\"b\":null}]}";
        ok(json_valid(j, strlen(j)), "valid JSON object");
    }
    ok(json_valid("42", 2), "scalar JSON");
    ok(!json_valid("{\"a\":}", 6), "invalid JSON refused");
    ok(!json_valid("", 0), "empty JSON refused");
}

static void conversions(void)
{
    value in = {0}, out = {0};
    ch_error e;
    in.type = T_LONG;
    in.i = INT32_MAX;
    ok(value_convert(&in, T_INT, 0, 0, &out, &e) == CH_OK && out.i == INT32_MAX,
       "LONG INT32_MAX converts to INT");
    in.i = (int64_t)INT32_MAX + 1;
    ok(value_convert(&in, T_INT, 0, 0, &out, &e) == CH_ERROR, "INT overflow refused");
    has_str(e.msg, "2147483648", "overflow message names the value");
    in.type = T_SHORT;
    in.i = -32768;
    ok(value_convert(&in, T_LONG, 0, 0, &out, &e) == CH_OK && out.i == -32768, "SHORT widens");
    in.type = T_INT;
    in.i = 42;
    ok(value_convert(&in, T_STRING, 0, 0, &out, &e) == CH_OK, "INT converts to STRING");
    is_str(out.ptr, "42", "as its decimal text");
    ok(value_convert(&in, T_DECIMAL, 5, 2, &out, &e) == CH_OK, "INT converts to DECIMAL");
    is_str(out.ptr, "42.00", "with the column's scale");
    ok(value_convert(&in, T_BOOLEAN, 0, 0, &out, &e) == CH_ERROR, "INT does not become BOOLEAN");
    in.type = T_DOUBLE;
    in.d = 0.1;
    ok(value_convert(&in, T_FLOAT, 0, 0, &out, &e) == CH_ERROR, "0.1 is not exactly a FLOAT");
    in.d = 0.5;
    ok(value_convert(&in, T_FLOAT, 0, 0, &out, &e) == CH_OK, "0.5 is exactly a FLOAT");
    in.d = 3.0;
    ok(value_convert(&in, T_INT, 0, 0, &out, &e) == CH_OK && out.i == 3, "3.0 is an INT");
    in.d = 3.5;
    ok(value_convert(&in, T_INT, 0, 0, &out, &e) == CH_ERROR, "3.5 is not an INT");
    in.d = 0.1;
    ok(value_convert(&in, T_STRING, 0, 0, &out, &e) == CH_OK, "DOUBLE to STRING");
    is_str(out.ptr, "0.1", "shortest exact text");
    value_set_bytes(&in, T_STRING, "2026-02-30", 10);
    ok(value_convert(&in, T_NAIVE_DATE, 0, 0, &out, &e) == CH_ERROR, "bad date string refused");
    has_str(e.msg, "not a valid date", "with the date message");
    value_set_bytes(&in, T_STRING, "{\"a\":1}", 7);
    ok(value_convert(&in, T_JSON, 0, 0, &out, &e) == CH_OK, "JSON text string to JSON");
    value_set_bytes(&in, T_STRING, "{\"a\":", 5);
    ok(value_convert(&in, T_JSON, 0, 0, &out, &e) == CH_ERROR, "invalid JSON string refused");
    value_free(&in);
    value_free(&out);
}

/* Conversions the fuzzers found wrong (fuzz/regressions/value). */
static void fuzz_findings(void)
{
    value in = {0}, out = {0};
    ch_error e;
    static const char *const decimals_ok[] = {"100", "1.50", "0.00", "0.00001", "-20", "0.1"};
    for (size_t i = 0; i < sizeof decimals_ok / sizeof decimals_ok[0]; i++) {
        value_set_bytes(&in, T_DECIMAL, decimals_ok[i], strlen(decimals_ok[i]));
        ok(value_convert(&in, T_DOUBLE, 0, 0, &out, &e) == CH_OK &&
               out.d == strtod(decimals_ok[i], NULL),
           "DECIMAL %s converts to DOUBLE", decimals_ok[i]);
    }
    value_set_bytes(&in, T_DECIMAL, "0.30000000000000001", 19);
    ok(value_convert(&in, T_DOUBLE, 0, 0, &out, &e) == CH_ERROR,
       "a DECIMAL that no DOUBLE reads back as is refused");
    value_set_bytes(&in, T_STRING, "\t42", 3);
    ok(value_convert(&in, T_INT, 0, 0, &out, &e) == CH_ERROR, "STRING \"\\t42\" is not an INT");
    value_set_bytes(&in, T_STRING, "\n42", 3);
    ok(value_convert(&in, T_LONG, 0, 0, &out, &e) == CH_ERROR, "STRING \"\\n42\" is not a LONG");
    value_set_bytes(&in, T_STRING, " 1.5", 4);
    ok(value_convert(&in, T_DOUBLE, 0, 0, &out, &e) == CH_ERROR, "STRING \" 1.5\" is not a DOUBLE");
    value_set_bytes(&in, T_STRING, "0x10", 4);
    ok(value_convert(&in, T_DOUBLE, 0, 0, &out, &e) == CH_ERROR, "hex is not a DOUBLE");
    value_set_bytes(&in, T_STRING, "inf", 3);
    ok(value_convert(&in, T_DOUBLE, 0, 0, &out, &e) == CH_OK && isinf(out.d),
       "\"inf\", a DOUBLE's own text, reads back");
    value_free(&in);
    value_free(&out);
}

/* A value whose buffer is lent (a slab's) never frees it, nor grows it in place. */
static void lent_buffers(void)
{
    char slab[16] = "untouched";
    value v = {.buf = slab, .cap = sizeof slab, .lent = 1};
    ok(value_copy(&v, &(value){.type = T_STRING, .ptr = "short", .len = 5}) == CH_OK &&
           v.buf == slab && strcmp(v.ptr, "short") == 0,
       "a value that fits is copied into the lent buffer");
    ok(value_set_bytes(&v, T_STRING, "longer than sixteen bytes", 25) == CH_OK && v.buf != slab &&
           !v.lent && strcmp(v.ptr, "longer than sixteen bytes") == 0,
       "a longer one gets a buffer of its own");
    ok(strcmp(slab, "short") == 0, "the lent buffer is left as it was");
    value_free(&v); /* frees its own buffer: a leak or a bad free here fails under the sanitizers */
    v = (value){.buf = slab, .cap = sizeof slab, .lent = 1};
    value_free(&v); /* the lent one is never freed */
    ok(v.buf == NULL && v.cap == 0 && !v.lent, "freeing a value with a lent buffer forgets it");
}

int main(void)
{
    dates();
    lent_buffers();
    canonical_times();
    decimals();
    text();
    conversions();
    fuzz_findings();
    return tap_done();
}

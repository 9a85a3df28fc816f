/* formats.c - dates, times, decimals and JSON checked exactly. */
#include "formats.h"

#include <ctype.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "types.h"

/* ".ffffff" and its NUL. */
#define FRACTION_TEXT (TIME_FRACTION_DIGITS + 2)

/* Reads exactly n digits as a number; -1 when they are not all digits. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Parses YYYY-MM-DD at s; returns the number of characters read or -1. */
static int parse_date(const char *s, int *y, int *m, int *d)
{
    if (strlen(s) < 10 || s[4] != '-' || s[7] != '-')
        return -1;
    *y = digits(s, 4);
    *m = digits(s + 5, 2);
    *d = digits(s + 8, 2);
    if (*y < 1 || *m < 1 || *m > 12 || *d < 1 || *d > days_in_month(*y, *m))
        return -1;
    return 10;
}

/*
 * Parses HH:MM:SS[.f{1,6}] at s; returns characters read or -1. The fraction
 * goes to frac as ".ffffff", padded with zeros (formats.h says why).
 */
static int parse_time(const char *s, int *h, int *mi, int *sec, char frac[FRACTION_TEXT])
{
    int n = 8, f = 0;
    if (strlen(s) < 8 || s[2] != ':' || s[5] != ':')
        return -1;
    *h = digits(s, 2);
    *mi = digits(s + 3, 2);
    *sec = digits(s + 6, 2);
    if (*h < 0 || *h > 23 || *mi < 0 || *mi > 59 || *sec < 0 || *sec > 59)
        return -1;
    if (s[8] == '.') {
        while (isdigit((unsigned char)s[9 + f]))
            f++;
        if (f < 1 || f > TIME_FRACTION_DIGITS)
            return -1;
        n = 9 + f;
    }
    frac[0] = '.';
    for (int i = 0; i < TIME_FRACTION_DIGITS; i++)
        frac[1 + i] = i < f ? s[9 + i] : '0';
    frac[TIME_FRACTION_DIGITS + 1] = '\0';
    return n;
}

int date_check(const char *s, ch_error *err)
{
    int y, m, d;
    if (parse_date(s, &y, &m, &d) != 10 || s[10] != '\0')
        return err_set(err, "'%s' is not a valid date (YYYY-MM-DD)", s);
    return CH_OK;
}

int naive_time_canonical(const char *s, char *out, size_t size, ch_error *err)
{
    char frac[FRACTION_TEXT];
    int h, m, sec, w;
    int n = parse_time(s, &h, &m, &sec, frac);
    if (n < 0 || s[n] != '\0')
        return err_set(err, "'%s' is not a valid time (HH:MM:SS[.ffffff])", s);
    w = snprintf(out, size, "%02d:%02d:%02d%s", h, m, sec, frac);
    if (w < 0 || (size_t)w >= size)
        return err_set(err, "'%s' is too long", s);
    return CH_OK;
}

int time_check(const char *s, ch_error *err)
{
    char out[DATETIME_TEXT_MAX];
    return naive_time_canonical(s, out, sizeof out, err);
}

/* Parses date, separator, time; returns characters read or -1. */
static int parse_datetime(const char *s, int f[6], char frac[FRACTION_TEXT])
{
    int n;
    if (parse_date(s, &f[0], &f[1], &f[2]) != 10 || (s[10] != 'T' && s[10] != ' '))
        return -1;
    n = parse_time(s + 11, &f[3], &f[4], &f[5], frac);
    if (n < 0)
        return -1;
    return 11 + n;
}

int naive_datetime_canonical(const char *s, char *out, size_t size, ch_error *err)
{
    char frac[FRACTION_TEXT];
    int f[6], w;
    int n = parse_datetime(s, f, frac);
    if (n < 0 || s[n] != '\0')
        return err_set(err, "'%s' is not a valid datetime (YYYY-MM-DDTHH:MM:SS[.ffffff])", s);
    w = snprintf(out, size, "%.10sT%.8s%s", s, s + 11, frac);
    if (w < 0 || (size_t)w >= size)
        return err_set(err, "'%s' is too long", s);
    return CH_OK;
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static long days_from_civil(int y, int m, int d)
{
    long era;
    unsigned yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long)doe - 719468;
}

static void civil_from_days(long z, int *y, int *m, int *d)
{
    long era;
    unsigned doe, yoe, doy, mp;
    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = (unsigned)(z - era * 146097);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

int utc_datetime_canonical(const char *s, char *out, size_t size, ch_error *err)
{
    char frac[FRACTION_TEXT];
    int f[6], offset_min = 0;
    int n = parse_datetime(s, f, frac);
    const char *z;
    if (n < 0)
        goto bad;
    z = s + n;
    if (z[0] == 'Z' && z[1] == '\0') {
        offset_min = 0;
    } else if ((z[0] == '+' || z[0] == '-') && strlen(z) == 6 && z[3] == ':') {
        int oh = digits(z + 1, 2), om = digits(z + 4, 2);
        if (oh < 0 || oh > 23 || om < 0 || om > 59)
            goto bad;
        offset_min = (oh * 60 + om) * (z[0] == '+' ? 1 : -1);
    } else {
        goto bad;
    }
    {
        long days = days_from_civil(f[0], f[1], f[2]);
        long minutes = days * 1440 + f[3] * 60 + f[4] - offset_min;
        long day = minutes >= 0 ? minutes / 1440 : -((-minutes + 1439) / 1440);
        long in_day = minutes - day * 1440;
        int y, m, d, w;
        civil_from_days(day, &y, &m, &d);
        if (y < 1 || y > 9999)
            return err_set(err, "'%s' is outside the years 0001-9999 in UTC", s);
        w = snprintf(out, size, "%04d-%02d-%02dT%02ld:%02ld:%02d%sZ", y, m, d, in_day / 60,
                     in_day % 60, f[5], frac);
        if (w < 0 || (size_t)w >= size)
            goto bad;
    }
    return CH_OK;
bad:
    return err_set(err,
                   "'%s' is not a valid UTC datetime (YYYY-MM-DDTHH:MM:SS[.ffffff] followed by Z "
                   "or +hh:mm)",
                   s);
}

int utc_datetime_micros(const char *s, int64_t *us, ch_error *err)
{
    char canon[DATETIME_TEXT_MAX], frac[FRACTION_TEXT];
    int f[6];
    if (utc_datetime_canonical(s, canon, sizeof canon, err) != CH_OK)
        return CH_ERROR;
    parse_datetime(canon, f, frac); /* canonical, so it parses */
    *us = ((int64_t)days_from_civil(f[0], f[1], f[2]) * 86400 + f[3] * 3600 + f[4] * 60 + f[5]) *
              1000000 +
          digits(frac + 1, TIME_FRACTION_DIGITS);
    return CH_OK;
}

int decimal_scale_of(const char *s)
{
    const char *dot = strchr(s, '.');
    return dot ? (int)strlen(dot + 1) : 0;
}

int decimal_canonical(const char *s, int precision, int scale, char *out, size_t size,
                      ch_error *err)
{
    const char *p = s, *int_start, *frac_start = NULL;
    size_t int_len, frac_len = 0, n = 0;
    int negative = 0, nonzero = 0, keep_scale;
    if (*p == '-' || *p == '+')
        negative = *p++ == '-';
    int_start = p;
    while (isdigit((unsigned char)*p))
        p++;
    int_len = (size_t)(p - int_start);
    if (*p == '.') {
        frac_start = ++p;
        while (isdigit((unsigned char)*p))
            p++;
        frac_len = (size_t)(p - frac_start);
    }
    if (*p != '\0' || (int_len == 0 && frac_len == 0) || (frac_start && frac_len == 0))
        return err_set(err, "'%s' is not a decimal number", s);
    while (int_len > 0 && *int_start == '0') {
        int_start++;
        int_len--;
    }
    if (precision == 0 && frac_len > DECIMAL_MAX_PRECISION)
        return err_set(err, "'%s' has more than %d digits after the point", s,
                       DECIMAL_MAX_PRECISION);
    keep_scale = precision == 0 ? (int)frac_len : scale;
    if (precision == 0)
        precision = DECIMAL_MAX_PRECISION;
    for (size_t i = (size_t)keep_scale; i < frac_len; i++)
        if (frac_start[i] != '0')
            return err_set(err, "'%s' has more than %d digits after the point", s, keep_scale);
    if (int_len > (size_t)(precision - keep_scale))
        return err_set(err, "'%s' has more than %d digits before the point", s,
                       precision - keep_scale);
    for (size_t i = 0; i < int_len; i++)
        nonzero |= int_start[i] != '0';
    for (size_t i = 0; i < frac_len && i < (size_t)keep_scale; i++)
        nonzero |= frac_start[i] != '0';
    if (size < int_len + (size_t)keep_scale + 4)
        return err_set(err, "'%s' is too long", s);
    if (negative && nonzero)
        out[n++] = '-';
    if (int_len == 0)
        out[n++] = '0';
    memcpy(out + n, int_start, int_len);
    n += int_len;
    if (keep_scale > 0) {
        out[n++] = '.';
        for (size_t i = 0; i < (size_t)keep_scale; i++)
            out[n++] = i < frac_len ? frac_start[i] : '0';
    }
    out[n] = '\0';
    return CH_OK;
}

int json_valid(const char *s, size_t len)
{
    yajl_handle h = yajl_alloc(NULL, NULL, NULL);
    int ok;
    if (h == NULL)
        return 0;
    ok = yajl_parse(h, (const unsigned char *)s, len) == yajl_status_ok &&
         yajl_complete_parse(h) == yajl_status_ok;
    yajl_free(h);
    return ok;
}

/*
 * fuzz_value.c - libFuzzer target for the value converters (host/contract/value.c) and
 * the text formats (host/contract/formats.c), with type_parse/type_format on the side.
 *
 * Input: byte 0 source type (mod 16, a col_type), byte 1 DECIMAL precision
 * (1 + b % 38), byte 2 scale (b % (precision + 1)), the rest the payload:
 * the value's bytes (little-endian integer or IEEE float/double) for numeric
 * types, its text for text types, its bytes for BINARY. The payload is also
 * given, as a C string, to every function of formats.h.
 *
 * The source value is built the way row.c's ch_row_set_* would store it (text
 * taken up to its first NUL, DECIMAL and datetimes canonicalised, ...). When
 * row.c would have refused it, the value is still converted (it must not
 * crash) but the invariants about results are not checked ("realistic").
 *
 * Invariant ids (see fuzz/README.md):
 *   value-rc, value-err       CH_OK/CH_ERROR; err.msg NUL-terminated, set on failure
 *   value-shape               success gives the target type; text/blob results are
 *                             NUL-terminated at len, text results have no NUL inside
 *   value-utf8                a STRING result is valid UTF-8
 *   value-format              a result of a text type passes its own checker
 *   value-idempotent          converting a result again to its type gives it unchanged
 *   value-string-roundtrip    result -> STRING -> same type gives the result again
 *   value-int-syntax          STRING -> SHORT/INT/LONG accepts only -?[0-9]+ in range
 *   value-decimal             DECIMAL results equal a reference canonicalisation
 *   value-decimal-double      DECIMAL -> DOUBLE/FLOAT is accepted exactly when the
 *                             decimal equals, as a number, the shortest text that
 *                             reads back as its double (value.c's own rule);
 *   value-decimal-double-zeros   the same for a decimal with trailing fraction
 *                             zeros ("1.50" equals 1.5, which converts)
 *   fmt-utf8, fmt-date, fmt-time, fmt-naive, fmt-utc, fmt-decimal
 *                             formats.h functions agree with simple reference
 *                             implementations written here from the documented
 *                             rules (UTC offsets checked against timegm)
 *   fmt-err                   failures set a NUL-terminated, non-empty message
 *   fmt-size                  nothing is written past the given output size
 *   decimal-p0-limit          decimal_canonical with precision 0 refuses more than
 *                             38 digits in all ("only the 38-digit limit applies")
 *   type-format               type_format's text parses back to the same type
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "contract/formats.h"
#include "fuzz_common.h"
#include "contract/types.h"
#include "contract/value.h"

#define OUT_SIZE 256

/* ---- reference implementations ------------------------------------------ */

/* Well-formed UTF-8 after the Unicode standard's table 3-7. */
static int ref_utf8(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        unsigned char lo = 0x80, hi = 0xBF;
        size_t n;
        if (c <= 0x7F) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF)
            n = 1;
        else if (c == 0xE0)
            n = 2, lo = 0xA0;
        else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF)
            n = 2;
        else if (c == 0xED)
            n = 2, hi = 0x9F;
        else if (c == 0xF0)
            n = 3, lo = 0x90;
        else if (c >= 0xF1 && c <= 0xF3)
            n = 3;
        else if (c == 0xF4)
            n = 3, hi = 0x8F;
        else
            return 0;
        if (i + n >= len)
            return 0;
        if (s[i + 1] < lo || s[i + 1] > hi)
            return 0;
        for (size_t k = 2; k <= n; k++)
            if (s[i + k] < 0x80 || s[i + k] > 0xBF)
                return 0;
        i += n + 1;
    }
    return 1;
}

static int dig(char c)
{
    return c >= '0' && c <= '9';
}

static int num(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

static int ref_date_n(const char *s, size_t len, int *y, int *m, int *d)
{
    static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap, max;
    if (len != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !dig(s[i]))
            return 0;
    *y = num(s, 4);
    *m = num(s + 5, 2);
    *d = num(s + 8, 2);
    if (*y < 1 || *m < 1 || *m > 12)
        return 0;
    leap = (*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0;
    max = dim[*m - 1] + (*m == 2 && leap);
    return *d >= 1 && *d <= max;
}

static int ref_time_n(const char *s, size_t len, int *h, int *mi, int *sec)
{
    if (len != 8 && (len < 10 || len > 15))
        return 0;
    if (s[2] != ':' || s[5] != ':')
        return 0;
    for (int i = 0; i < 8; i++)
        if (i != 2 && i != 5 && !dig(s[i]))
            return 0;
    if (len > 8) {
        if (s[8] != '.')
            return 0;
        for (size_t i = 9; i < len; i++)
            if (!dig(s[i]))
                return 0;
    }
    *h = num(s, 2);
    *mi = num(s + 3, 2);
    *sec = num(s + 6, 2);
    return *h <= 23 && *mi <= 59 && *sec <= 59;
}

/* The fraction of a valid time of len characters, as ".ffffff": padded with zeros. */
static void ref_fraction(const char *time, size_t len, char out[8])
{
    out[0] = '.';
    for (size_t i = 0; i < 6; i++)
        out[1 + i] = 9 + i < len ? time[9 + i] : '0';
    out[7] = '\0';
}

/* Naive datetime: writes the 'T' form with six fraction digits; 1 when valid. */
static int ref_naive(const char *s, char *out)
{
    size_t n = strlen(s);
    int y, m, d, h, mi, sec;
    char frac[8];
    if (n < 19 || (s[10] != 'T' && s[10] != ' ') || !ref_date_n(s, 10, &y, &m, &d) ||
        !ref_time_n(s + 11, n - 11, &h, &mi, &sec))
        return 0;
    ref_fraction(s + 11, n - 11, frac);
    memcpy(out, s, 19);
    out[10] = 'T';
    memcpy(out + 19, frac, sizeof frac);
    return 1;
}

/* UTC datetime: 1 with the expected output, 0 when malformed, -1 out of range. */
static int ref_utc(const char *s, char *out, size_t size)
{
    size_t n = strlen(s), tlen;
    int y, m, d, h, mi, sec, offset = 0;
    struct tm tm, r;
    time_t t;
    if (n < 20 || (s[10] != 'T' && s[10] != ' ') || !ref_date_n(s, 10, &y, &m, &d))
        return 0;
    if (s[n - 1] == 'Z') {
        tlen = n - 1 - 11;
    } else if (n >= 25 && (s[n - 6] == '+' || s[n - 6] == '-') && s[n - 3] == ':' &&
               dig(s[n - 5]) && dig(s[n - 4]) && dig(s[n - 2]) && dig(s[n - 1])) {
        int oh = num(s + n - 5, 2), om = num(s + n - 2, 2);
        if (oh > 23 || om > 59)
            return 0;
        offset = (oh * 60 + om) * (s[n - 6] == '+' ? 1 : -1);
        tlen = n - 6 - 11;
    } else {
        return 0;
    }
    if (!ref_time_n(s + 11, tlen, &h, &mi, &sec))
        return 0;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    t = timegm(&tm) - (time_t)offset * 60;
    if (gmtime_r(&t, &r) == NULL)
        return -1;
    if (r.tm_year + 1900 < 1 || r.tm_year + 1900 > 9999)
        return -1;
    {
        char frac[8];
        ref_fraction(s + 11, tlen, frac);
        snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d%sZ", r.tm_year + 1900, r.tm_mon + 1,
                 r.tm_mday, r.tm_hour, r.tm_min, sec, frac);
    }
    return 1;
}

/*
 * Decimal per formats.h: [+-] digits [. digits] or [+-] . digits. Returns 1
 * with the canonical text, 0 when refused; *p0_only is set when only the
 * 38-digit rule of precision 0 refuses it (see decimal-p0-limit).
 */
static int ref_decimal(const char *s, int precision, int scale, char *out, int *p0_only)
{
    const char *p = s, *ip, *fp = "";
    size_t il, fl = 0, keep, o = 0;
    int neg = 0, nonzero = 0;
    *p0_only = 0;
    if (*p == '+' || *p == '-')
        neg = *p++ == '-';
    ip = p;
    while (dig(*p))
        p++;
    il = (size_t)(p - ip);
    if (*p == '.') {
        fp = ++p;
        while (dig(*p))
            p++;
        fl = (size_t)(p - fp);
        if (fl == 0)
            return 0;
    }
    if (*p != '\0' || il + fl == 0)
        return 0;
    while (il > 0 && *ip == '0')
        ip++, il--;
    keep = precision == 0 ? fl : (size_t)scale;
    for (size_t i = keep; i < fl; i++)
        if (fp[i] != '0')
            return 0;
    if (precision > 0 && il > (size_t)(precision - scale))
        return 0;
    for (size_t i = 0; i < il; i++)
        nonzero |= ip[i] != '0';
    for (size_t i = 0; i < fl && i < keep; i++)
        nonzero |= fp[i] != '0';
    if (neg && nonzero)
        out[o++] = '-';
    if (il == 0)
        out[o++] = '0';
    memcpy(out + o, ip, il);
    o += il;
    if (keep > 0) {
        out[o++] = '.';
        for (size_t i = 0; i < keep; i++)
            out[o++] = i < fl ? fp[i] : '0';
    }
    out[o] = '\0';
    if (precision == 0 && il + fl > DECIMAL_MAX_PRECISION) {
        *p0_only = 1;
        return 0;
    }
    return 1;
}

/*
 * A number's text ("-012.50", "1.5e+02") as sign, significant digits (no
 * leading or trailing zeros) and the decimal exponent of the first digit, so
 * that numerically equal texts give equal forms. 0 when it is not a number.
 */
static int num_form(const char *s, char *digits, size_t size, int *neg, long *exp10)
{
    size_t n = 0;
    long point = 0, e = 0;
    int seen_point = 0, any = 0;
    *neg = 0;
    if (*s == '+' || *s == '-')
        *neg = *s++ == '-';
    for (;; s++) {
        if (dig(*s)) {
            any = 1;
            if (n == 0 && *s == '0') {
                if (seen_point)
                    point--;
                continue;
            }
            if (n + 1 >= size)
                return 0;
            digits[n++] = *s;
            if (!seen_point)
                point++;
        } else if (*s == '.' && !seen_point) {
            seen_point = 1;
        } else {
            break;
        }
    }
    if (!any)
        return 0;
    if (*s == 'e' || *s == 'E') {
        char *end;
        e = strtol(s + 1, &end, 10);
        s = end;
    }
    if (*s != '\0')
        return 0;
    while (n > 0 && digits[n - 1] == '0')
        n--;
    digits[n] = '\0';
    if (n == 0)
        *neg = 0, point = 0, e = 0;
    *exp10 = point + e;
    return 1;
}

static int num_equal(const char *a, const char *b)
{
    char da[128], db[128];
    int na, nb;
    long ea, eb;
    return num_form(a, da, sizeof da, &na, &ea) && num_form(b, db, sizeof db, &nb, &eb) &&
           na == nb && ea == eb && strcmp(da, db) == 0;
}

/*
 * DECIMAL -> DOUBLE (value.c's rule): accepted when the decimal is the
 * shortest text that reads back as its double, compared as numbers.
 */
static int ref_decimal_to_double(const char *dec, double *d)
{
    char buf[64];
    *d = strtod(dec, NULL);
    if (!isfinite(*d))
        return 0;
    for (int p = 0; p < 17; p++) {
        snprintf(buf, sizeof buf, "%.*e", p, *d);
        if (strtod(buf, NULL) == *d)
            return num_equal(buf, dec);
    }
    return 0;
}

/* -?[0-9]+ within [lo, hi]. */
static int ref_int(const char *s, int64_t lo, int64_t hi, int64_t *v)
{
    const char *p = s;
    int neg = 0;
    __int128 acc = 0;
    if (*p == '-')
        neg = 1, p++;
    if (!dig(*p))
        return 0;
    for (; dig(*p); p++) {
        acc = acc * 10 + (*p - '0');
        if (acc > ((__int128)1 << 64))
            return 0;
    }
    if (*p != '\0')
        return 0;
    if (neg)
        acc = -acc;
    if (acc < lo || acc > hi)
        return 0;
    *v = (int64_t)acc;
    return 1;
}

/* Digits of a canonical decimal, not counting a lone integer "0". */
static size_t digit_count(const char *s)
{
    size_t n = 0;
    if (*s == '-')
        s++;
    if (s[0] == '0' && s[1] != '\0' && !dig(s[1]))
        s++;
    for (; *s; s++)
        n += dig(*s) != 0;
    return n;
}

/* ---- formats.h ------------------------------------------------------------ */

static void check_err(int rc, const ch_error *err, const char *what)
{
    CHECK("fmt-err", rc == CH_OK || rc == CH_ERROR, "%s returned %d", what, rc);
    if (rc != CH_OK) {
        CHECK("fmt-err", ERR_TERMINATED(*err), "%s: message not NUL-terminated", what);
        CHECK("fmt-err", err->msg[0] != '\0', "%s failed without a message", what);
    }
}

/* Calls f with a too-small size: nothing past size may change. */
#define CANARY 0x5A
static void check_canary(const char *buf, size_t size, size_t total, const char *what)
{
    for (size_t i = size; i < total; i++)
        if ((unsigned char)buf[i] != CANARY) {
            CHECK("fmt-size", 0, "%s with size %zu wrote byte %zu", what, size, i);
            return;
        }
}

static void check_formats(const uint8_t *raw, size_t raw_len, const char *s, int precision,
                          int scale, size_t small)
{
    char out[OUT_SIZE], out2[OUT_SIZE], ref[OUT_SIZE], tiny[OUT_SIZE];
    size_t len = strlen(s);
    int y, m, d, h, mi, sec, rc, want, p0_only;
    ch_error err;

    CHECK("fmt-utf8", utf8_valid((const char *)raw, raw_len) == ref_utf8(raw, raw_len),
          "utf8_valid of %zu raw bytes disagrees with the reference (%d)", raw_len,
          ref_utf8(raw, raw_len));
    CHECK("fmt-utf8", utf8_valid(s, len) == ref_utf8((const unsigned char *)s, len),
          "utf8_valid disagrees with the reference");

    ERR_POISON(err);
    rc = date_check(s, &err);
    check_err(rc, &err, "date_check");
    want = ref_date_n(s, len, &y, &m, &d);
    CHECK("fmt-date", (rc == CH_OK) == want, "date_check('%s') = %d, reference %d", s, rc, want);

    ERR_POISON(err);
    rc = time_check(s, &err);
    check_err(rc, &err, "time_check");
    want = ref_time_n(s, len, &h, &mi, &sec);
    CHECK("fmt-time", (rc == CH_OK) == want, "time_check('%s') = %d, reference %d", s, rc, want);
    ERR_POISON(err);
    rc = naive_time_canonical(s, out, DATETIME_TEXT_MAX, &err);
    check_err(rc, &err, "naive_time_canonical");
    CHECK("fmt-time", (rc == CH_OK) == want, "naive_time_canonical('%s') = %d, reference %d", s, rc,
          want);
    if (rc == CH_OK && want) {
        ref_fraction(s, len, ref + 8);
        memcpy(ref, s, 8);
        CHECK("fmt-time", strcmp(out, ref) == 0, "'%s' gave '%s', reference '%s'", s, out, ref);
    }
    memset(tiny, CANARY, sizeof tiny);
    rc = naive_time_canonical(s, tiny, small, &err);
    check_canary(tiny, small, sizeof tiny, "naive_time_canonical");
    if (rc == CH_OK)
        CHECK("fmt-time", want && strncmp(tiny, s, 8) == 0 && strlen(tiny) == 15,
              "small-buffer result '%s'", tiny);

    ERR_POISON(err);
    rc = naive_datetime_canonical(s, out, DATETIME_TEXT_MAX, &err);
    check_err(rc, &err, "naive_datetime_canonical");
    want = len < OUT_SIZE && ref_naive(s, ref);
    CHECK("fmt-naive", (rc == CH_OK) == want, "naive_datetime_canonical('%s') = %d, reference %d",
          s, rc, want);
    if (rc == CH_OK && want) {
        CHECK("fmt-naive", strcmp(out, ref) == 0, "'%s' gave '%s', reference '%s'", s, out, ref);
        ERR_POISON(err);
        CHECK("fmt-naive",
              naive_datetime_canonical(out, out2, sizeof out2, &err) == CH_OK &&
                  strcmp(out, out2) == 0,
              "canonical '%s' is not its own canonical form", out);
    }
    memset(tiny, CANARY, sizeof tiny);
    rc = naive_datetime_canonical(s, tiny, small, &err);
    check_canary(tiny, small, sizeof tiny, "naive_datetime_canonical");
    if (rc == CH_OK)
        CHECK("fmt-naive", want && strcmp(tiny, ref) == 0, "small-buffer result '%s'", tiny);

    ERR_POISON(err);
    rc = utc_datetime_canonical(s, out, DATETIME_TEXT_MAX, &err);
    check_err(rc, &err, "utc_datetime_canonical");
    want = len < 64 ? ref_utc(s, ref, sizeof ref) : 0;
    CHECK("fmt-utc", (rc == CH_OK) == (want == 1),
          "utc_datetime_canonical('%s') = %d, reference %d ('%s')", s, rc, want,
          want == 1 ? ref : "-");
    if (rc == CH_OK) {
        size_t olen = strlen(out);
        CHECK("fmt-utc", want != 1 || strcmp(out, ref) == 0, "'%s' gave '%s', reference '%s'", s,
              out, ref);
        CHECK("fmt-utc", olen > 0 && out[olen - 1] == 'Z', "'%s' gave '%s' without Z", s, out);
        if (olen > 0 && out[olen - 1] == 'Z') {
            char naive[OUT_SIZE];
            memcpy(naive, out, olen - 1);
            naive[olen - 1] = '\0';
            ERR_POISON(err);
            CHECK("fmt-utc",
                  naive_datetime_canonical(naive, out2, sizeof out2, &err) == CH_OK &&
                      strcmp(out2, naive) == 0,
                  "'%s' without its Z is not a canonical naive datetime", out);
        }
        ERR_POISON(err);
        CHECK("fmt-utc",
              utc_datetime_canonical(out, out2, sizeof out2, &err) == CH_OK &&
                  strcmp(out, out2) == 0,
              "canonical '%s' is not its own canonical form", out);
    }
    memset(tiny, CANARY, sizeof tiny);
    rc = utc_datetime_canonical(s, tiny, small, &err);
    check_canary(tiny, small, sizeof tiny, "utc_datetime_canonical");
    if (rc == CH_OK)
        CHECK("fmt-utc", want == 1 && strcmp(tiny, ref) == 0, "small-buffer result '%s'", tiny);

    for (int pass = 0; pass < 2; pass++) {
        int p = pass ? 0 : precision, sc = pass ? 0 : scale;
        p0_only = 0;
        ERR_POISON(err);
        rc = decimal_canonical(s, p, sc, out, sizeof out, &err);
        check_err(rc, &err, "decimal_canonical");
        want = len < OUT_SIZE - 8 && ref_decimal(s, p, sc, ref, &p0_only);
        if (rc == CH_OK && !want && p0_only)
            CHECK("decimal-p0-limit", 0,
                  "decimal_canonical('%s', 0, 0) accepts %zu digits, more than %d, as '%s'", s,
                  digit_count(out), DECIMAL_MAX_PRECISION, out);
        else if (len < OUT_SIZE - 8)
            CHECK("fmt-decimal", (rc == CH_OK) == want,
                  "decimal_canonical('%s', %d, %d) = %d, reference %d ('%s')", s, p, sc, rc, want,
                  want ? ref : "-");
        if (rc == CH_OK) {
            if (want)
                CHECK("fmt-decimal", strcmp(out, ref) == 0, "'%s' (%d,%d) gave '%s', ref '%s'", s,
                      p, sc, out, ref);
            ERR_POISON(err);
            CHECK("fmt-decimal",
                  decimal_canonical(out, p, sc, out2, sizeof out2, &err) == CH_OK &&
                      strcmp(out, out2) == 0,
                  "decimal '%s' (%d,%d) is not its own canonical form", out, p, sc);
            if (p > 0)
                CHECK("fmt-decimal", decimal_scale_of(out) == sc, "'%s' has scale %d, not %d", out,
                      decimal_scale_of(out), sc);
        }
        memset(tiny, CANARY, sizeof tiny);
        rc = decimal_canonical(s, p, sc, tiny, small, &err);
        check_canary(tiny, small, sizeof tiny, "decimal_canonical");
    }

    (void)json_valid((const char *)raw, raw_len);
    (void)json_valid(s, len);

    {
        col_type t;
        int tp, ts;
        char name[64];
        ERR_POISON(err);
        rc = type_parse(s, &t, &tp, &ts, &err);
        check_err(rc, &err, "type_parse");
        if (rc == CH_OK) {
            col_type t2;
            int tp2, ts2;
            type_format(t, tp, ts, name, sizeof name);
            CHECK("type-format",
                  type_parse(name, &t2, &tp2, &ts2, &err) == CH_OK && t2 == t && tp2 == tp &&
                      ts2 == ts,
                  "'%s' parsed and formatted as '%s' does not parse back", s, name);
            CHECK("type-format", t >= T_BOOLEAN && t <= T_JSON, "type %d", (int)t);
            if (t == T_DECIMAL)
                CHECK("type-format", tp >= 1 && tp <= DECIMAL_MAX_PRECISION && ts >= 0 && ts <= tp,
                      "'%s' gave DECIMAL(%d,%d)", s, tp, ts);
        }
    }
}

/* ---- value.h -------------------------------------------------------------- */

static int same_value(const value *a, const value *b)
{
    if (a->type != b->type)
        return 0;
    switch (a->type == T_NONE ? S_INTEGER : type_storage(a->type)) {
    case S_INTEGER:
        return a->type == T_NONE || a->i == b->i;
    case S_REAL:
        return memcmp(&a->d, &b->d, sizeof a->d) == 0;
    default:
        return a->len == b->len && (a->len == 0 || memcmp(a->ptr, b->ptr, a->len) == 0);
    }
}

static const char *show(const value *v, char *buf, size_t size)
{
    return value_describe(v, buf, size);
}

static int convert(const value *in, col_type t, int p, int s, value *out, ch_error *err)
{
    int rc;
    ERR_POISON(*err);
    rc = value_convert(in, t, p, s, out, err);
    CHECK("value-rc", rc == CH_OK || rc == CH_ERROR, "value_convert returned %d", rc);
    CHECK("value-err", ERR_TERMINATED(*err), "message not NUL-terminated");
    if (rc != CH_OK)
        CHECK("value-err", err->msg[0] != '\0', "failure without a message");
    return rc;
}

static void check_convert(const value *in, int realistic, col_type t, int p, int s)
{
    value out = {0}, again = {0}, str = {0}, back = {0};
    char a[128], b[128], tn[32], canon[OUT_SIZE];
    ch_error err;
    int rc = convert(in, t, p, s, &out, &err);

    type_format(t, p, s, tn, sizeof tn);
    /* Reference outcomes that do not depend on value.c. */
    if (realistic && in->type == T_STRING && (t == T_SHORT || t == T_INT || t == T_LONG)) {
        int64_t lo = t == T_SHORT ? INT16_MIN : t == T_INT ? INT32_MIN : INT64_MIN;
        int64_t hi = t == T_SHORT ? INT16_MAX : t == T_INT ? INT32_MAX : INT64_MAX, v = 0;
        int want = ref_int(in->ptr, lo, hi, &v);
        CHECK("value-int-syntax", (rc == CH_OK) == want, "STRING \"%s\" -> %s: %s, reference %s",
              in->ptr, tn, rc == CH_OK ? "accepted" : "refused", want ? "accepts" : "refuses");
        if (rc == CH_OK && want)
            CHECK("value-int-syntax", out.i == v, "STRING \"%s\" -> %s gave %lld", in->ptr, tn,
                  (long long)out.i);
    }
    if (realistic && t == T_DECIMAL &&
        (in->type == T_STRING || in->type == T_DECIMAL || in->type == T_SHORT ||
         in->type == T_INT || in->type == T_LONG) &&
        (in->type != T_STRING && in->type != T_DECIMAL ? 1 : strlen(in->ptr) < OUT_SIZE - 8)) {
        char text[32];
        const char *src = in->ptr;
        int p0_only, want;
        if (in->type != T_STRING && in->type != T_DECIMAL) {
            snprintf(text, sizeof text, "%lld", (long long)in->i);
            src = text;
        }
        want = ref_decimal(src, p, s, canon, &p0_only);
        CHECK("value-decimal", (rc == CH_OK) == want, "%s -> %s: %s, reference %s",
              show(in, a, sizeof a), tn, rc == CH_OK ? "accepted" : "refused",
              want ? canon : "refuses");
        if (rc == CH_OK && want)
            CHECK("value-decimal", strcmp(out.ptr, canon) == 0, "%s -> %s gave '%s', ref '%s'",
                  show(in, a, sizeof a), tn, out.ptr, canon);
    }
    if (realistic && in->type == T_DECIMAL && (t == T_DOUBLE || t == T_FLOAT)) {
        double d;
        int want = ref_decimal_to_double(in->ptr, &d);
        if (t == T_FLOAT)
            want = want && (double)(float)d == d;
        /* Trailing fraction zeros ("1.50") get their own id: a separate question. */
        int zeros = strchr(in->ptr, '.') && in->ptr[strlen(in->ptr) - 1] == '0';
        CHECK(rc != CH_OK && want && zeros ? "value-decimal-double-zeros" : "value-decimal-double",
              (rc == CH_OK) == want, "DECIMAL \"%s\" -> %s: %s, reference %s (%.17g)", in->ptr, tn,
              rc == CH_OK ? "accepted" : "refused", want ? "accepts" : "refuses", d);
        if (rc == CH_OK && want)
            CHECK("value-decimal-double", out.d == d, "DECIMAL \"%s\" -> %.17g", in->ptr, out.d);
    }
    if (rc != CH_OK)
        goto done;

    if (in->type == T_NONE) {
        CHECK("value-shape", out.type == T_NONE, "NULL converted to type %d", (int)out.type);
        goto done;
    }
    CHECK("value-shape", out.type == t, "converted to %s but got type %s", tn, type_name(out.type));
    if (type_storage(t) == S_TEXT || type_storage(t) == S_BLOB) {
        CHECK("value-shape", out.ptr != NULL && out.ptr[out.len] == '\0',
              "%s result is not NUL-terminated at its length %zu", tn, out.len);
        if (realistic && type_storage(t) == S_TEXT)
            CHECK("value-shape", strlen(out.ptr) == out.len, "%s result has a NUL inside", tn);
    }

    if (realistic) {
        ERR_POISON(err);
        switch (t) {
        case T_STRING:
            CHECK("value-utf8", utf8_valid(out.ptr, out.len), "%s -> STRING is not UTF-8",
                  show(in, a, sizeof a));
            break;
        case T_JSON:
            CHECK("value-format", json_valid(out.ptr, out.len), "JSON result is not JSON");
            break;
        case T_NAIVE_DATE:
            CHECK("value-format", date_check(out.ptr, &err) == CH_OK, "%s -> %s gave '%s'",
                  show(in, a, sizeof a), tn, out.ptr);
            break;
        case T_NAIVE_TIME:
            CHECK("value-format",
                  naive_time_canonical(out.ptr, canon, sizeof canon, &err) == CH_OK &&
                      strcmp(canon, out.ptr) == 0,
                  "%s -> %s gave '%s'", show(in, a, sizeof a), tn, out.ptr);
            break;
        case T_NAIVE_DATETIME:
            CHECK("value-format",
                  naive_datetime_canonical(out.ptr, canon, sizeof canon, &err) == CH_OK &&
                      strcmp(canon, out.ptr) == 0,
                  "%s -> %s gave '%s'", show(in, a, sizeof a), tn, out.ptr);
            break;
        case T_UTC_DATETIME:
            CHECK("value-format",
                  out.len > 0 && out.ptr[out.len - 1] == 'Z' &&
                      utc_datetime_canonical(out.ptr, canon, sizeof canon, &err) == CH_OK &&
                      strcmp(canon, out.ptr) == 0,
                  "%s -> %s gave '%s'", show(in, a, sizeof a), tn, out.ptr);
            break;
        case T_DECIMAL:
            CHECK("value-format",
                  decimal_canonical(out.ptr, p, s, canon, sizeof canon, &err) == CH_OK &&
                      strcmp(canon, out.ptr) == 0,
                  "%s -> %s gave '%s'", show(in, a, sizeof a), tn, out.ptr);
            break;
        case T_BOOLEAN:
            CHECK("value-format", out.i == 0 || out.i == 1, "BOOLEAN %lld", (long long)out.i);
            break;
        case T_SHORT:
            CHECK("value-format", out.i >= INT16_MIN && out.i <= INT16_MAX, "SHORT %lld",
                  (long long)out.i);
            break;
        case T_INT:
            CHECK("value-format", out.i >= INT32_MIN && out.i <= INT32_MAX, "INT %lld",
                  (long long)out.i);
            break;
        case T_FLOAT:
            CHECK("value-format", isinf(out.d) || (double)(float)out.d == out.d,
                  "FLOAT %.17g is not a float", out.d);
            break;
        default:
            break;
        }
    }

    /* Idempotence: the result converts to its own type unchanged. */
    rc = convert(&out, t, p, s, &again, &err);
    CHECK("value-idempotent", rc == CH_OK && same_value(&out, &again),
          "%s -> %s gave %s, which converts again to %s (%s)", show(in, a, sizeof a), tn,
          show(&out, b, sizeof b), rc == CH_OK ? show(&again, canon, 64) : "an error",
          rc == CH_OK ? "" : err.msg);

    /* Through text and back, for the types that come back from STRING. */
    if (realistic && t != T_BOOLEAN && t != T_FLOAT && t != T_BINARY && t != T_STRING &&
        !(t == T_DOUBLE && (isnan(out.d) || fpclassify(out.d) == FP_SUBNORMAL))) {
        rc = convert(&out, T_STRING, 0, 0, &str, &err);
        CHECK("value-string-roundtrip", rc == CH_OK, "%s -> STRING failed: %s",
              show(&out, a, sizeof a), err.msg);
        if (rc == CH_OK) {
            value text = {0};
            /* A fresh copy, as ch_row_set_string would make. */
            value_set_bytes(&text, T_STRING, str.ptr, str.len);
            rc = convert(&text, t, p, s, &back, &err);
            CHECK("value-string-roundtrip", rc == CH_OK && same_value(&out, &back),
                  "%s -> STRING \"%s\" -> %s gives %s", show(&out, a, sizeof a), text.ptr, tn,
                  rc == CH_OK ? show(&back, b, sizeof b) : err.msg);
            value_free(&back);
            value_free(&text);
        }
    }

done:
    value_free(&str);
    value_free(&again);
    value_free(&out);
}

static uint64_t le64(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < 8 && i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int extra[][2] = {{38, 0}, {38, 38}, {10, 2}, {1, 0}, {5, 5}};
    col_type src;
    int precision, scale, realistic = 1;
    const uint8_t *payload;
    size_t plen, small;
    char *text, canon[OUT_SIZE];
    value in = {0};
    ch_error err;

    if (size < 3)
        return 0;
    src = (col_type)(data[0] % 16);
    precision = 1 + data[1] % DECIMAL_MAX_PRECISION;
    scale = data[2] % (precision + 1);
    small = 1 + (size_t)((data[1] ^ data[2]) % 48);
    payload = data + 3;
    plen = size - 3;
    text = fuzz_strndup(payload, plen);

    check_formats(payload, plen, text, precision, scale, small);

    /* The source value, as row.c would store it. */
    switch (src) {
    case T_NONE:
        value_set_null(&in);
        break;
    case T_BOOLEAN:
        in.type = src;
        in.i = plen > 0 && (payload[0] & 1);
        break;
    case T_SHORT:
        in.type = src;
        in.i = (int16_t)le64(payload, plen);
        break;
    case T_INT:
        in.type = src;
        in.i = (int32_t)le64(payload, plen);
        break;
    case T_LONG:
        in.type = src;
        in.i = (int64_t)le64(payload, plen);
        break;
    case T_FLOAT: {
        uint32_t bits = (uint32_t)le64(payload, plen < 4 ? plen : 4);
        float f;
        memcpy(&f, &bits, sizeof f);
        in.type = src;
        in.d = f;
        realistic = !isnan(in.d); /* ch_row_set_float refuses NaN */
        break;
    }
    case T_DOUBLE: {
        uint64_t bits = le64(payload, plen);
        in.type = src;
        memcpy(&in.d, &bits, sizeof in.d);
        realistic = !isnan(in.d);
        break;
    }
    case T_BINARY:
        value_set_bytes(&in, T_BINARY, payload, plen);
        break;
    default: {
        size_t len = strlen(text);
        int ok = utf8_valid(text, len);
        value_set_bytes(&in, src, text, len);
        ERR_POISON(err);
        switch (src) {
        case T_DECIMAL:
            if (decimal_canonical(text, 0, 0, canon, DECIMAL_MAX_PRECISION + 8, &err) == CH_OK)
                value_set_bytes(&in, src, canon, strlen(canon));
            else
                ok = 0;
            break;
        case T_NAIVE_DATE:
            ok = ok && date_check(text, &err) == CH_OK;
            break;
        case T_NAIVE_TIME:
            if (naive_time_canonical(text, canon, DATETIME_TEXT_MAX, &err) == CH_OK)
                value_set_bytes(&in, src, canon, strlen(canon));
            else
                ok = 0;
            break;
        case T_NAIVE_DATETIME:
            if (naive_datetime_canonical(text, canon, DATETIME_TEXT_MAX, &err) == CH_OK)
                value_set_bytes(&in, src, canon, strlen(canon));
            else
                ok = 0;
            break;
        case T_UTC_DATETIME:
            if (utc_datetime_canonical(text, canon, DATETIME_TEXT_MAX, &err) == CH_OK)
                value_set_bytes(&in, src, canon, strlen(canon));
            else
                ok = 0;
            break;
        case T_JSON:
            ok = ok && json_valid(text, len);
            break;
        default:
            break;
        }
        realistic = ok;
        break;
    }
    }

    for (int t = T_BOOLEAN; t <= T_JSON; t++) {
        check_convert(&in, realistic, (col_type)t, precision, scale);
        if (t == T_DECIMAL)
            for (size_t k = 0; k < sizeof extra / sizeof extra[0]; k++)
                check_convert(&in, realistic, T_DECIMAL, extra[k][0], extra[k][1]);
    }

    {
        char buf[16];
        value_describe(&in, buf, sizeof buf);
        value_describe(&in, buf, 1);
    }

    value_free(&in);
    free(text);
    return 0;
}

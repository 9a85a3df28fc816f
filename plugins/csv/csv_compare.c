/* csv_compare.c - ordering cursor values: exact decimal numbers, else UTF-8 bytes. */
#include "csv_compare.h"

#include <string.h>

/* Parses a plain decimal number: sign, digits, optional fraction. 0 when the text is one. */
static int decimal_parts(const char *t, int *neg, const char **ip, size_t *il, const char **fp,
                         size_t *fl)
{
    *neg = *t == '-';
    if (*t == '-' || *t == '+')
        t++;
    *ip = t;
    while (*t >= '0' && *t <= '9')
        t++;
    *il = (size_t)(t - *ip);
    *fp = t;
    *fl = 0;
    if (*t == '.') {
        *fp = ++t;
        while (*t >= '0' && *t <= '9')
            t++;
        *fl = (size_t)(t - *fp);
    }
    if (*t != '\0' || *il + *fl == 0)
        return -1;
    while (*il > 0 && **ip == '0') /* leading zeros say nothing */
        (*ip)++, (*il)--;
    while (*fl > 0 && (*fp)[*fl - 1] == '0') /* nor do trailing ones */
        (*fl)--;
    if (*il == 0 && *fl == 0)
        *neg = 0; /* -0 is 0 */
    return 0;
}

int csv_compare(const char *a, const char *b)
{
    int an, bn, c;
    const char *ai, *af, *bi, *bf;
    size_t ail, afl, bil, bfl;
    if (decimal_parts(a, &an, &ai, &ail, &af, &afl) != 0 ||
        decimal_parts(b, &bn, &bi, &bil, &bf, &bfl) != 0)
        return strcmp(a, b);
    if (an != bn)
        return an ? -1 : 1;
    if (ail != bil)
        c = ail < bil ? -1 : 1;
    else if ((c = memcmp(ai, bi, ail)) == 0) {
        size_t n = afl < bfl ? afl : bfl;
        if ((c = memcmp(af, bf, n)) == 0)
            c = afl == bfl ? 0 : afl < bfl ? -1 : 1;
    }
    return an ? -c : c;
}

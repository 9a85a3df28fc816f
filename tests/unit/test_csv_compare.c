/* test_csv_compare.c - the csv connector's cursor order: exact numbers, else bytes. */
#include "csv_compare.h"
#include "tap.h"

static int sign(int v)
{
    return (v > 0) - (v < 0);
}

/* Checks a < b, b > a, and that each equals itself. */
#define before(a, b)                                                                               \
    ok(sign(csv_compare(a, b)) == -1 && sign(csv_compare(b, a)) == 1 && csv_compare(a, a) == 0,    \
       "'%s' < '%s'", a, b)
#define same(a, b) ok(csv_compare(a, b) == 0 && csv_compare(b, a) == 0, "'%s' = '%s'", a, b)

int main(void)
{
    before("9", "10");
    before("2", "11");
    before("-10", "-9");
    before("-1", "0");
    before("-0.5", "0.25");
    before("1.5", "1.55");
    before("0.9", "1");
    before(".5", "1");
    before("99999999999999999998", "99999999999999999999");
    before("9007199254740992", "9007199254740993");
    same("1.50", "1.5");
    same("007", "7");
    same("-0", "0");
    same("+3", "3");
    same("1.", "1");
    same("0.0", "-0.000");
    /* Not both plain numbers: bytes. */
    before("10", "9a");
    before("1e3", "2");
    before("", "0");
    before("", "a");
    before("2026-01-09T00:00:00Z", "2026-01-10T09:00:00Z");
    before("2026-01-10", "2026-01-10T00:00:00Z");
    before("Zebra", "apple");
    before("apple", "\xc3\xa9t\xc3\xa9");
    before("-", "0");
    before(".", "0");
    return tap_done();
}

/*
 * names.c - the destination's spelling of table and column names: the rule
 * of Fivetran's Connector SDK (SPEC "Table and column names"), and the
 * rule the host used before it, by which existing warehouses are named.
 */
#include "names.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"

/*
 * ASCII spellings of the letters U+00C0..U+017F (Latin-1 Supplement
 * letters and Latin Extended-A): the base letter without its diacritic,
 * ligatures and letters without a base letter spelled out (ß as ss, Æ as
 * AE, Þ as TH). A capital stays a capital, so that a word still starts at
 * it. NULL for the two signs in the block (× and ÷), which are not letters.
 */
/* clang-format off */
static const char *const latin[0x180 - 0xC0] = { /* a row per 16 code points */
    /* U+00C0 */ "A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I", "I",
    /* U+00D0 */ "D", "N", "O", "O", "O", "O", "O", NULL, "O", "U", "U", "U", "U", "Y", "TH", "ss",
    /* U+00E0 */ "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    /* U+00F0 */ "d", "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u", "u", "y", "th", "y",
    /* U+0100 */ "A", "a", "A", "a", "A", "a", "C", "c", "C", "c", "C", "c", "C", "c", "D", "d",
    /* U+0110 */ "D", "d", "E", "e", "E", "e", "E", "e", "E", "e", "E", "e", "G", "g", "G", "g",
    /* U+0120 */ "G", "g", "G", "g", "H", "h", "H", "h", "I", "i", "I", "i", "I", "i", "I", "i",
    /* U+0130 */ "I", "i", "IJ", "ij", "J", "j", "K", "k", "q", "L", "l", "L", "l", "L", "l", "L",
    /* U+0140 */ "l", "L", "l", "N", "n", "N", "n", "N", "n", "n", "NG", "ng", "O", "o", "O", "o",
    /* U+0150 */ "O", "o", "OE", "oe", "R", "r", "R", "r", "R", "r", "S", "s", "S", "s", "S", "s",
    /* U+0160 */ "S", "s", "T", "t", "T", "t", "T", "t", "U", "u", "U", "u", "U", "u", "U", "u",
    /* U+0170 */ "U", "u", "U", "u", "W", "w", "Y", "y", "Y", "Z", "z", "Z", "z", "Z", "z", "s",
};
/* clang-format on */

/*
 * The ASCII letters that stand for the character at p (n bytes long, n > 0):
 * itself for an ASCII letter or digit, its transliteration, or "_" for
 * anything else, including bytes that are not UTF-8.
 */
static const char *spell(const unsigned char *p, size_t n, char *one)
{
    if (*p < 0x80) {
        one[0] = isalnum(*p) ? (char)*p : '_';
        one[1] = '\0';
        return one;
    }
    if (n == 2) {
        unsigned cp = ((p[0] & 0x1Fu) << 6) | (p[1] & 0x3Fu);
        if (cp >= 0xC0 && cp < 0x180 && latin[cp - 0xC0])
            return latin[cp - 0xC0];
    }
    return "_";
}

/* True when a new word starts at c after prev: lower to upper case, or letter to digit or back. */
static int word_starts(int prev, int c)
{
    return (islower(prev) && isupper(c)) || (isalpha(prev) && isdigit(c)) ||
           (isdigit(prev) && isalpha(c));
}

char *normalize_name(const char *name, name_kind kind)
{
    size_t len = strlen(name), n = 0, at = 0;
    /* each byte gives at most two characters (a '_' before it); a two-byte letter at most three */
    char *out = malloc(2 * len + 2);
    int prev = 0;
    if (out == NULL)
        return NULL;
    while (at < len) {
        const unsigned char *p = (const unsigned char *)name + at;
        size_t seq = utf8_sequence(name + at, len - at);
        char one[2];
        if (seq == 0)
            seq = 1; /* a byte that is no UTF-8: one '_' */
        for (const char *s = spell(p, seq, one); *s; s++) {
            if (*s != '_' && word_starts(prev, (unsigned char)*s))
                out[n++] = '_';
            if (*s != '_' || n == 0 || out[n - 1] != '_')
                out[n++] = (char)tolower((unsigned char)*s);
            prev = (unsigned char)*s;
        }
        at += seq;
    }
    out[n] = '\0';
    /*
     * Table names lose their leading '_' when a letter follows (the collapse
     * left at most one). Every character is now a word character, so the
     * SDK's last step, a '_' before a name that starts otherwise, has
     * nothing left to do.
     */
    if (kind == NAME_TABLE && out[0] == '_' && isalpha((unsigned char)out[1]))
        memmove(out, out + 1, n);
    return out;
}

char *normalize_name_v1(const char *name)
{
    size_t len = strlen(name), n = 0;
    char *out = malloc(len + 2);
    const unsigned char *p = (const unsigned char *)name;
    if (out == NULL)
        return NULL;
    if (isdigit(*p))
        out[n++] = '_';
    for (; *p; p++) {
        if ((*p & 0xC0) == 0x80)
            continue; /* one '_' per multi-byte character, written at its lead byte */
        if (isalnum(*p) && *p < 0x80)
            out[n++] = (char)tolower(*p);
        else
            out[n++] = '_';
    }
    out[n] = '\0';
    return out;
}

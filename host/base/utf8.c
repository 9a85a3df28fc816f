/* utf8.c - UTF-8 checked exactly, and text quoted safely for messages. */
#include "utf8.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

size_t utf8_sequence(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned char c = s[0];
    size_t need;
    unsigned int cp;
    if (len == 0)
        return 0;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (len <= need)
        return 0;
    for (size_t k = 1; k <= need; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[k] & 0x3F);
    }
    if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return need + 1;
}

const char *text_quote(const char *s, size_t len, char *out, size_t size)
{
    static const char hex[] = "0123456789abcdef";
    size_t i = 0, n = 0, shown = 0;
    if (size < 8) {
        if (size)
            out[0] = '\0';
        return out;
    }
    out[n++] = '\'';
    while (i < len && shown < 60 && n + 8 < size) {
        size_t k = utf8_sequence(s + i, len - i);
        if (k == 0 || (unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
            out[n++] = '\\';
            out[n++] = 'x';
            out[n++] = hex[(unsigned char)s[i] >> 4];
            out[n++] = hex[(unsigned char)s[i] & 15];
            i++;
        } else {
            memcpy(out + n, s + i, k);
            n += k;
            i += k;
        }
        shown++;
    }
    out[n++] = '\'';
    if (i < len && n + 4 < size) {
        memcpy(out + n, "...", 3);
        n += 3;
    }
    out[n] = '\0';
    return out;
}

int utf8_valid_mixed(const char *str, size_t len)
{
    size_t i = 0;
    while (i < len) {
        size_t n;
        uint64_t word;
        /* ASCII runs between the other characters, eight bytes at a time */
        while (i + 8 <= len && (memcpy(&word, str + i, 8), (word & 0x8080808080808080ULL) == 0))
            i += 8;
        while (i < len && (unsigned char)str[i] < 0x80)
            i++;
        if (i == len)
            break;
        n = utf8_sequence(str + i, len - i);
        if (n == 0)
            return 0;
        i += n;
    }
    return 1;
}

const char *text_cut(const char *s, size_t max, char *out, size_t size)
{
    size_t len = strlen(s), keep = max;
    if (len <= max)
        return s;
    if (keep + 32 > size)
        keep = size > 32 ? size - 32 : 0;
    while (keep > 0 && ((unsigned char)s[keep] & 0xC0) == 0x80)
        keep--; /* not inside a sequence */
    snprintf(out, size, "%.*s... (%zu bytes)", (int)keep, s, len);
    return out;
}

/* utf8.h - UTF-8 validation, and quoting arbitrary bytes for error messages. */
#ifndef HOST_UTF8_H
#define HOST_UTF8_H

#include <stddef.h>
#include <stdint.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Length of the well-formed UTF-8 sequence that starts the bytes; 0 if none. */
size_t utf8_sequence(const char *s, size_t len);

/*
 * Writes text for an error message: quoted, bytes that are not printable
 * UTF-8 as \xNN, cut with "..." after about 60 characters.
 */
const char *text_quote(const char *s, size_t len, char *out, size_t size);

/*
 * The text for a log line: itself when it has at most max bytes, else its
 * first max bytes (cut where a UTF-8 sequence starts) and "... (N bytes)",
 * written into out (size > max + 32).
 */
const char *text_cut(const char *s, size_t max, char *out, size_t size);

/* utf8_valid() for text that is not all ASCII. */
int utf8_valid_mixed(const char *s, size_t len);

/*
 * True when the bytes are well-formed UTF-8 (no overlongs, no surrogates).
 * Inline: text that is all ASCII, most of it, is checked sixteen bytes a
 * step (the last few read in one load that overlaps the step before)
 * without a call; every text value of every operation is checked.
 */
static inline int utf8_valid(const char *s, size_t len)
{
#if defined(__SSE2__)
    if (len >= 16) {
        __m128i acc = _mm_loadu_si128((const __m128i *)(const void *)(s + len - 16));
        for (size_t i = 0; i + 16 < len; i += 16)
            acc = _mm_or_si128(acc, _mm_loadu_si128((const __m128i *)(const void *)(s + i)));
        return _mm_movemask_epi8(acc) == 0 || utf8_valid_mixed(s, len);
    }
#endif
    uint64_t acc = 0, a, b;
    size_t i = 0;
    if (len < 8) {
        for (; i < len; i++)
            acc |= (unsigned char)s[i];
        return (acc & 0x80) == 0 || utf8_valid_mixed(s, len);
    }
    for (; i + 16 <= len; i += 16) {
        __builtin_memcpy(&a, s + i, 8);
        __builtin_memcpy(&b, s + i + 8, 8);
        acc |= a | b;
    }
    if (i + 8 <= len) {
        __builtin_memcpy(&a, s + i, 8);
        acc |= a;
        i += 8;
    }
    if (i < len) {
        __builtin_memcpy(&a, s + len - 8, 8);
        acc |= a;
    }
    return (acc & 0x8080808080808080ULL) == 0 || utf8_valid_mixed(s, len);
}

#endif

/* utf8.h - UTF-8 validation, and quoting arbitrary bytes for error messages. */
#ifndef HOST_UTF8_H
#define HOST_UTF8_H

#include <stddef.h>

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

/* True when the bytes are well-formed UTF-8 (no overlongs, no surrogates). */
int utf8_valid(const char *s, size_t len);

#endif

/* fuzz_common.h - invariant checks shared by the libFuzzer targets. */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * CHECK(id, condition, printf-style detail): aborts with a message naming the
 * invariant when the condition is false. Every invariant has a short id; an id
 * listed in the environment variable FUZZ_ALLOW (comma or space separated) is
 * reported once on stderr and otherwise ignored, so that a known, not yet
 * fixed bug does not stop the fuzzer from looking for the next one.
 */
static int fuzz_allowed(const char *id)
{
    static const char *allow;
    static int loaded;
    const char *p;
    size_t n = strlen(id);
    if (!loaded) {
        allow = getenv("FUZZ_ALLOW");
        loaded = 1;
    }
    if (allow == NULL)
        return 0;
    for (p = allow; (p = strstr(p, id)) != NULL; p += n) {
        int starts = p == allow || p[-1] == ',' || p[-1] == ' ';
        int ends = p[n] == '\0' || p[n] == ',' || p[n] == ' ';
        if (starts && ends)
            return 1;
    }
    return 0;
}

static void fuzz_fail(const char *id, const char *file, int line, const char *cond,
                      const char *detail)
{
    static char warned[64][40];
    static int nwarned;
    if (fuzz_allowed(id)) {
        for (int i = 0; i < nwarned; i++)
            if (strcmp(warned[i], id) == 0)
                return;
        if (nwarned < 64) {
            snprintf(warned[nwarned++], sizeof warned[0], "%s", id);
            fprintf(stderr, "fuzz: invariant [%s] violated but allowed by FUZZ_ALLOW: %s\n",
                    id, detail);
        }
        return;
    }
    fprintf(stderr, "\nINVARIANT VIOLATED [%s] at %s:%d: %s\n  %s\n", id, file, line, cond,
            detail);
    abort();
}

#define CHECK(id, cond, ...)                                                                   \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            char fuzz_detail_[2048];                                                           \
            snprintf(fuzz_detail_, sizeof fuzz_detail_, __VA_ARGS__);                          \
            fuzz_fail(id, __FILE__, __LINE__, #cond, fuzz_detail_);                            \
        }                                                                                      \
    } while (0)

/* A NUL-terminated copy of the fuzzer's bytes (libFuzzer's buffer has none). */
static char *fuzz_strndup(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (s == NULL)
        abort();
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* True when the error message has a NUL inside its buffer. */
#define ERR_TERMINATED(e) (memchr((e).msg, '\0', sizeof (e).msg) != NULL)

/* Fills an error with non-NUL garbage, so a failure that sets no message shows. */
#define ERR_POISON(e) memset((e).msg, 'A', sizeof (e).msg)

#endif

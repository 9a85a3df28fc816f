/* tap.h - minimal TAP output for the unit tests: `ok N - name` lines and a plan. */
#ifndef TESTS_TAP_H
#define TESTS_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

/* Reports one check; prints the details of a failure as TAP comments. */
#define ok(cond, ...)                                                                              \
    do {                                                                                           \
        int ok_ = (cond) ? 1 : 0;                                                                  \
        printf("%sok %d - ", ok_ ? "" : "not ", ++tap_count);                                      \
        printf(__VA_ARGS__);                                                                       \
        printf("\n");                                                                              \
        if (!ok_) {                                                                                \
            tap_failed++;                                                                          \
            printf("#   failed at %s:%d: %s\n", __FILE__, __LINE__, #cond);                        \
        }                                                                                          \
    } while (0)

/* Checks two strings are equal, showing both when not. */
#define is_str(got, want, ...)                                                                     \
    do {                                                                                           \
        const char *got_ = (got), *want_ = (want);                                                 \
        ok(got_ &&want_ &&strcmp(got_, want_) == 0, __VA_ARGS__);                                  \
        if (!(got_ && want_ && strcmp(got_, want_) == 0))                                          \
            printf("#   got:  '%s'\n#   want: '%s'\n", got_ ? got_ : "(null)",                     \
                   want_ ? want_ : "(null)");                                                      \
    } while (0)

/* Checks that the text contains the fragment. */
#define has_str(text, fragment, ...)                                                               \
    do {                                                                                           \
        const char *t_ = (text), *f_ = (fragment);                                                 \
        ok(t_ &&strstr(t_, f_) != NULL, __VA_ARGS__);                                              \
        if (!(t_ && strstr(t_, f_)))                                                               \
            printf("#   text: '%s'\n#   lacks: '%s'\n", t_ ? t_ : "(null)", f_);                   \
    } while (0)

/* Prints the plan and returns the exit status. */
static inline int tap_done(void)
{
    printf("1..%d\n", tap_count);
    return tap_failed ? 1 : 0;
}

#endif

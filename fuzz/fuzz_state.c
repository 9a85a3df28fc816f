/*
 * fuzz_state.c - libFuzzer target for the connector state (host/sync/state.c).
 *
 * Input: JSON text for state_replace, optionally followed by a 0xFF byte and
 * commands for state_set_string: KEY 0xFF VALUE 0xFF KEY 0xFF VALUE ... (the
 * first 16 are used)
 * (0xFF never occurs in UTF-8, so it cannot be part of valid JSON text.)
 *
 * Invariants (see fuzz/README.md for the ids):
 *   state-rc         results are CH_OK or CH_ERROR
 *   state-err        a failed state_replace leaves a NUL-terminated message
 *                    starting with "fuzz" and the state unchanged
 *   state-json       after a successful state_replace or state_set_string,
 *                    state_json is not NULL (NULL means out of memory only)
 *                    and is a valid JSON object
 *   state-deep       the same as state-json and state-get, for a state that nests
 *                    128 or more levels deep (yajl_gen's YAJL_MAX_DEPTH): such a
 *                    state is accepted but cannot be written back
 *   state-roundtrip  state_json's text, given to state_replace on a fresh
 *                    state, is accepted and gives a byte-identical state_json;
 *                    replacing a state with its own JSON changes nothing
 *   state-utf8       state_json's text is valid UTF-8 by the host's own rule
 *                    (utf8_valid), which ch_state_set applies to keys and values
 *   state-get        state_get finds every top-level key of the parsed object
 *                    (a string's text, other values as valid JSON), and after
 *                    state_set_string(k, v) returns v, also after a round trip
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "contract/formats.h"
#include "fuzz_common.h"
#include "sync/state.h"

/* Nesting deeper than yajl_gen writes (YAJL_MAX_DEPTH): reported as state-deep. */
static int deep;

/* Deepest nesting of [ and { in JSON text, outside strings (no recursion). */
static size_t max_depth(const char *s, size_t len)
{
    size_t depth = 0, max = 0;
    int in_string = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = 0;
        } else if (c == '"') {
            in_string = 1;
        } else if (c == '[' || c == '{') {
            if (++depth > max)
                max = depth;
        } else if ((c == ']' || c == '}') && depth > 0) {
            depth--;
        }
    }
    return max;
}

static char *dup_or_die(const char *s)
{
    char *d = strdup(s);
    if (d == NULL)
        abort();
    return d;
}

/* state_json must be there, valid, and survive a trip through a fresh state. */
static const char *check_json(state *s, const char *when)
{
    const char *j = state_json(s);
    state *fresh;
    ch_error err;
    int rc;
    CHECK(deep ? "state-deep" : "state-json", j != NULL,
          "state_json returned NULL %s%s", when,
          deep ? " (the state nests deeper than YAJL_MAX_DEPTH, 128)" : "");
    if (j == NULL)
        return NULL;
    CHECK("state-json", j[0] == '{' && json_valid(j, strlen(j)), "state_json %s is %s", when, j);
    CHECK("state-json", state_json(s) == j, "state_json not stable %s", when);
    CHECK("state-utf8", utf8_valid(j, strlen(j)), "state_json %s is not valid UTF-8: %s", when, j);

    fresh = state_new();
    if (fresh == NULL)
        abort();
    rc = state_replace(fresh, j, strlen(j), "fuzz", &err);
    CHECK("state-roundtrip", rc == CH_OK, "state_json %s (%s) is refused: %s", when, j, err.msg);
    if (rc == CH_OK) {
        const char *j2 = state_json(fresh);
        CHECK("state-roundtrip", j2 != NULL && strcmp(j, j2) == 0,
              "round trip %s changes\n  %s\n  into\n  %s", when, j, j2 ? j2 : "(NULL)");
    }
    state_free(fresh);
    return j;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *sep = memchr(data, 0xFF, size);
    size_t json_len = sep ? (size_t)(sep - data) : size;
    char *text = fuzz_strndup(data, json_len);
    state *s = state_new();
    char *before;
    ch_error err;
    int rc;

    if (s == NULL)
        abort();
    CHECK("state-rc", state_set_string(s, "pre", "existing") == CH_OK, "set on empty state");
    before = dup_or_die(state_json(s));

    deep = max_depth(text, json_len) >= YAJL_MAX_DEPTH;
    ERR_POISON(err);
    rc = state_replace(s, text, json_len, "fuzz", &err);
    CHECK("state-rc", rc == CH_OK || rc == CH_ERROR, "rc=%d", rc);
    if (rc != CH_OK) {
        const char *after;
        CHECK("state-err", ERR_TERMINATED(err), "message not NUL-terminated");
        CHECK("state-err", strncmp(err.msg, "fuzz", 4) == 0, "message '%s'", err.msg);
        after = state_json(s);
        CHECK("state-err", after && strcmp(after, before) == 0,
              "failed state_replace changed the state to %s", after ? after : "(NULL)");
    } else {
        const char *j;
        CHECK("state-get", s->root != NULL && s->root->type == yajl_t_object, "no object root");
        for (size_t i = 0; s->root && i < s->root->u.object.len; i++) {
            const char *key = s->root->u.object.keys[i];
            yajl_val v = s->root->u.object.values[i];
            const char *got = state_get(s, key);
            CHECK(deep ? "state-deep" : "state-get", got != NULL,
                  "state_get(\"%s\") is NULL for a present key%s", key,
                  deep ? " (its value nests deeper than YAJL_MAX_DEPTH, 128)" : "");
            if (got == NULL)
                continue;
            /* With a repeated key the last value wins; check only the last one. */
            int last = 1;
            for (size_t k = i + 1; k < s->root->u.object.len; k++)
                if (strcmp(s->root->u.object.keys[k], key) == 0)
                    last = 0;
            if (!last)
                continue;
            if (YAJL_IS_STRING(v))
                CHECK("state-get", strcmp(got, v->u.string) == 0, "string of \"%s\" differs",
                      key);
            else
                CHECK("state-get", json_valid(got, strlen(got)), "state_get(\"%s\") gave %s", key,
                      got);
        }
        j = check_json(s, "after state_replace");
        if (j != NULL) {
            /* Replacing the state with its own JSON must change nothing. */
            char *copy = dup_or_die(j);
            rc = state_replace(s, copy, strlen(copy), "fuzz", &err);
            CHECK("state-roundtrip", rc == CH_OK, "own JSON refused: %s", err.msg);
            j = state_json(s);
            CHECK("state-roundtrip", j != NULL && strcmp(j, copy) == 0,
                  "replacing with own JSON changed %s", copy);
            free(copy);
        }
    }

    /* The commands after the first 0xFF: KEY 0xFF VALUE pairs. */
    if (sep != NULL) {
        const uint8_t *p = sep + 1, *end = data + size;
        int commands = 0;
        /* Each command re-checks the whole state: a few keep the fuzzer fast. */
        while (p < end && commands++ < 16) {
            const uint8_t *k_end = memchr(p, 0xFF, (size_t)(end - p));
            const uint8_t *v_start, *v_end;
            char *key, *val;
            if (k_end == NULL)
                k_end = end;
            v_start = k_end < end ? k_end + 1 : end;
            v_end = memchr(v_start, 0xFF, (size_t)(end - v_start));
            if (v_end == NULL)
                v_end = end;
            key = fuzz_strndup(p, (size_t)(k_end - p));
            val = fuzz_strndup(v_start, (size_t)(v_end - v_start));
            /* ch_state_set passes C strings that are valid UTF-8. */
            if (utf8_valid(key, strlen(key)) && utf8_valid(val, strlen(val))) {
                const char *got, *j;
                rc = state_set_string(s, key, val);
                CHECK("state-rc", rc == CH_OK, "state_set_string failed");
                got = state_get(s, key);
                CHECK("state-get", got != NULL && strcmp(got, val) == 0,
                      "state_get after state_set_string(\"%s\", \"%s\") gave \"%s\"", key, val,
                      got ? got : "(NULL)");
                j = check_json(s, "after state_set_string");
                if (j != NULL) {
                    state *fresh = state_new();
                    if (fresh == NULL)
                        abort();
                    if (state_replace(fresh, j, strlen(j), "fuzz", &err) == CH_OK) {
                        got = state_get(fresh, key);
                        CHECK("state-get", got != NULL && strcmp(got, val) == 0,
                              "value of \"%s\" lost in state_json: \"%s\" became \"%s\"", key,
                              val, got ? got : "(NULL)");
                    }
                    state_free(fresh);
                }
            }
            free(key);
            free(val);
            p = v_end < end ? v_end + 1 : end;
        }
    }

    /* A fixed key too, whatever the input: set, read back, write out. */
    {
        static const char fixed[] = "2024-01-01T00:00:00Z \"q\" \\ \xc3\xa9";
        const char *got;
        CHECK("state-rc", state_set_string(s, "cursor", fixed) == CH_OK, "set cursor");
        got = state_get(s, "cursor");
        CHECK("state-get", got != NULL && strcmp(got, fixed) == 0, "cursor reads \"%s\"",
              got ? got : "(NULL)");
        check_json(s, "after setting cursor");
    }

    free(before);
    free(text);
    state_free(s);
    return 0;
}

/*
 * fuzz_config.c - libFuzzer target for config_parse (configuration.json: a
 * flat JSON object of string values).
 *
 * Invariants (see fuzz/README.md for the ids):
 *   config-rc         the result is CH_OK or CH_ERROR
 *   config-err        a failure leaves a NUL-terminated message that starts with
 *                     the name given ("fuzz:"), and does not set *out
 *   config-err-position  a "fuzz:LINE:COL:" message points inside the text or
 *                     just past the end of its line
 *   config-shape      success gives a configuration whose keys and values are
 *                     NUL-terminated strings, from text that is valid JSON
 *                     (for yajl) and starts (after blanks) with '{'
 *   config-utf8       keys and values are valid UTF-8 by the host's own rule
 *                     (utf8_valid), which ch_state_set and the row setters apply
 *   config-dup-key    no two keys are equal as C strings (the parser refuses
 *                     duplicates), so ch_config_get(key) finds each key's value
 *   config-roundtrip  writing the configuration back as JSON and parsing that
 *                     gives the same keys and values in the same order
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "sync/config.h"
#include "contract/formats.h"
#include "fuzz_common.h"

const char *ch_config_get(const ch_config *c, const char *key);

static char *to_json(const config *cfg, size_t *len)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    const unsigned char *buf;
    char *out;
    if (g == NULL)
        abort();
    yajl_gen_map_open(g);
    for (size_t i = 0; i < cfg->count; i++) {
        yajl_gen_string(g, (const unsigned char *)cfg->keys[i], strlen(cfg->keys[i]));
        yajl_gen_string(g, (const unsigned char *)cfg->values[i], strlen(cfg->values[i]));
    }
    yajl_gen_map_close(g);
    if (yajl_gen_get_buf(g, &buf, len) != yajl_gen_status_ok)
        abort();
    out = malloc(*len + 1);
    if (out == NULL)
        abort();
    memcpy(out, buf, *len);
    out[*len] = '\0';
    yajl_gen_free(g);
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_strndup(data, size);
    config *const sentinel = (config *)&sentinel;
    config *cfg = sentinel;
    ch_error err;
    int rc, dup = 0;

    ERR_POISON(err);
    /* Like config_load: the file's bytes and length, NUL-terminated after them. */
    rc = config_parse(text, size, "fuzz", &cfg, &err);
    CHECK("config-rc", rc == CH_OK || rc == CH_ERROR, "rc=%d", rc);
    if (rc != CH_OK) {
        CHECK("config-err", ERR_TERMINATED(err), "error message not NUL-terminated");
        CHECK("config-err", strncmp(err.msg, "fuzz:", 5) == 0, "message '%s'", err.msg);
        CHECK("config-err", cfg == sentinel, "*out set on failure");
        {
            /* "fuzz:LINE:COL: ..." must point inside the text (or just past it). */
            size_t line, col, lines = 1, cols = 1, max_cols = 1;
            if (sscanf(err.msg, "fuzz:%zu:%zu:", &line, &col) == 2) {
                size_t *per_line = calloc(size + 2, sizeof *per_line);
                if (per_line == NULL)
                    abort();
                for (size_t i = 0; i < size; i++) {
                    if (text[i] == '\n') {
                        per_line[lines++] = cols;
                        cols = 1;
                    } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
                        cols++;
                    }
                }
                per_line[lines] = cols;
                if (line >= 1 && line <= lines)
                    max_cols = per_line[line];
                CHECK("config-err-position", line >= 1 && line <= lines && col >= 1 &&
                                                 col <= max_cols,
                      "'%s' for a text of %zu lines", err.msg, lines);
                free(per_line);
            }
        }
        free(text);
        return 0;
    }

    CHECK("config-shape", cfg != NULL && cfg != sentinel, "no configuration on success");
    CHECK("config-shape", json_valid(text, size), "accepted text is not valid JSON");
    CHECK("config-shape", text[strspn(text, " \t\n\v\f\r")] == '{', "accepted text is not an object");
    CHECK("config-shape", cfg->count == 0 || (cfg->keys && cfg->values), "count %zu, no arrays",
          cfg->count);
    for (size_t i = 0; i < cfg->count; i++) {
        const char *k = cfg->keys[i], *v = cfg->values[i];
        CHECK("config-shape", k != NULL && v != NULL, "entry %zu is NULL", i);
        /* strlen runs to the NUL: ASan reports a missing terminator. */
        CHECK("config-shape", strlen(k) < 1u << 30 && strlen(v) < 1u << 30, "entry %zu", i);
        /* The host's own rule for text (utf8_valid: no overlongs, surrogates, > U+10FFFF). */
        CHECK("config-utf8", utf8_valid(k, strlen(k)), "key %zu \"%s\" is not valid UTF-8", i, k);
        CHECK("config-utf8", utf8_valid(v, strlen(v)), "value %zu of \"%s\" is not valid UTF-8",
              i, k);
        for (size_t j = 0; j < i; j++) {
            dup |= strcmp(cfg->keys[j], k) == 0;
            CHECK("config-dup-key", strcmp(cfg->keys[j], k) != 0,
                  "keys %zu and %zu are both \"%s\" (input has a key with \\u0000?)", j, i, k);
        }
        CHECK("config-dup-key", ch_config_get(cfg, k) == v,
              "ch_config_get(\"%s\") does not return entry %zu's value", k, i);
    }

    if (!dup) { /* with equal keys (config-dup-key) the re-parse refuses them */
        size_t len;
        char *again = to_json(cfg, &len);
        config *cfg2 = NULL;
        ch_error err2;
        rc = config_parse(again, len, "fuzz", &cfg2, &err2);
        CHECK("config-roundtrip", rc == CH_OK, "re-parse of %s failed: %s", again, err2.msg);
        if (rc == CH_OK) {
            CHECK("config-roundtrip", cfg2->count == cfg->count, "%zu keys became %zu",
                  cfg->count, cfg2->count);
            for (size_t i = 0; i < cfg->count && i < cfg2->count; i++) {
                CHECK("config-roundtrip", strcmp(cfg->keys[i], cfg2->keys[i]) == 0,
                      "key %zu changed", i);
                CHECK("config-roundtrip", strcmp(cfg->values[i], cfg2->values[i]) == 0,
                      "value %zu changed", i);
            }
        }
        config_free(cfg2);
        free(again);
    }

    config_free(cfg);
    free(text);
    return 0;
}

/* test_json.c - configuration and state parsing, with positions in errors. */
#include <stdlib.h>

#include "sync/config.h"
#include "base/json.h"
#include "sync/state.h"
#include "tap.h"

static int parse(const char *text, config **c, ch_error *e)
{
    return config_parse(text, strlen(text), "configuration.json", c, e);
}

static void configuration(void)
{
    config *c = NULL;
    ch_error e;
    ok(parse("{\"a\": \"1\", \"b\": \"x\\u00e9\"}", &c, &e) == CH_OK, "flat object accepted");
    is_str(ch_config_get(c, "a"), "1", "value a");
    is_str(ch_config_get(c, "b"), "x\xc3\xa9", "escaped value decoded");
    ok(ch_config_get(c, "missing") == NULL, "missing key is NULL");
    config_free(c);
    ok(parse("{}", &c, &e) == CH_OK && c->count == 0, "empty object accepted");
    config_free(c);

    ok(parse("{\n  \"a\": \"1\",\n  \"b\" \"2\"\n}", &c, &e) == CH_ERROR, "syntax error refused");
    has_str(e.msg, "configuration.json:3:", "syntax error has file and line");
    ok(parse("{\n  \"port\": 5432\n}", &c, &e) == CH_ERROR, "number value refused");
    is_str(e.msg, "configuration.json:2:11: value of key \"port\" must be a string, not a number",
           "number error points at the value");
    ok(parse("{\"a\": {\"b\": \"c\"}}", &c, &e) == CH_ERROR, "nested object refused");
    has_str(e.msg, "configuration.json:1:7: value of key \"a\" must be a string, not an object",
            "nested error points at the object");
    ok(parse("[\"a\"]", &c, &e) == CH_ERROR, "array refused");
    has_str(e.msg, "must be a JSON object of string values", "array message");
    ok(parse("{\"a\": \"1\", \"a\": \"2\"}", &c, &e) == CH_ERROR, "duplicate key refused");
    has_str(e.msg, "key \"a\" appears twice", "duplicate message");
    ok(parse("{\"a\": true}", &c, &e) == CH_ERROR, "boolean refused");
    ok(parse("{\"a\": null}", &c, &e) == CH_ERROR, "null refused");
    ok(parse("", &c, &e) == CH_ERROR, "empty file refused");
    has_str(e.msg, "empty", "empty file message");
    ok(parse("{\"a\": \"1\"", &c, &e) == CH_ERROR, "truncated file refused");
    has_str(e.msg, "configuration.json:1:", "truncated file has a position");
    ok(parse("{\"a\": \"\xff\"}", &c, &e) == CH_ERROR, "invalid UTF-8 refused");
}

static void state_object(void)
{
    state *s = state_new();
    ch_error e;
    const char *text = "{\"cursor\":\"2026-01-01\",\"n\":42,\"nested\":{\"a\":[1,true,null]}}";
    is_str(state_json(s), "{}", "a new state is {}");
    ok(state_replace(s, text, strlen(text), "state", &e) == CH_OK, "object parsed");
    is_str(state_get(s, "cursor"), "2026-01-01", "string value as text");
    is_str(state_get(s, "n"), "42", "number as JSON text");
    is_str(state_get(s, "nested"), "{\"a\":[1,true,null]}", "nested value as JSON");
    ok(state_get(s, "none") == NULL, "absent key is NULL");
    is_str(state_json(s), text, "round trip is exact");
    ok(state_set_string(s, "cursor", "2026-02-01 \"q\"") == CH_OK, "set a string");
    ok(state_set_string(s, "new", "x") == CH_OK, "add a key");
    is_str(state_json(s),
           "{\"cursor\":\"2026-02-01 \\\"q\\\"\",\"n\":42,\"nested\":{\"a\":[1,true,null]},"
           "\"new\":\"x\"}",
           "serialised with escaping, order kept");
    ok(state_replace(s, "[1]", 3, "state.json", &e) == CH_ERROR, "array state refused");
    has_str(e.msg, "state must be a JSON object", "array message");
    ok(state_replace(s, "{\n\"a\":}", 7, "state.json", &e) == CH_ERROR, "bad JSON refused");
    has_str(e.msg, "state.json:2:", "bad JSON has a position");
    is_str(state_get(s, "new"), "x", "a refused replacement keeps the old state");
    state_free(s);
}

/* What the fuzzers found (fuzz/regressions): each must now be refused with a position. */
static void fuzz_findings(void)
{
    config *c = NULL;
    state *s = state_new();
    ch_error e;
    char deep[512];
    size_t n = 0;
    ok(parse("{\"a\": \"x\", \"a\\u0000b\": \"y\"}", &c, &e) == CH_ERROR,
       "a key with \\u0000 refused (it would duplicate \"a\")");
    has_str(e.msg, "configuration.json:1:12: string contains a NUL character", "NUL key position");
    ok(parse("{\"a\": \"\xed\xa0\x80\"}", &c, &e) == CH_ERROR,
       "a surrogate encoded as UTF-8 refused in configuration");
    has_str(e.msg, "configuration.json:1:7: string is not valid UTF-8", "invalid UTF-8 position");
    ok(parse("{\"a\": \"\\udc00\"}", &c, &e) == CH_ERROR, "a lone surrogate escape refused");
    has_str(e.msg, "lone surrogate", "lone surrogate named");
    ok(parse("{\"a\": \"\\ud83d\\ude00\"}", &c, &e) == CH_OK, "a surrogate pair accepted");
    config_free(c);
    c = NULL;
    ok(state_replace(s, "{\"k\": \"\xc0\xaf\"}", 11, "state", &e) == CH_ERROR,
       "an overlong UTF-8 form refused in state");
    n += (size_t)snprintf(deep + n, sizeof deep - n, "{\"a\":");
    for (int i = 0; i < JSON_MAX_DEPTH; i++)
        deep[n++] = '[';
    for (int i = 0; i < JSON_MAX_DEPTH; i++)
        deep[n++] = ']';
    deep[n++] = '}';
    deep[n] = '\0';
    ok(state_replace(s, deep, n, "state", &e) == CH_ERROR, "state nested 101 deep refused");
    has_str(e.msg, "nested deeper than 100 levels", "the limit is named");
    ok(state_replace(s, deep + 6, n - 7, "state", &e) == CH_ERROR, "a top-level array still refused");
    ok(state_replace(s, "{\"a\":[[[1]]]}", 13, "state", &e) == CH_OK && state_json(s) != NULL,
       "shallow nesting accepted and written back");
    state_free(s);
}

int main(void)
{
    configuration();
    state_object();
    fuzz_findings();
    return tap_done();
}

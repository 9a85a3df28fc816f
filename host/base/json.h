/* json.h - yajl helpers: files, positions for errors, tree output. */
#ifndef HOST_JSON_H
#define HOST_JSON_H

#include <stddef.h>
#include <sys/types.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_parse.h>
#include <yajl/yajl_tree.h>

#include "error.h"

/* Reads a whole file into a NUL-terminated buffer the caller frees. */
int file_read_all(const char *path, char **text, size_t *len, ch_error *err);

/* What a file that is not a regular one is, for messages: "a FIFO", "a symbolic link"... */
const char *file_kind(mode_t mode);

/*
 * As file_read_all, for files the host owns (state.json): refuses, without
 * waiting, anything but a regular file (a FIFO would block forever), and
 * does not follow a symbolic link.
 */
int file_read_regular(const char *path, char **text, size_t *len, ch_error *err);

/* Sets err to "where:LINE:COL: message" for a byte offset into text. */
int json_error_at(ch_error *err, const char *where, const char *text, size_t len, size_t offset,
                  const char *message);

/*
 * The offset of the first character of the token (string, word or single
 * symbol) that ends just before offset: where an error in it should point.
 */
size_t json_token_start(const char *text, size_t offset);

/* Deepest nesting accepted: yajl's writer stops at 128, and trees are freed recursively. */
#define JSON_MAX_DEPTH 100

/*
 * Checks what yajl lets through in JSON text that already parses: nesting
 * deeper than JSON_MAX_DEPTH, strings that are not valid UTF-8 (raw, or a
 * lone surrogate escape), and \u0000 (which would cut a C string short).
 */
int json_check_text(const char *text, size_t len, const char *where, ch_error *err);

/* Parses text as JSON into a tree; errors carry where:line:column. */
int json_parse_tree(const char *text, size_t len, const char *where, yajl_val *tree, ch_error *err);

/* Writes a parsed tree through a generator. */
int json_gen_tree(yajl_gen gen, yajl_val value);

/* Writes text as a JSON string (quoted, escaped) to a growing buffer via a generator. */
int json_gen_cstring(yajl_gen gen, const char *text);

#endif
